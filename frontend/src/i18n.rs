//! Every visible string, Bahasa Indonesia first and English second, in one place.

use pantau_shared::event::TicketStatus;

/// The wall's language, from `?lang=` (default Bahasa Indonesia).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Id,
    En,
}

impl Lang {
    pub fn from_code(code: Option<&str>) -> Lang {
        match code {
            Some("en") => Lang::En,
            _ => Lang::Id,
        }
    }
}

/// A UI label.
#[derive(Clone, Copy, Debug)]
pub enum Text {
    ControlRoom,
    Live,
    Connecting,
    Reconnecting,
    TotalReports,
    ArrivedNow,
    LatestReports,
    ByCategory,
    NoReports,
    OpenTickets,
    Degraded,
}

/// The label in `lang`.
pub fn t(lang: Lang, text: Text) -> &'static str {
    use Text::*;
    match (text, lang) {
        (ControlRoom, Lang::Id) => "Ruang Kendali",
        (ControlRoom, Lang::En) => "Command Center",
        (Live, Lang::Id) => "LANGSUNG",
        (Live, Lang::En) => "LIVE",
        (Connecting, Lang::Id) => "MENGHUBUNGKAN…",
        (Connecting, Lang::En) => "CONNECTING…",
        (Reconnecting, Lang::Id) => "TERPUTUS — MENYAMBUNG ULANG",
        (Reconnecting, Lang::En) => "DISCONNECTED — RECONNECTING",
        (TotalReports, Lang::Id) => "Total tiket",
        (TotalReports, Lang::En) => "Total tickets",
        (ArrivedNow, Lang::Id) => "Masuk sejak layar aktif",
        (ArrivedNow, Lang::En) => "Arrived while on screen",
        (LatestReports, Lang::Id) => "Laporan warga terbaru",
        (LatestReports, Lang::En) => "Latest citizen reports",
        (ByCategory, Lang::Id) => "Tiket terbuka per kategori",
        (ByCategory, Lang::En) => "Open tickets by category",
        (OpenTickets, Lang::Id) => "Belum selesai",
        (OpenTickets, Lang::En) => "Open",
        (Degraded, Lang::Id) => "DATA TERTUNDA",
        (Degraded, Lang::En) => "DATA DELAYED",
        (NoReports, Lang::Id) => "Belum ada laporan",
        (NoReports, Lang::En) => "No reports yet",
    }
}

/// The name of a ticket status (LAKSA's colours: red waiting, yellow in process, green done).
pub fn status(lang: Lang, s: TicketStatus) -> &'static str {
    use TicketStatus::*;
    match (s, lang) {
        (Received, Lang::Id) => "Diterima",
        (Received, Lang::En) => "Received",
        (Assigned, Lang::Id) => "Didisposisi",
        (Assigned, Lang::En) => "Assigned",
        (InProgress, Lang::Id) => "Diproses",
        (InProgress, Lang::En) => "In progress",
        (PendingCitizen, Lang::Id) => "Menunggu warga",
        (PendingCitizen, Lang::En) => "Waiting for citizen",
        (Resolved, Lang::Id) => "Selesai",
        (Resolved, Lang::En) => "Resolved",
        (Closed, Lang::Id) => "Ditutup",
        (Closed, Lang::En) => "Closed",
        (Rejected, Lang::Id) => "Ditolak",
        (Rejected, Lang::En) => "Rejected",
    }
}

/// The name of a category code; unknown codes are shown as they are.
pub fn category(lang: Lang, code: &str) -> String {
    let names = match code {
        "sampah" => ("Sampah", "Garbage"),
        "jalan_rusak" => ("Jalan Rusak", "Damaged road"),
        "banjir" => ("Banjir", "Flooding"),
        "lampu_jalan" => ("Lampu Jalan", "Street light"),
        "pohon_tumbang" => ("Pohon Tumbang", "Fallen tree"),
        "drainase" => ("Drainase", "Drainage"),
        other => return other.replace('_', " "),
    };
    match lang {
        Lang::Id => names.0.to_owned(),
        Lang::En => names.1.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Indonesian is the default; English only when asked for.
    #[test]
    fn bahasa_first() {
        assert_eq!(Lang::from_code(None), Lang::Id);
        assert_eq!(Lang::from_code(Some("fr")), Lang::Id);
        assert_eq!(Lang::from_code(Some("en")), Lang::En);
        assert_eq!(category(Lang::Id, "jalan_rusak"), "Jalan Rusak");
        assert_eq!(category(Lang::En, "jalan_rusak"), "Damaged road");
        assert_eq!(category(Lang::Id, "parkir_liar"), "parkir liar");
    }
}
