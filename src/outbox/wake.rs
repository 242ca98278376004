//! Purpose: waking the delivery workers of this process the moment a commit queued outbox
//! items, so a reply or hand-off leaves within moments of the turn that caused it.

use tokio::sync::watch;

/// Wakes every delivery worker of this process after a commit that queued outbox items. Unlike
/// a `Notify`, no wake-up is lost and every worker sees each one.
#[derive(Debug, Clone)]
pub struct OutboxWake {
    sender: std::sync::Arc<watch::Sender<u64>>,
}

impl Default for OutboxWake {
    fn default() -> Self {
        OutboxWake {
            sender: std::sync::Arc::new(watch::channel(0).0),
        }
    }
}

impl OutboxWake {
    /// Wakes every worker.
    pub fn notify(&self) {
        self.sender
            .send_modify(|generation| *generation = generation.wrapping_add(1));
    }

    /// A handle a worker waits on.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.sender.subscribe()
    }
}
