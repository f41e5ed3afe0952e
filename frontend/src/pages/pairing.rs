//! `/wall` before pairing: a six-character code, large enough to read across the room, and
//! one line of instructions in each language. The screen polls every [`POLL_MS`]; a code
//! that expires (or that the server no longer knows) is replaced by a fresh one; once an
//! admin enters it, the screen gets its display token, tenant and layout, and the caller
//! shows the wall.

use crate::api::{self, Failure, Method};
use crate::screens::{display_code, StoredScreen};
use crate::time::{self, countdown};
use leptos::prelude::*;
use leptos::task::spawn_local;
use pantau_shared::auth::{PairingPoll, PairingStart};
use std::time::Duration;

/// How often the screen asks whether it has been paired, ms.
const POLL_MS: u32 = 2_000;
/// Wait before asking for a code again when the server is unreachable, ms.
const RETRY_MS: u32 = 5_000;

/// What the screen shows.
#[derive(Clone, Debug, PartialEq)]
enum Shown {
    /// Asking for a code.
    Starting,
    /// A code, valid until `expires_ms` (local clock).
    Code { code: String, expires_ms: f64 },
    /// The server is unreachable; trying again.
    Offline,
}

/// Ask for codes and poll until paired; then `on_paired`. Runs for the page's lifetime.
async fn pair(shown: RwSignal<Shown>, on_paired: impl Fn(StoredScreen)) {
    loop {
        let start = match api::send::<(), PairingStart>(Method::Post, "/api/v1/screens/pairing", None, None).await {
            Ok(Some(start)) => start,
            _ => {
                shown.set(Shown::Offline);
                api::sleep(RETRY_MS).await;
                continue;
            }
        };
        let expires_ms = time::now_ms() + start.expires_in_secs as f64 * 1000.0;
        shown.set(Shown::Code {
            code: start.code,
            expires_ms,
        });
        let poll_path = format!("/api/v1/screens/pairing/{}", crate::url::encode(&start.poll));
        while time::now_ms() < expires_ms {
            api::sleep(POLL_MS).await;
            match api::get::<PairingPoll>(&poll_path).await {
                Ok(PairingPoll::Waiting) => {}
                Ok(PairingPoll::Paired { token, tenant, layout }) => {
                    on_paired(StoredScreen { token, tenant, layout });
                    return;
                }
                // Expired or answered already: a new code.
                Err(Failure::Status { status: 404 | 410, .. }) => break,
                // Unreachable for a moment: the code may still be good.
                Err(_) => {}
            }
        }
    }
}

#[component]
pub fn PairingPage(on_paired: impl Fn(StoredScreen) + 'static) -> impl IntoView {
    let shown = RwSignal::new(Shown::Starting);
    spawn_local(pair(shown, on_paired));
    let now = RwSignal::new(time::now_ms());
    let tick = set_interval_with_handle(move || now.set(time::now_ms()), Duration::from_secs(1));
    on_cleanup(move || {
        if let Ok(handle) = tick {
            handle.clear();
        }
    });
    let code = move || match shown.get() {
        Shown::Code { code, .. } => display_code(&code),
        _ => "··· ···".into(),
    };
    let raw_code = move || match shown.get() {
        Shown::Code { code, .. } => code,
        _ => String::new(),
    };
    let remaining = move || match shown.get() {
        Shown::Code { expires_ms, .. } => {
            let secs = ((expires_ms - now.get()) / 1000.0).ceil().max(0.0) as i64;
            format!("Kode baru dalam / New code in {}", countdown(secs))
        }
        Shown::Offline => "Menghubungkan ke server… / Connecting to the server…".into(),
        Shown::Starting => String::new(),
    };
    view! {
        <main class="page pairing" data-testid="pairing">
            <div class="pairing-brand">"PANTAU"</div>
            <h1 class="pairing-code" data-testid="pairing-code" data-code=raw_code aria-live="polite">
                {code}
            </h1>
            <p class="pairing-hint" lang="id" data-testid="pairing-hint-id">
                "Buka Pantau → Layar, masukkan kode ini"
            </p>
            <p class="pairing-hint pairing-hint-en" lang="en" data-testid="pairing-hint-en">
                "Open Pantau → Screens, enter this code"
            </p>
            <p class="pairing-expiry" data-testid="pairing-expiry">{remaining}</p>
        </main>
    }
}
