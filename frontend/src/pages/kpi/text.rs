//! Every string of the executive page (and the wall's forecast panel), Bahasa Indonesia
//! first, English second. Kept apart from [`crate::i18n`] so this page's words travel with it.

use crate::i18n::Lang;

/// A label of the executive page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Title,
    Today,
    Days7,
    Days30,
    VsPrevious,
    Intake,
    Backlog,
    Resolved,
    ResponseOnTime,
    ResolutionOnTime,
    MedianResponse,
    P90Response,
    MedianResolution,
    P90Resolution,
    ReopenRate,
    FollowUpsRefused,
    IntakeVsResolved,
    Compliance,
    Hourly,
    Daily,
    ByAgency,
    Agency,
    MapTitle,
    MapBacklog,
    MapCompliance,
    NoData,
    Forecast,
    ForecastShort,
    Within1h,
    Within4h,
    Within24h,
    AtRisk,
    NoneAtRisk,
    Deadline,
    Downloads,
    TicketsCsv,
    KpisCsv,
    TicketsGeojson,
    Print,
    Loading,
    Updated,
    Unchanged,
    Points,
    Region,
    Period,
    ForecastModel,
    Unrouted,
    OpenNow,
    Overdue,
    TimeLeft,
    Ticket,
    Category,
    Kecamatan,
}

/// The label `key` in `lang`.
pub fn tr(lang: Lang, key: Key) -> &'static str {
    use Key::*;
    let (id, en) = match key {
        Title => ("Ringkasan Kinerja Layanan", "Service performance summary"),
        Today => ("Hari ini", "Today"),
        Days7 => ("7 hari", "7 days"),
        Days30 => ("30 hari", "30 days"),
        VsPrevious => ("dibanding periode sebelumnya", "vs the previous period"),
        Intake => ("Laporan masuk", "Reports received"),
        Backlog => ("Belum selesai", "Backlog (open)"),
        Resolved => ("Diselesaikan", "Resolved"),
        ResponseOnTime => ("Respons tepat waktu", "Response on time"),
        ResolutionOnTime => ("Penyelesaian tepat waktu", "Resolution on time"),
        MedianResponse => ("Median respons", "Median response"),
        P90Response => ("P90 respons", "P90 response"),
        MedianResolution => ("Median penyelesaian", "Median resolution"),
        P90Resolution => ("P90 penyelesaian", "P90 resolution"),
        ReopenRate => ("Dibuka kembali", "Reopen rate"),
        FollowUpsRefused => ("TL ditolak", "Follow-ups refused"),
        IntakeVsResolved => ("Masuk vs diselesaikan", "Received vs resolved"),
        Compliance => ("Kepatuhan SLA penyelesaian", "Resolution SLA compliance"),
        Hourly => ("per jam", "hourly"),
        Daily => ("per hari, 30 hari", "daily, 30 days"),
        ByAgency => ("Kinerja per OPD", "Performance by agency"),
        Agency => ("OPD", "Agency"),
        MapTitle => ("Peta kecamatan", "Kecamatan map"),
        MapBacklog => ("Belum selesai", "Backlog"),
        MapCompliance => ("Tepat waktu", "On time"),
        NoData => ("Tidak ada data", "No data"),
        Forecast => ("Prakiraan lewat tenggat", "Breach forecast"),
        ForecastShort => ("Prakiraan", "Forecast"),
        Within1h => ("≤ 1 jam", "≤ 1 h"),
        Within4h => ("≤ 4 jam", "≤ 4 h"),
        Within24h => ("≤ 24 jam", "≤ 24 h"),
        AtRisk => ("Tiket paling berisiko", "Tickets most at risk"),
        NoneAtRisk => (
            "Tidak ada tiket yang diperkirakan lewat tenggat",
            "No ticket is expected to breach",
        ),
        Deadline => ("Tenggat", "Deadline"),
        Downloads => ("Unduh data", "Downloads"),
        TicketsCsv => ("Tiket (CSV, Excel)", "Tickets (CSV, Excel)"),
        KpisCsv => ("KPI (CSV)", "KPIs (CSV)"),
        TicketsGeojson => ("Tiket (GeoJSON, QGIS)", "Tickets (GeoJSON, QGIS)"),
        Print => ("Cetak", "Print"),
        Loading => ("Memuat…", "Loading…"),
        Updated => ("Diperbarui", "Updated"),
        Unchanged => ("tetap", "no change"),
        Points => ("poin", "pts"),
        Region => ("Wilayah", "Region"),
        Period => ("Periode", "Period"),
        ForecastModel => (
            "Perkiraan dari tenggat tiket terbuka dan laju penyelesaian OPD akhir-akhir ini.",
            "Estimated from open tickets' deadlines and each agency's recent resolution rate.",
        ),
        Unrouted => ("Belum didisposisi", "Not routed"),
        OpenNow => ("Terbuka", "Open"),
        Overdue => ("Sudah lewat", "Overdue"),
        TimeLeft => ("Sisa waktu", "Time left"),
        Ticket => ("Tiket", "Ticket"),
        Category => ("Kategori", "Category"),
        Kecamatan => ("Kecamatan", "Kecamatan"),
    };
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bahasa Indonesia and English differ where they should, and no label is empty.
    #[test]
    fn both_languages_say_something() {
        assert_eq!(tr(Lang::Id, Key::Backlog), "Belum selesai");
        assert_eq!(tr(Lang::En, Key::Backlog), "Backlog (open)");
        for key in [Key::Title, Key::Forecast, Key::Print, Key::Within24h] {
            assert!(!tr(Lang::Id, key).is_empty() && !tr(Lang::En, key).is_empty());
            assert_ne!(tr(Lang::Id, key), tr(Lang::En, key), "{key:?}");
        }
    }
}
