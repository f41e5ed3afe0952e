//! `/signin`: region, user name, password. On success the page that sent the person here
//! (`?next=`, only ever on this site) or the wall; on failure a message that says what to
//! do — wrong credentials, locked out for a while, or server unreachable.

use crate::api::{self, Failure, Method};
use crate::auth::{safe_next, signin_href};
use crate::i18n::{locked_out, t, Lang, Text};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pantau_shared::auth::{SessionInfo, SignIn, TenantSummary};

/// The message for a failed sign-in.
fn failure_text(lang: Lang, failure: &Failure) -> String {
    match failure {
        Failure::Status {
            status,
            retry_after_secs,
            ..
        } if *status == 429 => locked_out(lang, retry_after_secs.map(|s| s.div_ceil(60).max(1))),
        Failure::Status { status, code, .. } if *status == 401 || code == "bad_credentials" => {
            t(lang, Text::BadCredentials).into()
        }
        Failure::Status { status, .. } if *status < 500 => t(lang, Text::BadCredentials).into(),
        _ => t(lang, Text::ServerUnreachable).into(),
    }
}

/// The tenant a `next` page asks for (`/?tenant=banjar` → `banjar`), to preselect it.
fn tenant_of(next: Option<&str>) -> Option<String> {
    let (_, query) = next?.split_once('?')?;
    crate::url::query_value(query, "tenant")
}

#[component]
pub fn SignInPage(lang: Lang, next: Option<String>) -> impl IntoView {
    let target = safe_next(next.as_deref());
    let tenants = RwSignal::new(Vec::<TenantSummary>::new());
    // The chosen tenant's id; empty for the tenant-less superadmin.
    let tenant = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let wanted = tenant_of(Some(&target));
    spawn_local(async move {
        match api::get::<Vec<TenantSummary>>("/api/v1/tenants").await {
            Ok(list) => {
                let pick = wanted
                    .filter(|w| list.iter().any(|t| &t.id == w))
                    .or_else(|| list.first().map(|t| t.id.clone()))
                    .unwrap_or_default();
                // The choice first, so the options render with it selected.
                tenant.set(pick);
                tenants.set(list);
            }
            Err(_) => error.set(Some(t(lang, Text::ServerUnreachable).into())),
        }
    });

    let submit = {
        let target = target.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            error.set(None);
            let body = SignIn {
                tenant: Some(tenant.get_untracked()).filter(|t| !t.is_empty()),
                name: name.get_untracked().trim().to_owned(),
                password: password.get_untracked(),
            };
            let target = target.clone();
            spawn_local(async move {
                match api::send::<_, SessionInfo>(Method::Post, "/api/v1/session", Some(&body), None).await {
                    Ok(_) => api::replace(&target),
                    Err(failure) => {
                        error.set(Some(failure_text(lang, &failure)));
                        password.set(String::new());
                        busy.set(false);
                    }
                }
            });
        }
    };

    let other = match lang {
        Lang::Id => Lang::En,
        Lang::En => Lang::Id,
    };
    let switch_href = signin_href(&target, other);
    let options = move || {
        let chosen = tenant.get_untracked();
        tenants
            .get()
            .into_iter()
            .map(|t| {
                let selected = t.id == chosen;
                view! { <option value=t.id selected=selected>{t.name}</option> }
            })
            .collect_view()
    };

    view! {
        <div class="page form-page">
            <main class="card signin" data-testid="signin">
                <div class="page-top">
                    <span class="logo">"PANTAU"</span>
                    <a class="lang-switch" href=switch_href hreflang=other.code() lang=other.code() data-testid="lang-switch">
                        {t(lang, Text::OtherLanguage)}
                    </a>
                </div>
                <h1>{t(lang, Text::SignInTitle)}</h1>
                <form class="form" on:submit=submit data-testid="signin-form">
                    <label for="signin-tenant">{t(lang, Text::Region)}</label>
                    <select
                        id="signin-tenant"
                        data-testid="signin-tenant"
                        on:change=move |ev| tenant.set(event_target_value(&ev))
                    >
                        {options}
                        <option value="">{t(lang, Text::NoRegion)}</option>
                    </select>
                    <label for="signin-name">{t(lang, Text::UserName)}</label>
                    <input
                        id="signin-name"
                        data-testid="signin-name"
                        name="username"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        required
                        autofocus
                        prop:value=name
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                    <label for="signin-password">{t(lang, Text::Password)}</label>
                    <input
                        id="signin-password"
                        data-testid="signin-password"
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        required
                        prop:value=password
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                    <p class="form-error" role="alert" data-testid="signin-error" hidden=move || error.with(Option::is_none)>
                        {move || error.get().unwrap_or_default()}
                    </p>
                    <button type="submit" class="button primary" data-testid="signin-submit" disabled=busy>
                        {move || t(lang, if busy.get() { Text::Checking } else { Text::SignIn })}
                    </button>
                </form>
            </main>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, code: &str, retry: Option<u64>) -> Failure {
        Failure::Status {
            status,
            code: code.into(),
            retry_after_secs: retry,
        }
    }

    /// Wrong credentials, a lockout (minutes rounded up) and an unreachable server read apart.
    #[test]
    fn failures_say_what_to_do() {
        let bad = failure_text(Lang::Id, &status(401, "bad_credentials", None));
        assert_eq!(bad, "Nama pengguna atau kata sandi salah.");
        assert!(failure_text(Lang::Id, &status(429, "locked_out", Some(61))).contains("2 menit"));
        assert!(failure_text(Lang::En, &status(429, "locked_out", Some(10))).contains("1 min"));
        assert!(failure_text(Lang::En, &status(429, "locked_out", None)).ends_with("later."));
        assert_eq!(
            failure_text(Lang::En, &Failure::Network),
            "Cannot reach the server. Try again shortly."
        );
        assert_eq!(
            failure_text(Lang::En, &status(503, "", None)),
            t(Lang::En, Text::ServerUnreachable)
        );
    }

    /// The region a `next` page names is preselected.
    #[test]
    fn preselects_the_next_pages_tenant() {
        assert_eq!(tenant_of(Some("/?tenant=banjar&lang=en")).as_deref(), Some("banjar"));
        assert_eq!(tenant_of(Some("/")), None);
        assert_eq!(tenant_of(None), None);
    }
}
