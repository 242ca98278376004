//! Purpose: the schema migrations, embedded in the binary, one folder per backend.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

use super::Backend;

const SQLITE: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        "fewer pages per turn",
        include_str!("../../migrations/sqlite/0002_fewer_pages_per_turn.sql"),
    ),
    (
        3,
        "routing and timers",
        include_str!("../../migrations/sqlite/0003_routing_and_timers.sql"),
    ),
    (
        4,
        "history without foreign keys",
        include_str!("../../migrations/sqlite/0004_history_without_foreign_keys.sql"),
    ),
    // 5 is PostgreSQL's turn-start function; SQLite has no counterpart.
    (
        6,
        "served destinations",
        include_str!("../../migrations/sqlite/0006_served_destinations.sql"),
    ),
    (
        7,
        "outbox ordering key",
        include_str!("../../migrations/sqlite/0007_outbox_ordering_key.sql"),
    ),
    (
        10,
        "script versions by content",
        include_str!("../../migrations/sqlite/0010_script_versions_by_content.sql"),
    ),
    (
        20,
        "outcomes and sources",
        include_str!("../../migrations/sqlite/0020_outcomes_and_sources.sql"),
    ),
    (
        21,
        "report indexes",
        include_str!("../../migrations/sqlite/0021_report_indexes.sql"),
    ),
    (
        30,
        "one lead per person",
        include_str!("../../migrations/sqlite/0030_one_lead_per_person.sql"),
    ),
    (
        31,
        "meetings",
        include_str!("../../migrations/sqlite/0031_meetings.sql"),
    ),
    (
        33,
        "hand-off cards",
        include_str!("../../migrations/sqlite/0033_handoff_cards.sql"),
    ),
    (
        34,
        "report rollups",
        include_str!("../../migrations/sqlite/0034_report_rollups.sql"),
    ),
    (
        35,
        "report cube",
        include_str!("../../migrations/sqlite/0035_report_cube.sql"),
    ),
];

const POSTGRES: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../../migrations/postgres/0001_initial.sql"),
    ),
    (
        2,
        "fewer pages per turn",
        include_str!("../../migrations/postgres/0002_fewer_pages_per_turn.sql"),
    ),
    (
        3,
        "routing and timers",
        include_str!("../../migrations/postgres/0003_routing_and_timers.sql"),
    ),
    (
        4,
        "history without foreign keys",
        include_str!("../../migrations/postgres/0004_history_without_foreign_keys.sql"),
    ),
    (
        5,
        "turn start function",
        include_str!("../../migrations/postgres/0005_turn_start_function.sql"),
    ),
    (
        6,
        "served destinations",
        include_str!("../../migrations/postgres/0006_served_destinations.sql"),
    ),
    (
        7,
        "outbox ordering key",
        include_str!("../../migrations/postgres/0007_outbox_ordering_key.sql"),
    ),
    (
        10,
        "script versions by content",
        include_str!("../../migrations/postgres/0010_script_versions_by_content.sql"),
    ),
    (
        20,
        "outcomes and sources",
        include_str!("../../migrations/postgres/0020_outcomes_and_sources.sql"),
    ),
    (
        21,
        "report indexes",
        include_str!("../../migrations/postgres/0021_report_indexes.sql"),
    ),
    (
        30,
        "one lead per person",
        include_str!("../../migrations/postgres/0030_one_lead_per_person.sql"),
    ),
    (
        31,
        "meetings",
        include_str!("../../migrations/postgres/0031_meetings.sql"),
    ),
    (
        33,
        "hand-off cards",
        include_str!("../../migrations/postgres/0033_handoff_cards.sql"),
    ),
    (
        34,
        "report rollups",
        include_str!("../../migrations/postgres/0034_report_rollups.sql"),
    ),
    (
        35,
        "report cube",
        include_str!("../../migrations/postgres/0035_report_cube.sql"),
    ),
];

fn list(backend: Backend) -> &'static [(i64, &'static str, &'static str)] {
    match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    }
}

/// The migrator for a backend.
pub(super) fn migrator(backend: Backend) -> Migrator {
    Migrator::with_migrations(
        list(backend)
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    sqlx::AssertSqlSafe(*sql).into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

/// The newest schema version this build knows.
pub(super) fn latest_version(backend: Backend) -> i64 {
    list(backend)
        .iter()
        .map(|(version, _, _)| *version)
        .max()
        .unwrap_or(0)
}
