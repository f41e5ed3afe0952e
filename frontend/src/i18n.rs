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
    SignInTitle,
    Region,
    NoRegion,
    UserName,
    Password,
    SignIn,
    Checking,
    BadCredentials,
    ServerUnreachable,
    SignOut,
    OtherLanguage,
    NotAllowedPage,
    NotAllowedRegion,
    BackToWall,
    OpenPage,
    Screens,
    Console,
    ScreensTitle,
    PairNew,
    PairCode,
    ScreenName,
    PanelsField,
    RotateField,
    Language,
    PairedOk,
    CodeInvalid,
    CodeUnknown,
    RequestFailed,
    NameRequired,
    Layout,
    PairedAt,
    LastSeen,
    Never,
    Actions,
    Rename,
    Save,
    Cancel,
    Revoke,
    RevokeConfirm,
    NoScreens,
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
        (SignInTitle, Lang::Id) => "Masuk ke Pantau",
        (SignInTitle, Lang::En) => "Sign in to Pantau",
        (Region, Lang::Id) => "Wilayah",
        (Region, Lang::En) => "Region",
        (NoRegion, Lang::Id) => "— Tanpa wilayah (superadmin) —",
        (NoRegion, Lang::En) => "— No region (superadmin) —",
        (UserName, Lang::Id) => "Nama pengguna",
        (UserName, Lang::En) => "User name",
        (Password, Lang::Id) => "Kata sandi",
        (Password, Lang::En) => "Password",
        (SignIn, Lang::Id) => "Masuk",
        (SignIn, Lang::En) => "Sign in",
        (Checking, Lang::Id) => "Memeriksa…",
        (Checking, Lang::En) => "Checking…",
        (BadCredentials, Lang::Id) => "Nama pengguna atau kata sandi salah.",
        (BadCredentials, Lang::En) => "Wrong user name or password.",
        (ServerUnreachable, Lang::Id) => "Server tidak dapat dihubungi. Coba lagi sebentar lagi.",
        (ServerUnreachable, Lang::En) => "Cannot reach the server. Try again shortly.",
        (SignOut, Lang::Id) => "Keluar",
        (SignOut, Lang::En) => "Sign out",
        (OtherLanguage, Lang::Id) => "English",
        (OtherLanguage, Lang::En) => "Bahasa Indonesia",
        (NotAllowedPage, Lang::Id) => "Akun Anda tidak berhak membuka halaman ini.",
        (NotAllowedPage, Lang::En) => "Your account may not open this page.",
        (NotAllowedRegion, Lang::Id) => "Akun Anda tidak berhak melihat wilayah ini.",
        (NotAllowedRegion, Lang::En) => "Your account may not view this region.",
        (BackToWall, Lang::Id) => "Kembali ke dinding",
        (BackToWall, Lang::En) => "Back to the wall",
        (OpenPage, Lang::Id) => "Buka halaman ini",
        (OpenPage, Lang::En) => "Open this page",
        (Screens, Lang::Id) => "Layar",
        (Screens, Lang::En) => "Screens",
        (Console, Lang::Id) => "Konsol",
        (Console, Lang::En) => "Console",
        (ScreensTitle, Lang::Id) => "Layar dinding",
        (ScreensTitle, Lang::En) => "Wall screens",
        (PairNew, Lang::Id) => "Pasangkan layar baru",
        (PairNew, Lang::En) => "Pair a new screen",
        (PairCode, Lang::Id) => "Kode di layar",
        (PairCode, Lang::En) => "Code on the screen",
        (ScreenName, Lang::Id) => "Nama layar",
        (ScreenName, Lang::En) => "Screen name",
        (PanelsField, Lang::Id) => "Panel (mis. all,agencies)",
        (PanelsField, Lang::En) => "Panels (e.g. all,agencies)",
        (RotateField, Lang::Id) => "Rotasi panel (detik)",
        (RotateField, Lang::En) => "Panel rotation (seconds)",
        (Language, Lang::Id) => "Bahasa",
        (Language, Lang::En) => "Language",
        (PairedOk, Lang::Id) => "Layar dipasangkan.",
        (PairedOk, Lang::En) => "Screen paired.",
        (CodeInvalid, Lang::Id) => "Kode harus enam huruf atau angka.",
        (CodeInvalid, Lang::En) => "The code must be six letters or digits.",
        (CodeUnknown, Lang::Id) => "Kode tidak dikenal atau sudah kedaluwarsa.",
        (CodeUnknown, Lang::En) => "Unknown or expired code.",
        (RequestFailed, Lang::Id) => "Permintaan gagal. Coba lagi.",
        (RequestFailed, Lang::En) => "The request failed. Try again.",
        (NameRequired, Lang::Id) => "Nama layar wajib diisi.",
        (NameRequired, Lang::En) => "The screen needs a name.",
        (Layout, Lang::Id) => "Tata letak",
        (Layout, Lang::En) => "Layout",
        (PairedAt, Lang::Id) => "Dipasangkan",
        (PairedAt, Lang::En) => "Paired",
        (LastSeen, Lang::Id) => "Terakhir terlihat",
        (LastSeen, Lang::En) => "Last seen",
        (Never, Lang::Id) => "belum pernah",
        (Never, Lang::En) => "never",
        (Actions, Lang::Id) => "Tindakan",
        (Actions, Lang::En) => "Actions",
        (Rename, Lang::Id) => "Ganti nama",
        (Rename, Lang::En) => "Rename",
        (Save, Lang::Id) => "Simpan",
        (Save, Lang::En) => "Save",
        (Cancel, Lang::Id) => "Batal",
        (Cancel, Lang::En) => "Cancel",
        (Revoke, Lang::Id) => "Cabut",
        (Revoke, Lang::En) => "Revoke",
        (RevokeConfirm, Lang::Id) => {
            "Cabut akses layar ini? Layar akan berhenti menampilkan data dan kembali ke kode pemasangan."
        }
        (RevokeConfirm, Lang::En) => "Revoke this screen? It stops showing data and goes back to a pairing code.",
        (NoScreens, Lang::Id) => "Belum ada layar yang dipasangkan.",
        (NoScreens, Lang::En) => "No screens paired yet.",
    }
}

