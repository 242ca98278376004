//! Gateway frames and REST objects in Discord's real shapes (API v10), written for these tests
//! after Discord's documentation: the message object, the extra MESSAGE_CREATE fields of guild
//! messages, interaction objects of type 2 (command) and 3 (component), READY.

use serde_json::{Value, json};

/// Milliseconds from the Unix epoch to Discord's epoch (2015-01-01).
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// A snowflake made at `unix_ms`, distinguished by `counter`.
pub fn snowflake(unix_ms: u64, counter: u64) -> u64 {
    ((unix_ms - DISCORD_EPOCH_MS) << 22) | (counter & 0x3f_ffff)
}

/// The ISO 8601 time of a snowflake, as Discord writes timestamps.
pub fn snowflake_timestamp(id: u64) -> String {
    let ms = (id >> 22) + DISCORD_EPOCH_MS;
    let time = chrono::DateTime::from_timestamp_millis(ms as i64).unwrap_or_default();
    time.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

/// A user object.
pub fn user(id: u64, name: &str, bot: bool) -> Value {
    let mut user = json!({
        "id": id.to_string(),
        "username": name.to_lowercase().replace(' ', "_"),
        "discriminator": "0",
        "global_name": name,
        "avatar": null,
        "public_flags": 0,
    });
    if bot {
        user["bot"] = json!(true);
    }
    user
}

/// A guild member object, as MESSAGE_CREATE carries it (without `user`).
pub fn partial_member() -> Value {
    json!({
        "roles": [],
        "premium_since": null,
        "pending": false,
        "nick": null,
        "mute": false,
        "joined_at": "2025-06-01T12:00:00.000000+00:00",
        "flags": 0,
        "deaf": false,
        "communication_disabled_until": null,
        "banner": null,
        "avatar": null,
    })
}

/// A message object. `guild_id` set: a guild message, with the MESSAGE_CREATE extras.
pub fn message(
    id: u64,
    channel_id: u64,
    author: Value,
    content: &str,
    guild_id: Option<u64>,
) -> Value {
    let mut message = json!({
        "type": 0,
        "tts": false,
        "timestamp": snowflake_timestamp(id),
        "pinned": false,
        "nonce": null,
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": false,
        "id": id.to_string(),
        "flags": 0,
        "embeds": [],
        "edited_timestamp": null,
        "content": content,
        "components": [],
        "channel_id": channel_id.to_string(),
        "author": author,
        "attachments": [],
    });
    if let Some(guild_id) = guild_id {
        message["guild_id"] = json!(guild_id.to_string());
        message["member"] = partial_member();
        message["channel_type"] = json!(0);
    } else {
        message["channel_type"] = json!(1);
    }
    message
}

/// INTERACTION_CREATE data of a click (type 3) on `message`'s component `custom_id`;
/// `values` for a select menu.
pub fn component_interaction(
    id: u64,
    application_id: u64,
    clicker: Value,
    message: Value,
    custom_id: &str,
    values: Option<Vec<String>>,
    guild_id: Option<u64>,
) -> Value {
    let channel_id = message["channel_id"].clone();
    let data = match values {
        None => json!({ "custom_id": custom_id, "component_type": 2 }),
        Some(values) => json!({ "custom_id": custom_id, "component_type": 3, "values": values }),
    };
    interaction(
        id,
        application_id,
        3,
        clicker,
        channel_id,
        data,
        guild_id,
        Some(message),
    )
}

/// INTERACTION_CREATE data of a slash command (type 2) without options.
pub fn command_interaction(
    id: u64,
    application_id: u64,
    command_id: u64,
    name: &str,
    caller: Value,
    channel_id: u64,
    guild_id: Option<u64>,
) -> Value {
    let data = json!({ "id": command_id.to_string(), "name": name, "type": 1 });
    interaction(
        id,
        application_id,
        2,
        caller,
        json!(channel_id.to_string()),
        data,
        guild_id,
        None,
    )
}

#[expect(
    clippy::too_many_arguments,
    reason = "one builder behind two public shapes"
)]
fn interaction(
    id: u64,
    application_id: u64,
    kind: u8,
    who: Value,
    channel_id: Value,
    data: Value,
    guild_id: Option<u64>,
    message: Option<Value>,
) -> Value {
    let channel_type = if guild_id.is_some() { 0 } else { 1 };
    let mut interaction = json!({
        "version": 1,
        "type": kind,
        "token": format!("aW50ZXJhY3Rpb246{id}:fake-interaction-token"),
        "locale": "en-US",
        "id": id.to_string(),
        "entitlements": [],
        "data": data,
        "context": if guild_id.is_some() { 0 } else { 1 },
        "channel_id": channel_id,
        "channel": { "id": channel_id, "type": channel_type },
        "authorizing_integration_owners": { "0": guild_id.unwrap_or(0).to_string() },
        "attachment_size_limit": 10_485_760,
        "application_id": application_id.to_string(),
        "app_permissions": "562949953601536",
    });
    match guild_id {
        Some(guild_id) => {
            let mut member = partial_member();
            member["user"] = who;
            member["permissions"] = json!("2248473465835073");
            interaction["member"] = member;
            interaction["guild_id"] = json!(guild_id.to_string());
            interaction["guild_locale"] = json!("en-US");
        }
        None => interaction["user"] = who,
    }
    if let Some(message) = message {
        interaction["message"] = message;
    }
    interaction
}

/// READY data for the bot.
pub fn ready(
    bot: &Value,
    application_id: u64,
    session_id: &str,
    resume_url: &str,
    shard: [u32; 2],
) -> Value {
    json!({
        "v": 10,
        "user_settings": {},
        "user": bot,
        "session_type": "normal",
        "session_id": session_id,
        "resume_gateway_url": resume_url,
        "relationships": [],
        "private_channels": [],
        "presences": [],
        "guilds": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["frankfurt"],
        "shard": shard,
        "application": { "id": application_id.to_string(), "flags": 8953856 },
        "_trace": ["[\"gateway-prd-fake\",{\"micros\":0.0}]"],
    })
}

/// A dispatch frame (op 0).
pub fn dispatch(seq: u64, event: &str, data: Value) -> Value {
    json!({ "t": event, "s": seq, "op": 0, "d": data })
}

/// HELLO (op 10).
pub fn hello(heartbeat_interval_ms: u64) -> Value {
    json!({ "t": null, "s": null, "op": 10, "d": { "heartbeat_interval": heartbeat_interval_ms, "_trace": ["[\"gateway-prd-fake\",{\"micros\":0.0}]"] } })
}

/// HEARTBEAT ACK (op 11).
pub fn heartbeat_ack() -> Value {
    json!({ "t": null, "s": null, "op": 11, "d": null })
}

/// RECONNECT (op 7).
pub fn reconnect() -> Value {
    json!({ "t": null, "s": null, "op": 7, "d": null })
}

/// INVALID SESSION (op 9).
pub fn invalid_session(resumable: bool) -> Value {
    json!({ "t": null, "s": null, "op": 9, "d": resumable })
}

/// The message object REST answers with after creating a message.
pub fn created_message(id: u64, channel_id: u64, bot: &Value, body: &Value) -> Value {
    let mut message = message(
        id,
        channel_id,
        bot.clone(),
        body["content"].as_str().unwrap_or(""),
        None,
    );
    message
        .as_object_mut()
        .map(|object| object.remove("channel_type"));
    message["components"] = body.get("components").cloned().unwrap_or(json!([]));
    message["embeds"] = body.get("embeds").cloned().unwrap_or(json!([]));
    message["nonce"] = body.get("nonce").cloned().unwrap_or(Value::Null);
    message
}
