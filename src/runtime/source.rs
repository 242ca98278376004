//! Purpose: where a lead came from on a chat platform — the slash command or the qualification
//! channel that started its dialogue — recorded like the message API's `source` (first touch
//! wins), so `leadbot report --source` and the dashboard can slice Slack and Discord leads too.

use super::Runtime;
use crate::store::outcomes::LeadSource;

impl Runtime {
    /// Records `source` (e.g. `slack:/qualify`, `discord:#123`) for `lead_id` unless the lead
    /// has one already. The turn is stored by then: a failure here is logged, not returned.
    pub async fn remember_platform_source(&self, lead_id: i64, source: &str, now_ms: i64) {
        let source = LeadSource {
            source: Some(source.to_string()),
            ..LeadSource::default()
        };
        if let Err(error) = self
            .store()
            .record_lead_source(lead_id, &source, now_ms)
            .await
        {
            tracing::warn!(lead_id, %error, "the lead's platform source was not stored");
        }
    }
}
