//! The HTTP server's accept loop (in place of `axum::serve`, which exposes no timeouts):
//! every accepted connection is first admitted by the connection [`table`] (total and per
//! remote address; over a limit it gets a [`refuse`]d answer on the raw socket), then served
//! by hyper's HTTP/1.1 connection with upgrades (WebSockets) and a header read timeout (a
//! connection whose request headers — or, when idle between requests, whose next request's
//! headers — have not arrived in time is closed), with request bodies held to a minimum
//! rate by [`body_rate`]. A connection keeps its place in the table until its socket is
//! closed, upgraded or not. On shutdown: no more accepts, each connection finishes its
//! request in flight, and the loop returns once every connection task has ended.

pub mod body_rate;
pub mod refuse;
pub mod table;

use crate::config::ServeConfig;
use crate::shutdown::Shutdown;
use axum::serve::Listener;
use axum::Router;
use body_rate::BodyRate;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use table::{Limits, Slot, Table};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;

/// The connection settings, from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub limits: Limits,
    pub header_timeout: Duration,
    pub body_rate: BodyRate,
}

impl Settings {
    pub fn from_config(config: &ServeConfig) -> Settings {
        let total = match config.max_connections {
            0 => table::auto_total(open_files_limit()),
            n => n,
        };
        Settings {
            limits: Limits {
                total,
                per_addr: config.max_connections_per_addr,
                limit_loopback: config.limit_loopback,
            },
            header_timeout: Duration::from_secs(config.header_timeout_secs.max(1)),
            body_rate: BodyRate {
                min_rate: config.body_min_rate,
                grace: Duration::from_secs(config.body_grace_secs),
            },
        }
    }
}

/// The soft limit on open files of this process (`/proc/self/limits`; 1024 if unknown).
fn open_files_limit() -> u64 {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1024)
}

/// Serve `app` on `listener` until `shutdown`, then wait for the connections in flight.
pub async fn serve<L>(mut listener: L, app: Router, settings: Settings, mut shutdown: Shutdown)
where
    L: Listener<Io = TcpStream, Addr = SocketAddr>,
{
    tracing::info!(
        max_connections = settings.limits.total,
        max_connections_per_addr = settings.limits.per_addr,
        limit_loopback = settings.limits.limit_loopback,
        header_timeout_secs = settings.header_timeout.as_secs(),
        body_min_rate = settings.body_rate.min_rate,
        "connection limits"
    );
    let rate = settings.body_rate;
    let app = app.layer(axum::middleware::from_fn(move |req, next| {
        body_rate::enforce(rate, req, next)
    }));
    let table = Table::new(settings.limits);
    let refuser = refuse::Refuser::default();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(settings.header_timeout);
    // Every connection task holds a receiver; the loop ends when the last is dropped.
    let (all_closed, open) = watch::channel(());
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait() => break,
        };
        let slot = match table.admit(peer.ip()) {
            Ok(slot) => slot,
            Err(refusal) => {
                refuser.refuse(tcp, peer, refusal);
                continue;
            }
        };
        let io = TokioIo::new(Counted {
            tcp,
            _slot: slot,
            _gauge: crate::metrics::ConnectionOpen::new(),
        });
        let service = TowerToHyperService::new(app.clone());
        let conn = http.serve_connection(io, service).with_upgrades();
        let (mut stop, open) = (shutdown.clone(), open.clone());
        tokio::spawn(async move {
            let mut conn = std::pin::pin!(conn);
            let result = tokio::select! {
                result = conn.as_mut() => result,
                _ = stop.wait() => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                if e.is_timeout() {
                    crate::metrics::connection_timed_out("headers");
                }
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            drop(open);
        });
    }
    drop(open);
    drop(listener);
    all_closed.closed().await;
}

/// An accepted socket holding its place in the connection table until it is dropped
/// (after hyper is done with it, or after the WebSocket it was upgraded to ends).
struct Counted {
    tcp: TcpStream,
    _slot: Slot,
    _gauge: crate::metrics::ConnectionOpen,
}

impl AsyncRead for Counted {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
}
