//! The per-agency table of the executive page, sortable by any column: a click on a header
//! sorts by it (numbers largest first, names A–Z), a second click reverses; the header
//! says so in `aria-sort`. Rows without a value (nothing measured) stay at the bottom in
//! either direction. The sorting is plain functions, tested natively.

use crate::i18n::Lang;
use crate::pages::kpi::model::{duration, share, UNKNOWN};
use crate::pages::kpi::text::{tr, Key};
use crate::time::format_count;
use leptos::prelude::*;
use pantau_shared::stats::{BreakdownRow, KpiSet};
use std::cmp::Ordering;

/// How a column's numbers are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Count,
    Share,
    Minutes,
}

/// A number column: its header, its format, and how it is read from a row's KPIs.
pub struct Column {
    pub label: Key,
    pub format: Format,
    pub value: fn(&KpiSet) -> Option<f64>,
}

/// The number columns, after the agency's name (column 0).
pub const COLUMNS: [Column; 9] = [
    Column {
        label: Key::Intake,
        format: Format::Count,
        value: |k| Some(k.intake as f64),
    },
    Column {
        label: Key::Backlog,
        format: Format::Count,
        value: |k| Some(k.backlog as f64),
    },
    Column {
        label: Key::Resolved,
        format: Format::Count,
        value: |k| Some(k.resolved as f64),
    },
    Column {
        label: Key::ResponseOnTime,
        format: Format::Share,
        value: |k| k.response_compliance,
    },
    Column {
        label: Key::ResolutionOnTime,
        format: Format::Share,
        value: |k| k.resolution_compliance,
    },
    Column {
        label: Key::MedianResolution,
        format: Format::Minutes,
        value: |k| k.resolution_wall.median,
    },
    Column {
        label: Key::P90Resolution,
        format: Format::Minutes,
        value: |k| k.resolution_wall.p90,
    },
    Column {
        label: Key::ReopenRate,
        format: Format::Share,
        value: |k| k.reopen_rate,
    },
    Column {
        label: Key::FollowUpsRefused,
        format: Format::Count,
        value: |k| Some(k.follow_ups_refused as f64),
    },
];

/// One agency's row: its code, its name in the page's language and its numbers (in
/// [`COLUMNS`] order).
#[derive(Clone, Debug, PartialEq)]
pub struct TableRow {
    pub code: String,
    pub name: String,
    pub values: Vec<Option<f64>>,
}

impl TableRow {
    /// The row of a breakdown row, named by `name_of(code)`.
    pub fn of(row: &BreakdownRow, name: String) -> TableRow {
        TableRow {
            code: row.key.clone(),
            name,
            values: COLUMNS.iter().map(|c| (c.value)(&row.kpis)).collect(),
        }
    }
}

/// The order of the table: a column (0 = name, 1.. = [`COLUMNS`]) and its direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub column: usize,
    pub descending: bool,
}

impl Sort {
    /// The table's first order: the largest backlog first.
    pub const DEFAULT: Sort = Sort {
        column: 2,
        descending: true,
    };

    /// The order after a click on `column`'s header: the same column reverses; another
    /// starts with names A–Z or numbers largest first.
    pub fn click(self, column: usize) -> Sort {
        if column == self.column {
            Sort {
                column,
                descending: !self.descending,
            }
        } else {
            Sort {
                column,
                descending: column != 0,
            }
        }
    }

    /// The `aria-sort` of `column`'s header.
    pub fn aria(self, column: usize) -> &'static str {
        match (column == self.column, self.descending) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        }
    }
}

/// Sort `rows` by `sort`: missing values last in either direction, ties by name then code.
pub fn sort_rows(rows: &mut [TableRow], sort: Sort) {
    let by_name = |a: &TableRow, b: &TableRow| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.code.cmp(&b.code))
    };
    rows.sort_by(|a, b| {
        let primary = if sort.column == 0 {
            let o = by_name(a, b);
            if sort.descending {
                o.reverse()
            } else {
                o
            }
        } else {
            let i = sort.column - 1;
            match (a.values.get(i).copied().flatten(), b.values.get(i).copied().flatten()) {
                (Some(x), Some(y)) => {
                    let o = x.total_cmp(&y);
                    if sort.descending {
                        o.reverse()
                    } else {
                        o
                    }
                }
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
        };
        primary.then_with(|| by_name(a, b))
    });
}

/// A cell's text.
fn cell(value: Option<f64>, format: Format, lang: Lang) -> String {
    match (value, format) {
        (None, _) => UNKNOWN.into(),
        (Some(v), Format::Count) => format_count(v.max(0.0).round() as u64),
        (Some(v), Format::Share) => share(Some(v)).number,
        (Some(v), Format::Minutes) => {
            let r = duration(Some(v), lang);
            format!("{} {}", r.number, r.unit)
        }
    }
}

