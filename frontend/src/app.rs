//! The root component: URL parameters (`?tenant=tangerang&lang=en&panels=all,agencies&rotate=30`,
//! percent-decoded by [`crate::url`]), shared state, socket; the document's language.

use crate::i18n::Lang;
use crate::pages::wall::WallPage;
use crate::state::WallState;
use leptos::prelude::*;

/// Tenant shown when the URL names none.
const DEFAULT_TENANT: &str = "tangerang";

/// The value of query parameter `name` in the page URL.
fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    crate::url::query_value(&search, name)
}

#[component]
pub fn App() -> impl IntoView {
    let tenant = query_param("tenant").unwrap_or_else(|| DEFAULT_TENANT.to_owned());
    let lang = Lang::from_code(query_param("lang").as_deref());
    // Screen readers and the browser's hyphenation follow the language on screen.
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.code());
    }
    let panels = query_param("panels");
    let rotate_secs = crate::panel::rotate_secs(query_param("rotate").as_deref());
    let state = WallState::new();
    crate::ws::connect(tenant, state);
    view! { <WallPage state=state lang=lang panels=panels rotate_secs=rotate_secs /> }
}
