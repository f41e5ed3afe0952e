//! Where the browser is: the page URL's query parameters, and the document's language (so
//! screen readers and hyphenation follow the language on screen).

use crate::i18n::Lang;

/// The value of query parameter `name` in the page URL.
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    crate::url::query_value(&search, name)
}

/// Screen readers and the browser's hyphenation follow the language on screen.
pub fn set_document_lang(lang: Lang) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.code());
    }
}