/// The table of `rows`, sorted as the reader clicks.
#[component]
pub fn AgencyTable(rows: Memo<Vec<TableRow>>, lang: Lang) -> impl IntoView {
    let sort = RwSignal::new(Sort::DEFAULT);
    let sorted = Memo::new(move |_| {
        let mut rows = rows.get();
        sort_rows(&mut rows, sort.get());
        rows
    });
    let header = move |column: usize, label: &'static str| {
        view! {
            <th scope="col" aria-sort=move || sort.get().aria(column) data-testid="sort-header" data-column=column>
                <button type="button" class="sort-button" on:click=move |_| sort.update(|s| *s = s.click(column))>
                    {label}
                    <span class="sort-mark" aria-hidden="true">
                        {move || match sort.get().aria(column) {
                            "descending" => "▼",
                            "ascending" => "▲",
                            _ => "",
                        }}
                    </span>
                </button>
            </th>
        }
    };
    let headers = move || {
        std::iter::once(header(0, tr(lang, Key::Agency)))
            .chain(
                COLUMNS
                    .iter()
                    .enumerate()
                    .map(|(i, c)| header(i + 1, tr(lang, c.label))),
            )
            .collect_view()
    };
    view! {
        <section class="kpi-card kpi-table-card">
            <h2>{tr(lang, Key::ByAgency)}</h2>
            <Show when=move || rows.with(|r| !r.is_empty()) fallback=move || view! { <p class="muted">{tr(lang, Key::NoData)}</p> }>
                <table class="kpi-table" data-testid="agency-table">
                    <thead><tr>{headers()}</tr></thead>
                    <tbody>
                        <For each=move || sorted.get() key=|r| r.code.clone() let:row>
                            <tr data-testid="agency-row" data-agency=row.code.clone()>
                                <th scope="row">{row.name.clone()}</th>
                                {COLUMNS
                                    .iter()
                                    .zip(row.values.iter())
                                    .map(|(c, v)| view! { <td>{cell(*v, c.format, lang)}</td> })
                                    .collect_view()}
                            </tr>
                        </For>
                    </tbody>
                </table>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(code: &str, name: &str, values: &[Option<f64>]) -> TableRow {
        TableRow {
            code: code.into(),
            name: name.into(),
            values: values.to_vec(),
        }
    }

    fn codes(rows: &[TableRow]) -> Vec<&str> {
        rows.iter().map(|r| r.code.as_str()).collect()
    }

    fn sample() -> Vec<TableRow> {
        vec![
            row("dlh", "Dinas Lingkungan Hidup", &[Some(5.0), Some(0.9)]),
            row("pupr", "Dinas PUPR", &[Some(9.0), None]),
            row("bpbd", "BPBD", &[Some(5.0), Some(0.5)]),
            row("-", "Belum didisposisi", &[Some(1.0), Some(1.0)]),
        ]
    }

    /// Numbers sort largest first on the first click and reverse on the second; ties go by
    /// name; a missing value stays last both ways.
    #[test]
    fn sorts_numbers_with_missing_last() {
        let mut rows = sample();
        let first = Sort::DEFAULT.click(1);
        assert_eq!(
            first,
            Sort {
                column: 1,
                descending: true
            }
        );
        sort_rows(&mut rows, first);
        assert_eq!(codes(&rows), ["pupr", "bpbd", "dlh", "-"]);
        sort_rows(&mut rows, first.click(1));
        assert_eq!(codes(&rows), ["-", "bpbd", "dlh", "pupr"]);
        let share = Sort {
            column: 2,
            descending: true,
        };
        sort_rows(&mut rows, share);
        assert_eq!(codes(&rows), ["-", "dlh", "bpbd", "pupr"]);
        sort_rows(&mut rows, share.click(2));
        assert_eq!(codes(&rows), ["bpbd", "dlh", "-", "pupr"], "missing stays last");
    }

    /// Names sort A–Z first, ignoring case, then Z–A.
    #[test]
    fn sorts_names() {
        let mut rows = sample();
        let by_name = Sort::DEFAULT.click(0);
        assert!(!by_name.descending);
        sort_rows(&mut rows, by_name);
        assert_eq!(codes(&rows), ["-", "bpbd", "dlh", "pupr"]);
        sort_rows(&mut rows, by_name.click(0));
        assert_eq!(codes(&rows), ["pupr", "dlh", "bpbd", "-"]);
    }

    /// Only the sorted column's header has an `aria-sort` other than `none`.
    #[test]
    fn aria_sort_follows_the_order() {
        let s = Sort {
            column: 3,
            descending: false,
        };
        assert_eq!(s.aria(3), "ascending");
        assert_eq!(s.aria(0), "none");
        assert_eq!(s.click(3).aria(3), "descending");
    }

    /// The "TL ditolak" column shows an agency's refused follow-ups.
    #[test]
    fn refused_follow_ups_column() {
        let row = BreakdownRow {
            key: "dlh".into(),
            label: None,
            kpis: KpiSet {
                follow_ups_refused: 2,
                ..KpiSet::default()
            },
            previous: KpiSet::default(),
        };
        let row = TableRow::of(&row, "DLH".into());
        assert_eq!(row.values.last(), Some(&Some(2.0)));
        let last = COLUMNS.last().unwrap();
        assert_eq!(
            (tr(Lang::Id, last.label), tr(Lang::En, last.label)),
            ("TL ditolak", "Follow-ups refused")
        );
    }

    /// Cells show counts, shares and durations as the tiles do.
    #[test]
    fn cells_are_formatted() {
        assert_eq!(cell(Some(1234.0), Format::Count, Lang::Id), "1.234");
        assert_eq!(cell(Some(0.5), Format::Share, Lang::Id), "50,0%");
        assert_eq!(cell(Some(150.0), Format::Minutes, Lang::En), "2,5 h");
        assert_eq!(cell(None, Format::Count, Lang::En), UNKNOWN);
    }
}