/// A locked-out sign-in's message: try again in `minutes` (rounded up; unknown: "later").
pub fn locked_out(lang: Lang, minutes: Option<u64>) -> String {
    match (lang, minutes) {
        (Lang::Id, Some(m)) => format!("Terlalu banyak percobaan gagal. Coba lagi dalam {m} menit."),
        (Lang::Id, None) => "Terlalu banyak percobaan gagal. Coba lagi nanti.".into(),
        (Lang::En, Some(m)) => format!("Too many failed attempts. Try again in {m} min."),
        (Lang::En, None) => "Too many failed attempts. Try again later.".into(),
    }
}

/// A role's name (the wire name `executive` reads `Pimpinan`); unknown roles as they are.
pub fn role(lang: Lang, role: &str) -> String {
    let names = match role {
        "viewer" => ("Pemantau", "Viewer"),
        "operator" => ("Operator", "Operator"),
        "supervisor" => ("Supervisor", "Supervisor"),
        "executive" => ("Pimpinan", "Executive"),
        "admin" => ("Admin", "Admin"),
        "superadmin" => ("Superadmin", "Superadmin"),
        other => return other.to_owned(),
    };
    match lang {
        Lang::Id => names.0.to_owned(),
        Lang::En => names.1.to_owned(),
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
        (Merged, Lang::Id) => "Digabung",
        (Merged, Lang::En) => "Merged",
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
        assert_eq!(role(Lang::Id, "executive"), "Pimpinan");
        assert_eq!(role(Lang::En, "executive"), "Executive");
        assert_eq!(role(Lang::En, "auditor"), "auditor");
        assert!(locked_out(Lang::Id, Some(3)).contains("3 menit"));
        assert!(locked_out(Lang::En, None).ends_with("later."));
    }
}
