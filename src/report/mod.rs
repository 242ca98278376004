//! Purpose: the funnel report — what `leadbot report`, `/admin` and the benchmark show: the
//! funnel, drop-off per question, speed, reps and money, each figure computed in SQL on
//! SQLite and PostgreSQL alike.

pub mod costs;
