//! Reading the files a user picks, and the editable lists of them: the compose files (pasted
//! or loaded, merged in order) and the other files they name (secrets, configs, env files),
//! each under the path the compose file writes, which the user may correct.

use crate::api::Refusal;
use crate::components::session::Outcome;
use crate::stacks::UploadedFile;
use leptos::prelude::*;

/// Reads the files chosen in a file input as text, then calls `done` with them and with a
/// line per file that could not be read. Only in the browser; on the server it does nothing.
pub(super) fn read_chosen(
    ev: &leptos::ev::Event,
    done: impl FnOnce(Vec<UploadedFile>, Vec<String>) + 'static,
) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen_futures::JsFuture;
        // What the server takes per file; bigger ones are not even read.
        const MAX_BYTES: f64 = 1024.0 * 1024.0;
        let input = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let Some(input) = input else { return };
        let Some(list) = input.files() else { return };
        let chosen: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        // Cleared, so that choosing the same file again (after editing it) reads it again.
        input.set_value("");
        leptos::task::spawn_local(async move {
            let (mut read, mut refused) = (Vec::new(), Vec::new());
            for file in chosen {
                let name = file.name();
                if file.size() > MAX_BYTES {
                    refused.push(format!("{name}: larger than 1 MiB"));
                    continue;
                }
                match JsFuture::from(file.text()).await.map(|t| t.as_string()) {
                    Ok(Some(text)) => read.push(UploadedFile { name, text }),
                    _ => refused.push(format!("{name}: could not be read as text")),
                }
            }
            done(read, refused);
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, done);
}

/// Loads the chosen files into `list`, saying which could not be read.
fn load(
    ev: &leptos::ev::Event,
    list: RwSignal<Vec<UploadedFile>>,
    outcome: RwSignal<Outcome>,
    drop_blank: bool,
) {
    read_chosen(ev, move |read, refused| {
        list.update(|l| add_files(l, read, drop_blank));
        if !refused.is_empty() {
            outcome.set(Outcome::Failed(Refusal {
                error: refused.join("; "),
                ..Refusal::default()
            }));
        }
    });
}

/// Adds files to a list: one of the same name is replaced (a stored file by its new text).
/// With `drop_blank`, empty entries (the untouched paste box) make way; not for the other
/// files, where an empty text means "the stored one".
pub fn add_files(list: &mut Vec<UploadedFile>, read: Vec<UploadedFile>, drop_blank: bool) {
    if drop_blank && !read.is_empty() {
        list.retain(|f| !f.text.trim().is_empty());
    }
    for file in read {
        match list.iter_mut().find(|f| f.name == file.name) {
            Some(same) => *same = file,
            None => list.push(file),
        }
    }
}

/// The compose files: a name and a text box each; more than one merge in order, later files
/// overriding earlier ones.
#[component]
pub fn ComposeFiles(
    compose: RwSignal<Vec<UploadedFile>>,
    invalid: Signal<bool>,
    outcome: RwSignal<Outcome>,
) -> impl IntoView {
    // Rows are rebuilt only when their number changes: typing must keep the focus.
    let count = Memo::new(move |_| compose.with(Vec::len));
    let row = move |i: usize| {
        let get = move |f: fn(&UploadedFile) -> String| {
            move || compose.with(|c| c.get(i).map(f).unwrap_or_default())
        };
        let set = move |f: fn(&mut UploadedFile, String)| {
            move |ev| {
                let value = event_target_value(&ev);
                compose.update(|c| {
                    if let Some(file) = c.get_mut(i) {
                        f(file, value)
                    }
                })
            }
        };
        view! {
            <div class="compose-file">
                <input name="compose-name" aria-label="compose file name" placeholder="docker-compose.yml"
                    prop:value=get(|f| f.name.clone()) on:input=set(|f, v| f.name = v)/>
                <Show when=move || { count.get() > 1 }>
                    <button type="button" class="remove-file" on:click=move |_| compose.update(|c| { if i < c.len() { c.remove(i); } })>"Remove"</button>
                </Show>
                <textarea name="compose" rows="14" spellcheck="false" aria-label="compose file"
                    aria-invalid=move || invalid.get().then_some("true")
                    placeholder="services:\n  web:\n    image: nginx:alpine"
                    prop:value=get(|f| f.text.clone()) on:input=set(|f, v| f.text = v)></textarea>
            </div>
        }
    };
    view! {
        <fieldset class="compose-files">
            <legend>"Compose file (paste, or load; several merge in order, as -c a.yml -c b.yml)"</legend>
            {move || (0..count.get()).map(row).collect_view()}
            <div class="file-actions">
                <label class="file-pick">"Load compose files "
                    <input type="file" name="compose-upload" multiple accept=".yml,.yaml,text/yaml"
                        on:change=move |ev| load(&ev, compose, outcome, true)/>
                </label>
                <button type="button" class="add-compose" on:click=move |_| compose.update(|c| c.push(UploadedFile { name: format!("override-{}.yml", c.len()), text: String::new() }))>"Add a compose file"</button>
            </div>
        </fieldset>
    }
}

/// The other files, each under the path the compose file names it by. A file kept from the
/// last deploy has no text here (the server holds it): it is marked "stored".
#[component]
pub fn OtherFiles(
    files: RwSignal<Vec<UploadedFile>>,
    invalid: Signal<bool>,
    outcome: RwSignal<Outcome>,
) -> impl IntoView {
    let count = Memo::new(move |_| files.with(Vec::len));
    let row = move |i: usize| {
        let about = move || {
            files.with(|f| match f.get(i) {
                Some(file) if file.text.is_empty() => "stored from the last deploy".to_string(),
                Some(file) => format!("{} bytes", file.text.len()),
                None => String::new(),
            })
        };
        view! {
            <li class="other-file">
                <input name="file-path" aria-label="path as the compose file names it" size="36"
                    aria-invalid=move || invalid.get().then_some("true")
                    prop:value=move || files.with(|f| f.get(i).map(|f| f.name.clone()).unwrap_or_default())
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        files.update(|f| { if let Some(file) = f.get_mut(i) { file.name = value } })
                    }/>
                <span class="about">{about}</span>
                <button type="button" class="remove-file" on:click=move |_| files.update(|f| { if i < f.len() { f.remove(i); } })>"Remove"</button>
            </li>
        }
    };
    view! {
        <fieldset class="other-files">
            <legend>"Files the compose file names (secrets, configs, env files): give each the path written there"</legend>
            <ul>{move || (0..count.get()).map(row).collect_view()}</ul>
            <label class="file-pick">"Add files "
                <input type="file" name="files-upload" multiple
                    on:change=move |ev| load(&ev, files, outcome, false)/>
            </label>
        </fieldset>
    }
}
