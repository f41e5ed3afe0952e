//! What the executive page needs to know about its tenant beyond the KPI report: its name
//! and zone (`GET /api/v1/tenants`), and its kecamatan GeoJSON and agency names, which the
//! HTTP API does not serve on their own today: they travel in the wall's WebSocket snapshot
//! ([`TenantInfo`]). So the page opens `/ws` once, subscribes with a filter no ticket
//! matches (a bounding box at 0°, 0°, far from Indonesia), takes the snapshot's tenant and
//! closes: no tickets cross the wire. Should the API gain a tenant-info route, this is the
//! one place to change.

use pantau_shared::auth::TenantSummary;
use pantau_shared::protocol::{ClientMsg, Filters, ServerMsg, TenantInfo};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, WebSocket};

/// A filter that matches no ticket: the snapshot then carries only the tenant's description.
pub fn no_tickets() -> Filters {
    Filters {
        bbox: Some([0.0, 0.0, 0.0, 0.0]),
        ..Filters::default()
    }
}

/// `ws://host/ws` or `wss://host/ws` for the page's own origin.
fn socket_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/ws", location.host().ok()?))
}

/// The tenant's description from one snapshot, `None` when the socket refuses or fails.
/// The socket's three callbacks are leaked on purpose (`Closure::forget`): this runs once
/// per page load.
pub async fn tenant_info(tenant: &str) -> Option<TenantInfo> {
    let socket = WebSocket::new(&socket_url()?).ok()?;
    let subscribe = serde_json::to_string(&ClientMsg::Subscribe {
        tenant: tenant.to_owned(),
        since: None,
        filters: no_tickets(),
        token: None,
    })
    .ok()?;
    let got: Rc<RefCell<Option<TenantInfo>>> = Rc::default();
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let (open_socket, subscribe) = (socket.clone(), subscribe.clone());
        let on_open = Closure::<dyn FnMut()>::new(move || {
            let _ = open_socket.send_with_str(&subscribe);
        });
        let (done, into) = (resolve.clone(), got.clone());
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(text) = e.data().as_string() else { return };
            match pantau_shared::decode::server_msg(&text) {
                Ok(ServerMsg::Snapshot { tenant, .. }) => {
                    *into.borrow_mut() = Some(*tenant);
                    let _ = done.call0(&JsValue::NULL);
                }
                Ok(ServerMsg::Error { .. }) => {
                    let _ = done.call0(&JsValue::NULL);
                }
                _ => {}
            }
        });
        let on_close = Closure::<dyn FnMut()>::new(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        socket.set_onerror(Some(on_close.as_ref().unchecked_ref()));
        on_open.forget();
        on_message.forget();
        on_close.forget();
    });
    let _ = JsFuture::from(promise).await;
    socket.set_onclose(None);
    socket.set_onerror(None);
    socket.set_onmessage(None);
    let _ = socket.close();
    got.take()
}

/// The tenants this person may pick (`GET /api/v1/tenants`; empty when unreachable).
pub async fn tenants() -> Vec<TenantSummary> {
    crate::api::get::<Vec<TenantSummary>>("/api/v1/tenants")
        .await
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pantau_shared::fixtures::report;
    use pantau_shared::ticket::Ticket;

    /// The snapshot filter matches no ticket of the sample tenant, so none is sent.
    #[test]
    fn the_filter_matches_no_ticket() {
        let t = Ticket::open(&report("TGR-1", "sampah", "2026-11-23T03:00:00Z")).unwrap();
        assert!(Filters::default().matches(&t));
        assert!(!no_tickets().matches(&t));
        assert!(!no_tickets().is_empty(), "an empty filter would mean every ticket");
    }
}
