//! Purpose: send a turn's writes to the database in one round trip — each one a thread hop to
//! sqlx's SQLite worker or a network round trip to PostgreSQL. SQLite runs them as one
//! multi-statement query (sqlx binds `$N` of every statement against one argument list);
//! PostgreSQL runs them as one statement of data-modifying CTEs. Every value is bound: the SQL
//! text is the statements' own, with renumbered placeholders.

use std::fmt::Write;

use sqlx::AnyConnection;

use super::{Backend, StoreError};

/// A value bound to a batched statement.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Arg {
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
    /// Text or NULL.
    OptionalText(Option<String>),
    /// An integer or NULL.
    OptionalInt(Option<i64>),
}

impl From<i64> for Arg {
    fn from(value: i64) -> Self {
        Arg::Int(value)
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg::Text(value.to_string())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg::Text(value)
    }
}

impl From<Option<i64>> for Arg {
    fn from(value: Option<i64>) -> Self {
        Arg::OptionalInt(value)
    }
}

impl From<Option<String>> for Arg {
    fn from(value: Option<String>) -> Self {
        Arg::OptionalText(value)
    }
}

/// One statement of a batch: an UPDATE, or an INSERT whose rows are gathered into one
/// multi-row VALUES list (so rows keep their order: PostgreSQL runs CTEs in no set order).
#[derive(Debug)]
struct Statement {
    sql: &'static str,
    tail: &'static str,
    rows: Vec<Vec<Arg>>,
    is_insert: bool,
}

/// Write statements (INSERT / UPDATE, no result rows) to run together.
#[derive(Debug, Default)]
pub(super) struct Batch {
    statements: Vec<Statement>,
}

impl Batch {
    /// Adds a row to `INSERT INTO t (…) VALUES`, each row's parameters `$1…$n`; `tail` follows
    /// the VALUES list (e.g. an ON CONFLICT clause). Rows of one insert stay in order.
    pub fn insert(&mut self, head: &'static str, tail: &'static str, row: Vec<Arg>) {
        if let Some(statement) = self.statements.iter_mut().find(|statement| {
            statement.is_insert && statement.sql == head && statement.tail == tail
        }) {
            statement.rows.push(row);
            return;
        }
        self.statements.push(Statement {
            sql: head,
            tail,
            rows: vec![row],
            is_insert: true,
        });
    }

    /// Adds a statement whose parameters are `$1…$n` of `args`.
    pub fn update(&mut self, sql: &'static str, args: Vec<Arg>) {
        self.statements.push(Statement {
            sql,
            tail: "",
            rows: vec![args],
            is_insert: false,
        });
    }

    /// The whole batch as one SQL text with its arguments, parameters renumbered.
    fn render(&self, backend: Backend) -> (String, Vec<Arg>) {
        let mut sql = String::new();
        let mut args: Vec<Arg> = Vec::new();
        let last = self.statements.len().saturating_sub(1);
        for (index, statement) in self.statements.iter().enumerate() {
            let mut text = String::from(statement.sql);
            if statement.is_insert {
                for (row_index, row) in statement.rows.iter().enumerate() {
                    let placeholders: Vec<String> = (1..=row.len())
                        .map(|n| format!("${}", n + args.len()))
                        .collect();
                    let separator = if row_index == 0 { " " } else { ", " };
                    let _ = write!(text, "{separator}({})", placeholders.join(", "));
                    args.extend(row.iter().cloned());
                }
                if !statement.tail.is_empty() {
                    text.push(' ');
                    text.push_str(statement.tail);
                }
            } else {
                text = renumber(statement.sql, args.len());
                args.extend(statement.rows.iter().flatten().cloned());
            }
            match backend {
                Backend::Sqlite => {
                    sql.push_str(&text);
                    sql.push_str(";\n");
                }
                Backend::Postgres if index < last => {
                    let prefix = if index == 0 { "WITH" } else { "," };
                    let _ = writeln!(sql, "{prefix} w{index} AS ({text})");
                }
                Backend::Postgres => sql.push_str(&text),
            }
        }
        (sql, args)
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Runs the batch on `connection`, SQLite's between `opening` and `closing` SQL (a
    /// savepoint's), all in one round trip.
    pub async fn execute(
        &self,
        connection: &mut AnyConnection,
        backend: Backend,
        opening: &str,
        closing: &str,
    ) -> Result<(), StoreError> {
        let (sql, args) = if self.statements.is_empty() {
            (String::new(), Vec::new())
        } else {
            self.render(backend)
        };
        let sql = if opening.is_empty() && closing.is_empty() {
            sql
        } else {
            format!("{opening}{sql}{closing}")
        };
        if sql.is_empty() {
            return Ok(());
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for arg in args {
            query = match arg {
                Arg::Int(value) => query.bind(value),
                Arg::Text(value) => query.bind(value),
                Arg::OptionalText(value) => query.bind(value),
                Arg::OptionalInt(value) => query.bind(value),
            };
        }
        query.execute(connection).await?;
        Ok(())
    }
}

/// Shifts every `$N` in `sql` by `offset`.
fn renumber(sql: &str, offset: usize) -> String {
    if offset == 0 {
        return sql.to_string();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some((_, d)) = chars.peek().copied().filter(|(_, d)| d.is_ascii_digit()) {
            digits.push(d);
            chars.next();
        }
        match digits.parse::<usize>() {
            Ok(number) => {
                let _ = write!(out, "${}", number + offset);
            }
            Err(_) => out.push('$'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_renumbered_across_statements() {
        assert_eq!(renumber("VALUES ($1, $2, $10)", 3), "VALUES ($4, $5, $13)");
        assert_eq!(renumber("no params", 5), "no params");
    }

    #[test]
    fn rows_of_one_insert_are_gathered_and_postgres_gets_ctes() {
        let mut batch = Batch::default();
        batch.insert("INSERT INTO a (x) VALUES", "", vec![Arg::Int(1)]);
        batch.insert(
            "INSERT INTO b (y, z) VALUES",
            "ON CONFLICT DO NOTHING",
            vec!["p".into(), Arg::Int(2)],
        );
        batch.insert("INSERT INTO a (x) VALUES", "", vec![Arg::Int(3)]);
        batch.update(
            "UPDATE c SET v = $1 WHERE w = $2",
            vec![Arg::OptionalText(None), Arg::Int(4)],
        );
        let (sqlite, args) = batch.render(Backend::Sqlite);
        assert_eq!(
            sqlite,
            "INSERT INTO a (x) VALUES ($1), ($2);\nINSERT INTO b (y, z) VALUES ($3, $4) ON CONFLICT DO NOTHING;\nUPDATE c SET v = $5 WHERE w = $6;\n"
        );
        assert_eq!(args[1], Arg::Int(3));
        assert_eq!(args.len(), 6);
        let (postgres, _) = batch.render(Backend::Postgres);
        assert_eq!(
            postgres,
            "WITH w0 AS (INSERT INTO a (x) VALUES ($1), ($2))\n, w1 AS (INSERT INTO b (y, z) VALUES ($3, $4) ON CONFLICT DO NOTHING)\nUPDATE c SET v = $5 WHERE w = $6"
        );
    }
}
