//! Pushes the audit log's signed checkpoints to an endpoint (a SIEM, a
//! WORM store, a witness), so that a copy lives outside the node.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

/// Notes waiting to be pushed, at most; older ones are dropped (they stay
/// in the store and the file).
const PUSH_QUEUE: usize = 1024;

/// Starts pushing to `url` (trusting `roots`) on the current runtime; the
/// audit log offers its notes to the returned sender.
pub fn start(url: String, roots: Arc<rustls::RootCertStore>) -> mpsc::Sender<String> {
    let (tx, rx) = mpsc::channel(PUSH_QUEUE);
    tokio::spawn(push(url, roots, rx));
    tx
}

/// Pushes checkpoints in order, retrying each until the endpoint takes it.
async fn push(url: String, roots: Arc<rustls::RootCertStore>, mut rx: mpsc::Receiver<String>) {
    while let Some(note) = rx.recv().await {
        let mut delay = Duration::from_secs(1);
        loop {
            match crate::https::request(
                "POST",
                &url,
                Some("text/plain; charset=utf-8"),
                note.as_bytes(),
                roots.clone(),
                Duration::from_secs(10),
            )
            .await
            {
                Ok((status, _)) if (200..300).contains(&status) => break,
                Ok((status, _)) => {
                    tracing::error!(%url, status, "the checkpoint endpoint refused a checkpoint; retrying")
                }
                Err(e) => tracing::error!(error = %e, "cannot push a checkpoint; retrying"),
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(300));
        }
    }
}
