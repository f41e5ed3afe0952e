//! The admin's pairing form: the code a screen shows, a name for it, and its layout (the
//! wall's `panels`, `rotate` and `lang`). Posts `POST /api/v1/{tenant}/screens` with the CSRF
//! token; says whether it worked, and why not.

use crate::api::{self, Failure, Method};
use crate::auth::on_failure;
use crate::i18n::{t, Lang, Text};
use crate::screens::normalise_code;
use crate::screens::screens_path;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pantau_shared::auth::{PairScreen, Screen, ScreenLang};

/// The form's fields as typed, checked into a request (or the message saying what is wrong).
fn request(code: &str, name: &str, panels: &str, rotate: &str, lang: &str) -> Result<PairScreen, Text> {
    let code = normalise_code(code).ok_or(Text::CodeInvalid)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(Text::NameRequired);
    }
    let panels = panels.split_whitespace().collect::<String>();
    Ok(PairScreen {
        code,
        name: name.to_owned(),
        panels: (!panels.is_empty()).then_some(panels),
        rotate: rotate.trim().parse::<u32>().ok().filter(|s| *s > 0),
        lang: Some(if lang == "en" { ScreenLang::En } else { ScreenLang::Id }),
    })
}

#[component]
pub fn PairForm(
    tenant: ReadSignal<String>,
    csrf: StoredValue<String>,
    lang: Lang,
    /// Called after a screen was paired (the list reloads).
    on_paired: Callback<()>,
) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let panels = RwSignal::new(String::new());
    let rotate = RwSignal::new(String::new());
    let screen_lang = RwSignal::new(String::from("id"));
    // The outcome: `Ok` text after a pairing, `Err` text after a refusal.
    let message = RwSignal::new(None::<Result<&'static str, &'static str>>);
    let busy = RwSignal::new(false);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let body = match request(
            &code.get_untracked(),
            &name.get_untracked(),
            &panels.get_untracked(),
            &rotate.get_untracked(),
            &screen_lang.get_untracked(),
        ) {
            Ok(body) => body,
            Err(text) => return message.set(Some(Err(t(lang, text)))),
        };
        busy.set(true);
        message.set(None);
        let path = screens_path(&tenant.get_untracked());
        spawn_local(async move {
            let csrf = csrf.get_value();
            match api::send::<_, Screen>(Method::Post, &path, Some(&body), Some(&csrf)).await {
                Ok(_) => {
                    message.set(Some(Ok(t(lang, Text::PairedOk))));
                    code.set(String::new());
                    name.set(String::new());
                    on_paired.run(());
                }
                Err(Failure::Status {
                    status: 404 | 409 | 410,
                    ..
                }) => {
                    message.set(Some(Err(t(lang, Text::CodeUnknown))));
                }
                Err(failure) => message.set(on_failure(&failure, lang).map(Err)),
            }
            busy.set(false);
        });
    };

    let field = move |value: RwSignal<String>| move |ev| value.set(event_target_value(&ev));
    view! {
        <section class="card pair" aria-labelledby="pair-title">
            <h2 id="pair-title">{t(lang, Text::PairNew)}</h2>
            <form class="form pair-form" on:submit=submit data-testid="pair-form">
                <label for="pair-code">{t(lang, Text::PairCode)}</label>
                <input id="pair-code" class="code-input" data-testid="pair-code" required maxlength="9"
                    autocomplete="off" autocapitalize="characters" spellcheck="false" placeholder="ABC 123"
                    prop:value=code on:input=field(code) />
                <label for="pair-name">{t(lang, Text::ScreenName)}</label>
                <input id="pair-name" data-testid="pair-name" required autocomplete="off"
                    prop:value=name on:input=field(name) />
                <label for="pair-panels">{t(lang, Text::PanelsField)}</label>
                <input id="pair-panels" data-testid="pair-panels" autocomplete="off" spellcheck="false"
                    placeholder="all,agencies" prop:value=panels on:input=field(panels) />
                <label for="pair-rotate">{t(lang, Text::RotateField)}</label>
                <input id="pair-rotate" data-testid="pair-rotate" type="number" min="5" step="1" inputmode="numeric"
                    placeholder="30" prop:value=rotate on:input=field(rotate) />
                <label for="pair-lang">{t(lang, Text::Language)}</label>
                <select id="pair-lang" data-testid="pair-lang" on:change=field(screen_lang)>
                    <option value="id" selected>"Bahasa Indonesia"</option>
                    <option value="en">"English"</option>
                </select>
                <p class="form-message" role="status" data-testid="pair-message"
                    data-ok=move || message.get().map(|m| m.is_ok().to_string())
                    hidden=move || message.with(Option::is_none)>
                    {move || message.get().map(|m| m.unwrap_or_else(|e| e))}
                </p>
                <button type="submit" class="button primary" data-testid="pair-submit" disabled=busy>
                    {match lang {
                        Lang::Id => "Pasangkan / Pair",
                        Lang::En => "Pair / Pasangkan",
                    }}
                </button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fields are tidied into the request; a bad code or a blank name is refused first.
    #[test]
    fn fields_become_a_request() {
        let r = request(" abc 123", " Lobi ", "all, agencies", "20", "en").unwrap();
        assert_eq!(r.code, "ABC123");
        assert_eq!(r.name, "Lobi");
        assert_eq!(r.panels.as_deref(), Some("all,agencies"));
        assert_eq!(r.rotate, Some(20));
        assert_eq!(r.lang, Some(ScreenLang::En));
        let r = request("ABC123", "Lobi", " ", "", "id").unwrap();
        assert_eq!((r.panels, r.rotate, r.lang), (None, None, Some(ScreenLang::Id)));
        assert!(matches!(request("AB12", "Lobi", "", "", "id"), Err(Text::CodeInvalid)));
        assert!(matches!(request("ABC123", "  ", "", "", "id"), Err(Text::NameRequired)));
    }
}
