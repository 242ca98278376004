//! Purpose: the Discord channel — prospects qualify in a DM with the bot or in a thread the bot
//! opens in a qualification channel; choices are buttons or select menus; reps get hand-offs as
//! embeds with Accept / Pass. serenity runs the gateway; replies and hand-offs leave through
//! the outbox (destination `discord`).
//!
//! Conversation addresses: `dm:<user id>` for DMs, `thread:<thread id>:<user id>` for a thread
//! opened from the prospect's message (see [`ids::ProspectAddress`]).

mod catch_up;
pub mod config;
mod deliver;
mod gateway;
pub mod ids;
pub mod inbound;
pub mod render;
mod rest;

use std::sync::Arc;
use std::time::Duration;

use serenity::all::{ApplicationId, ClientBuilder, GatewayIntents, ShardManager};
use serenity::http::HttpBuilder;

pub use config::{CommandScope, ConfigError, DiscordConfig, Shards};
pub use deliver::{DiscordDelivery, nonce};
pub use gateway::{Gateway, Handler, QUALIFY_COMMAND};
pub use inbound::snowflake_time;
pub use rest::{Rest, RestError, RestReply};

use crate::delivery::{RetryPolicy, Workers};
use crate::runtime::Runtime;

/// What can stop the Discord channel from starting.
#[derive(Debug, thiserror::Error)]
pub enum DiscordError {
    /// The HTTP client could not be built.
    #[error("cannot build the Discord HTTP client: {0}")]
    Http(String),
    /// serenity refused to build the gateway client.
    #[error("cannot build the Discord gateway client: {0}")]
    Client(String),
}

/// The intents leadbot asks for: DMs and guild messages, plus message text in guilds when
/// allowed (MESSAGE_CONTENT is privileged; without it only DMs, mentions and clicks carry text).
pub fn intents(message_content: bool) -> GatewayIntents {
    let intents = GatewayIntents::DIRECT_MESSAGES | GatewayIntents::GUILD_MESSAGES;
    if message_content {
        intents | GatewayIntents::MESSAGE_CONTENT
    } else {
        intents
    }
}

/// The bot permissions the invite URL asks for: view channels, send messages, embed links,
/// read message history, create public threads, send messages in threads.
pub const INVITE_PERMISSIONS: u64 = 309_237_730_304;

/// The URL that adds the bot (with `/qualify`) to a server with [`INVITE_PERMISSIONS`].
pub fn invite_url(application_id: u64) -> String {
    format!(
        "https://discord.com/oauth2/authorize?client_id={application_id}&scope=bot+applications.commands&permissions={INVITE_PERMISSIONS}"
    )
}

/// The Discord delivery worker's retry policy: chat replies are retried sooner than webhooks,
/// and a reply held behind an earlier one may wait several rounds. `lease`: how long a claimed
/// item stays with this process.
pub fn retry_policy(lease: Duration) -> RetryPolicy {
    RetryPolicy {
        first_backoff: Duration::from_secs(1),
        max_backoff: Duration::from_secs(300),
        max_attempts: 30,
        lease,
        poll: Duration::from_secs(1),
    }
}

/// A running Discord channel.
pub struct DiscordChannel {
    /// Stops the shards.
    pub shards: Arc<ShardManager>,
}

/// The gateway's name in `/readyz`: not ready until a shard is READY.
const HEALTH: &str = "discord";

/// Starts the gateway shards and the delivery worker in the background.
pub async fn start(
    runtime: Runtime,
    config: DiscordConfig,
    workers: &Workers,
    lease: Duration,
) -> Result<DiscordChannel, DiscordError> {
    crate::health::expect(HEALTH);
    let rest = Arc::new(
        Rest::new(
            &config.token,
            config.api_url.clone(),
            Duration::from_secs(10),
        )
        .map_err(|error| DiscordError::Http(error.without_url().to_string()))?,
    );
    let mut http = HttpBuilder::new(config.token.expose());
    if let Some(url) = &config.api_url {
        // serenity honours a proxy only with its rate limiter off; leadbot's own REST client
        // handles 429s either way.
        http = http.proxy(url.clone()).ratelimiter_disabled(true);
    }
    if let Some(id) = config.application_id {
        http = http.application_id(ApplicationId::new(id));
    }
    let gateway = Arc::new(Gateway::new(
        runtime.clone(),
        rest.clone(),
        &config.channels,
        config.commands.clone(),
        config.application_id,
        config.retry_for,
    ));
    let mut client = ClientBuilder::new_with_http(http.build(), intents(config.message_content))
        .event_handler(Handler(gateway))
        .await
        .map_err(|error| DiscordError::Client(error.to_string()))?;
    let shards = client.shard_manager.clone();
    let Shards { first, last, total } = config.shards;
    tokio::spawn(async move {
        // serenity treats the range's end as the last shard to run (inclusive).
        let result = client.start_shard_range(first..last, total).await;
        if let Err(error) = result {
            tracing::error!(%error, "the Discord gateway client stopped");
        }
    });
    workers.deliver(
        runtime.store(),
        ids::CHANNEL,
        DiscordDelivery::new(rest, config.sales_channel, retry_policy(lease)),
        &runtime.outbox_wake(),
        retry_policy(lease),
    );
    Ok(DiscordChannel { shards })
}

#[cfg(test)]
mod tests {
    use serenity::all::Permissions;

    use super::*;

    #[test]
    fn the_invite_asks_for_exactly_what_leadbot_uses() {
        let wanted = Permissions::VIEW_CHANNEL
            | Permissions::SEND_MESSAGES
            | Permissions::EMBED_LINKS
            | Permissions::READ_MESSAGE_HISTORY
            | Permissions::CREATE_PUBLIC_THREADS
            | Permissions::SEND_MESSAGES_IN_THREADS;
        assert_eq!(INVITE_PERMISSIONS, wanted.bits());
        assert!(
            invite_url(42)
                .ends_with("client_id=42&scope=bot+applications.commands&permissions=309237730304")
        );
    }

    #[test]
    fn message_content_is_asked_for_only_when_allowed() {
        assert_eq!(intents(true).bits(), (1 << 9) | (1 << 12) | (1 << 15));
        assert_eq!(intents(false).bits(), (1 << 9) | (1 << 12));
    }
}
