//! Kiosk links, for admins: a named, read-only link for a wall screen, listed with its last
//! use and revocable. A new link's address is shown once, when it is made: the panel keeps
//! only a hash of its secret.

use crate::api::{Action, Done, KioskCreate, KioskCreated, KioskLink, Role};
use crate::client;
use crate::components::session::{Outcome, OutcomeLine, Session, act};
use crate::view::clock_utc;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn Kiosks() -> impl IntoView {
    let session = Session::get();
    let admin = session.may(Role::Admin);
    let links = RwSignal::new(Vec::<KioskLink>::new());
    let outcome = RwSignal::new(Outcome::Idle);
    let name = RwSignal::new(String::new());
    let created = RwSignal::new(None::<String>);
    let reload = move || {
        spawn_local(async move {
            if let Ok(list) = client::get::<Vec<KioskLink>>("/api/kiosks").await {
                links.set(list);
            }
        })
    };
    Effect::new(move |_| {
        if admin.get() {
            reload();
        }
    });
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = KioskCreate {
            name: name.get_untracked(),
        };
        let label = body.name.trim().to_string();
        act(
            outcome,
            format!("making a link for {label}…"),
            async move { client::post::<_, KioskCreated>(Action::KioskCreate.route(), &body).await },
            move |made| {
                name.set(String::new());
                let origin = window().location().origin().unwrap_or_default();
                created.set(Some(format!("{origin}{}", made.path)));
                reload();
                format!("made {label}: open the link below on the screen; it is shown only now")
            },
        );
    };
    let revoke = move |id: String, label: String| {
        let path = Action::KioskRevoke.path(&id);
        act(
            outcome,
            format!("revoking {label}…"),
            async move { client::post::<_, Done>(&path, &()).await },
            move |_| {
                created.set(None);
                reload();
                format!("revoked {label}: its screen loses access at its next beat")
            },
        );
    };
    view! {
        <Show when=move || admin.get()>
            <section class="kiosks">
                <h1>"Kiosk links"</h1>
                <table class="kiosk-table">
                    <thead>
                        <tr><th>"Name"</th><th>"Made"</th><th>"Last used"</th><th></th></tr>
                    </thead>
                    <tbody>
                        <For each=move || links.get() key=|l| (l.id.clone(), l.last_used_ms) let:link>
                            {
                                let (id, label) = (link.id.clone(), link.name.clone());
                                view! {
                                    <tr class="kiosk-link" data-kiosk=link.name.clone()>
                                        <td class="name">{link.name.clone()}</td>
                                        <td>{clock_utc(link.created_ms)}</td>
                                        <td>{link.last_used_ms.map(clock_utc).unwrap_or_else(|| "never".into())}</td>
                                        <td>
                                            <button type="button" class="revoke-kiosk" on:click=move |_| revoke(id.clone(), label.clone())>"Revoke"</button>
                                        </td>
                                    </tr>
                                }
                            }
                        </For>
                    </tbody>
                </table>
                <form class="create-kiosk" on:submit=create>
                    <label for="kiosk-name">"New kiosk link"</label>
                    <input id="kiosk-name" name="name" placeholder="ops wall" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    <button type="submit" disabled=move || outcome.with(Outcome::is_pending)>"Make link"</button>
                    <OutcomeLine outcome/>
                </form>
                {move || created.get().map(|url| view! { <p class="kiosk-url"><code>{url}</code></p> })}
            </section>
        </Show>
    }
}
