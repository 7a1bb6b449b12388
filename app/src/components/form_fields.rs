//! Labelled inputs that show the error for their field, as the validators name fields
//! (`replicas`, `ports[0].target`): the browser's own check as the user types, and the
//! server's answer when it refuses.

use crate::forms::FieldError;
use leptos::prelude::*;

/// Errors by field name, shared by every input of one form.
pub type Errors = Signal<Vec<FieldError>>;

/// The fields a user has left (or chosen in), provided by a form that checks fields as they
/// are filled: an input marks itself here, so its error shows without waiting for a submit.
#[derive(Clone, Copy)]
pub struct Touched(pub RwSignal<Vec<String>>);

impl Touched {
    /// What marks `field` as left: read from context when the input is built (an event
    /// handler runs outside the component's owner, where context cannot be read).
    fn marker(field: &str) -> impl Fn() + Clone + 'static + use<> {
        let touched = use_context::<Touched>();
        let field = field.to_string();
        move || {
            if let Some(Touched(fields)) = touched
                && !fields.with_untracked(|f| f.contains(&field))
            {
                fields.update(|f| f.push(field.clone()));
            }
        }
    }
}

pub fn error_for(errors: Errors, field: &str) -> Option<String> {
    errors.with(|list| {
        list.iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    })
}

/// A text input (or textarea, for `lines`), with its label, hint and error.
#[component]
pub fn Input(
    label: &'static str,
    /// The validator's name for this field; also the input's name.
    #[prop(into)]
    field: String,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] set: Callback<String>,
    errors: Errors,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] lines: bool,
    #[prop(optional)] list: Option<&'static str>,
    #[prop(optional)] kind: Option<&'static str>,
) -> impl IntoView {
    let error = {
        let field = field.clone();
        Memo::new(move |_| error_for(errors, &field))
    };
    let id = format!("f-{}", field.replace(['[', ']', '.'], "-"));
    let on_input = move |ev| set.run(event_target_value(&ev));
    let on_blur = {
        let mark = Touched::marker(&field);
        move |_| mark()
    };
    let input = if lines {
        view! {
            <textarea id=id.clone() name=field.clone() rows="3" placeholder=hint
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                prop:value=move || value.get() on:input=on_input on:blur=on_blur></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() name=field.clone() type=kind.unwrap_or("text") placeholder=hint list=list
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                prop:value=move || value.get() on:input=on_input on:blur=on_blur/>
        }
        .into_any()
    };
    view! {
        <div class="field" class:invalid=move || error.with(Option::is_some)>
            <label for=id>{label}</label>
            {input}
            {move || error.get().map(|e| view! { <span class="field-error" data-field=field.clone()>{e}</span> })}
        </div>
    }
}

/// A select among fixed values; the first option is the default.
#[component]
pub fn Choice(
    label: &'static str,
    #[prop(into)] field: String,
    options: &'static [(&'static str, &'static str)],
    #[prop(into)] value: Signal<String>,
    #[prop(into)] set: Callback<String>,
    errors: Errors,
) -> impl IntoView {
    let error = {
        let field = field.clone();
        Memo::new(move |_| error_for(errors, &field))
    };
    let id = format!("f-{}", field.replace(['[', ']', '.'], "-"));
    view! {
        <div class="field" class:invalid=move || error.with(Option::is_some)>
            <label for=id.clone()>{label}</label>
            <select id=id name=field.clone() on:change={
                let mark = Touched::marker(&field);
                move |ev| {
                    mark();
                    set.run(event_target_value(&ev))
                }
            }>
                {options
                    .iter()
                    .map(|&(v, text)| view! { <option value=v selected=move || value.with(|x| x == v)>{text}</option> })
                    .collect_view()}
            </select>
            {move || error.get().map(|e| view! { <span class="field-error" data-field=field.clone()>{e}</span> })}
        </div>
    }
}
