//! Who is at the controls: the session (read from the server once the page is live), the
//! log-in form or the role with a log-out button, and the one way every control reports how
//! its request went.

use crate::api::{Login, Me, Refusal, Role};
use crate::client;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The browser's session, shared by every control on the page through context. None until
/// the browser has asked (the server's render and a page without scripts are read-only).
#[derive(Clone, Copy)]
pub struct Session {
    pub me: RwSignal<Option<Me>>,
}

impl Session {
    pub fn provide() -> Session {
        let session = Session {
            me: RwSignal::new(None),
        };
        provide_context(session);
        Effect::new(move |_| session.refresh());
        session
    }

    pub fn get() -> Session {
        expect_context::<Session>()
    }

    pub fn refresh(self) {
        spawn_local(async move {
            if let Ok(me) = client::get::<Me>("/api/me").await {
                // Unchanged, it must not re-render the top bar (and the form being typed in).
                self.me.maybe_update(|known| {
                    let changed = known.as_ref() != Some(&me);
                    *known = Some(me);
                    changed
                });
            }
        });
    }

    /// Whether this session may do what needs `role`.
    pub fn may(self, role: Role) -> Signal<bool> {
        Signal::derive(move || self.me.with(|m| m.as_ref().is_some_and(|m| m.role >= role)))
    }
}

/// How one control's last request went.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Outcome {
    #[default]
    Idle,
    Pending(String),
    Done(String),
    Failed(Refusal),
}

impl Outcome {
    pub fn is_pending(&self) -> bool {
        matches!(self, Outcome::Pending(_))
    }
}

/// Runs a request, showing `doing` meanwhile and `done(answer)` or the refusal after. A
/// session that has lapsed (401) is re-read, so the page offers the log-in form again.
pub fn act<T: 'static>(
    outcome: RwSignal<Outcome>,
    doing: impl Into<String>,
    request: impl Future<Output = Result<T, Refusal>> + 'static,
    done: impl FnOnce(T) -> String + 'static,
) {
    if outcome.with_untracked(Outcome::is_pending) {
        return;
    }
    outcome.set(Outcome::Pending(doing.into()));
    // Read now: context is not reachable from inside the spawned task.
    let session = use_context::<Session>();
    spawn_local(async move {
        match request.await {
            Ok(answer) => outcome.set(Outcome::Done(done(answer))),
            Err(refusal) => {
                // 401: no valid session (it lapsed, or the panel restarted).
                if refusal.status == 401 {
                    session.inspect(|s| s.refresh());
                }
                outcome.set(Outcome::Failed(refusal))
            }
        }
    });
}

/// The outcome line next to a control: progress, success, or the refusal in plain words.
#[component]
pub fn OutcomeLine(outcome: RwSignal<Outcome>) -> impl IntoView {
    move || match outcome.get() {
        Outcome::Idle => None,
        Outcome::Pending(text) => {
            Some(view! { <p class="outcome pending" role="status">{text}</p> }.into_any())
        }
        Outcome::Done(text) => {
            Some(view! { <p class="outcome done" role="status">{text}</p> }.into_any())
        }
        Outcome::Failed(refusal) => {
            let fields = refusal
                .fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ");
            Some(
                view! {
                    <p class="outcome failed" role="alert">
                        {refusal.error} {(!fields.is_empty()).then(|| format!(" ({fields})"))}
                    </p>
                }
                .into_any(),
            )
        }
    }
}

/// In the top bar: read-only (and how to change that), the log-in form, or the role.
#[component]
pub fn SessionControl() -> impl IntoView {
    let session = Session::get();
    let token = RwSignal::new(String::new());
    let outcome = RwSignal::new(Outcome::Idle);
    let log_in = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let login = Login {
            token: token.get_untracked(),
        };
        act(
            outcome,
            "logging in…",
            async move { client::post::<_, Me>("/api/login", &login).await },
            move |_| {
                token.set(String::new());
                session.refresh();
                String::new()
            },
        );
    };
    let log_out = move |_| {
        spawn_local(async move {
            let _ = client::post::<_, serde_json::Value>("/api/logout", &()).await;
            session.refresh();
        });
    };
    move || {
        match session.me.get() {
        None => view! { <span class="session"></span> }.into_any(),
        Some(Me { login: false, .. }) => view! {
            <span class="session read-only" title="Start the panel with FLOTILLA_ADMIN_TOKEN (or FLOTILLA_ADMIN_TOKEN_FILE) set to enable control">
                "read-only: start the panel with FLOTILLA_ADMIN_TOKEN to enable control"
            </span>
        }
        .into_any(),
        Some(Me { signed_in: false, .. }) => view! {
            <form class="session login" on:submit=log_in>
                <input
                    type="password"
                    name="token"
                    aria-label="access token"
                    placeholder="access token"
                    autocomplete="current-password"
                    prop:value=move || token.get()
                    on:input=move |ev| token.set(event_target_value(&ev))
                />
                <button type="submit" disabled=move || outcome.with(Outcome::is_pending)>"Log in"</button>
                <OutcomeLine outcome/>
            </form>
        }
        .into_any(),
        Some(Me { role, .. }) => view! {
            <span class="session signed-in">
                <span class="role" data-role=role.label()>{role.label()}</span>
                <button type="button" on:click=log_out>"Log out"</button>
            </span>
        }
        .into_any(),
    }
    }
}
