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

    /// The BCP 47 code (the document's `lang`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
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
    LatestReports,
    NoReports,
    Degraded,
    Open,
    BreachedNow,
    NewToday,
    ResolvedToday,
    ComplianceToday,
    MedianResponse,
    MinutesShort,
    HoursShort,
    ByAgency,
    Urgent,
    AllOnTrack,
    StaleConnecting,
    StaleReconnecting,
    StaleDegraded,
    Resources,
    Queue,
    MinutesAgo,
    AllAgencies,
    MapLabel,
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
        (LatestReports, Lang::Id) => "Laporan warga terbaru",
        (LatestReports, Lang::En) => "Latest citizen reports",
        (Degraded, Lang::Id) => "DATA TERTUNDA",
        (Degraded, Lang::En) => "DATA DELAYED",
        (Open, Lang::Id) => "Terbuka",
        (Open, Lang::En) => "Open",
        (BreachedNow, Lang::Id) => "Lewat tenggat",
        (BreachedNow, Lang::En) => "Breached now",
        (NewToday, Lang::Id) => "Baru hari ini",
        (NewToday, Lang::En) => "New today",
        (ResolvedToday, Lang::Id) => "Selesai hari ini",
        (ResolvedToday, Lang::En) => "Resolved today",
        (ComplianceToday, Lang::Id) => "Tepat waktu hari ini",
        (ComplianceToday, Lang::En) => "On time today",
        (MedianResponse, Lang::Id) => "Median respons",
        (MedianResponse, Lang::En) => "Median response",
        (MinutesShort, Lang::Id) => "mnt",
        (MinutesShort, Lang::En) => "min",
        (HoursShort, Lang::Id) => "jam",
        (HoursShort, Lang::En) => "h",
        (ByAgency, Lang::Id) => "Tiket terbuka per OPD",
        (ByAgency, Lang::En) => "Open tickets by agency",
        (Urgent, Lang::Id) => "Mendesak — tenggat terdekat",
        (Urgent, Lang::En) => "Urgent — nearest deadlines",
        (AllOnTrack, Lang::Id) => "Semua tiket sesuai jadwal",
        (AllOnTrack, Lang::En) => "All tickets on track",
        (StaleConnecting, Lang::Id) => "Menghubungkan ke server… data belum tersedia",
        (StaleConnecting, Lang::En) => "Connecting to the server… no data yet",
        (StaleReconnecting, Lang::Id) => "Koneksi terputus — data di layar mungkin sudah usang",
        (StaleReconnecting, Lang::En) => "Connection lost — data on screen may be out of date",
        (StaleDegraded, Lang::Id) => "Server tidak dapat mengakses data — tampilan tertunda",
        (Resources, Lang::Id) => "Tempat tidur kosong & layanan",
        (Resources, Lang::En) => "Free beds & services",
        (Queue, Lang::Id) => "antre",
        (Queue, Lang::En) => "queue",
        (MinutesAgo, Lang::Id) => "mnt lalu",
        (MinutesAgo, Lang::En) => "min ago",
        (StaleDegraded, Lang::En) => "Server cannot reach its data — display delayed",
        (NoReports, Lang::Id) => "Belum ada laporan",
        (NoReports, Lang::En) => "No reports yet",
        (AllAgencies, Lang::Id) => "Semua OPD",
        (AllAgencies, Lang::En) => "All agencies",
        (MapLabel, Lang::Id) => "Peta tiket terbuka per kecamatan",
        (MapLabel, Lang::En) => "Map of open tickets by district",
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
