//! The console's keyboard shortcuts, pure: which key does what, and the list `?` shows.
//! Keys typed into a field are the field's (only Escape is ours there), so a half-typed
//! reason or comment never triggers anything.

use crate::i18n::Lang;

/// What a key does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    /// Select the next / previous ticket in the queue (the drawer follows).
    Next,
    Previous,
    /// Jump into the drawer's assign, status, priority or comment form.
    Assign,
    Status,
    Priority,
    Comment,
    /// Add or remove the selected ticket from the bulk selection.
    ToggleSelect,
    /// Into the search box.
    Search,
    /// Show or hide the shortcut list.
    Help,
    /// Close the help, the dialog or the drawer.
    Escape,
}

/// The shortcut for `key` (a `KeyboardEvent.key`), if any; `in_field` when the focus is in
/// an input, select or text area.
pub fn shortcut(key: &str, in_field: bool) -> Option<Shortcut> {
    if key == "Escape" {
        return Some(Shortcut::Escape);
    }
    if in_field {
        return None;
    }
    Some(match key {
        "j" | "ArrowDown" => Shortcut::Next,
        "k" | "ArrowUp" => Shortcut::Previous,
        "a" => Shortcut::Assign,
        "s" => Shortcut::Status,
        "p" => Shortcut::Priority,
        "c" => Shortcut::Comment,
        "x" => Shortcut::ToggleSelect,
        "/" => Shortcut::Search,
        "?" => Shortcut::Help,
        _ => return None,
    })
}

/// The list shown on `?`: keys and what they do.
pub fn help(lang: Lang) -> [(&'static str, &'static str); 9] {
    let id = [
        ("j / ↓", "Tiket berikutnya"),
        ("k / ↑", "Tiket sebelumnya"),
        ("a", "Disposisi / alihkan OPD dan petugas"),
        ("s", "Ubah status"),
        ("p", "Ubah prioritas"),
        ("c", "Tulis komentar"),
        ("x", "Pilih / lepas untuk pengalihan massal"),
        ("/", "Cari"),
        ("Esc", "Tutup"),
    ];
    let en = [
        ("j / ↓", "Next ticket"),
        ("k / ↑", "Previous ticket"),
        ("a", "Assign / reassign agency and officer"),
        ("s", "Set status"),
        ("p", "Set priority"),
        ("c", "Write a comment"),
        ("x", "Select / unselect for bulk reassign"),
        ("/", "Search"),
        ("Esc", "Close"),
    ];
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

/// The index after `current` in a queue of `len` rows when moving by `step` (clamped; no
/// selection starts at the top).
pub fn step(current: Option<usize>, step: isize, len: usize) -> Option<usize> {
    if len == 0 {
        return None;
    }
    Some(match current {
        None => 0,
        Some(i) => (i as isize + step).clamp(0, len as isize - 1) as usize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Letters act only outside fields; Escape acts everywhere.
    #[test]
    fn keys_map_outside_fields_only() {
        assert_eq!(shortcut("a", false), Some(Shortcut::Assign));
        assert_eq!(shortcut("a", true), None, "typing a reason");
        assert_eq!(shortcut("Escape", true), Some(Shortcut::Escape));
        assert_eq!(shortcut("?", false), Some(Shortcut::Help));
        assert_eq!(shortcut("ArrowDown", false), Some(Shortcut::Next));
        assert_eq!(shortcut("q", false), None);
    }

    /// Moving through the queue stays inside it.
    #[test]
    fn steps_are_clamped() {
        assert_eq!(step(None, 1, 5), Some(0));
        assert_eq!(step(Some(4), 1, 5), Some(4));
        assert_eq!(step(Some(0), -1, 5), Some(0));
        assert_eq!(step(Some(2), 1, 5), Some(3));
        assert_eq!(step(Some(2), 1, 0), None);
    }

    /// Both languages list the same keys.
    #[test]
    fn help_lists_the_same_keys() {
        let keys = |l| help(l).map(|(k, _)| k);
        assert_eq!(keys(Lang::Id), keys(Lang::En));
    }
}
