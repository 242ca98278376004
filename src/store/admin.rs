//! Purpose: the dashboard's lead list — leads filtered, searched (name, company, e-mail),
//! sorted and cut into pages by the database.

use sqlx::Row;

use super::leads::{LEAD_COLUMNS, LeadSummary, summary};
use super::{Store, StoreError};

/// How the lead list is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LeadOrder {
    /// Most recently active first.
    #[default]
    Updated,
    /// Newest first.
    Created,
    /// Highest score first.
    Score,
}

impl LeadOrder {
    /// From the query string's `sort`.
    pub fn from_name(name: &str) -> LeadOrder {
        match name {
            "created" => LeadOrder::Created,
            "score" => LeadOrder::Score,
            _ => LeadOrder::Updated,
        }
    }

    fn sql(self) -> &'static str {
        match self {
            LeadOrder::Updated => "l.updated_at DESC, l.id DESC",
            LeadOrder::Created => "l.created_at DESC, l.id DESC",
            LeadOrder::Score => "l.score DESC, l.id DESC",
        }
    }
}

/// Which page of which leads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadQuery {
    /// Only this stage.
    pub stage: Option<String>,
    /// Only this channel.
    pub channel: Option<String>,
    /// Only this source.
    pub source: Option<String>,
    /// Name, company or e-mail containing this (case-insensitive).
    pub search: Option<String>,
    /// Order.
    pub order: LeadOrder,
    /// Page, from 0.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
}

impl Store {
    /// One page of leads and how many match in all.
    pub async fn lead_page(
        &self,
        query: &LeadQuery,
    ) -> Result<(Vec<LeadSummary>, i64), StoreError> {
        let mut conditions = vec!["l.forgotten_at IS NULL".to_string()];
        let mut binds: Vec<String> = Vec::new();
        // Each `?` of a condition is a parameter of its own, bound to the condition's value.
        let mut add = |condition: &str, value: String| {
            let mut numbered = String::new();
            for (index, part) in condition.split('?').enumerate() {
                if index > 0 {
                    binds.push(value.clone());
                    numbered.push_str(&format!("${}", binds.len()));
                }
                numbered.push_str(part);
            }
            conditions.push(numbered);
        };
        if let Some(stage) = &query.stage {
            add("l.stage = ?", stage.clone());
        }
        if let Some(channel) = &query.channel {
            add("l.channel = ?", channel.clone());
        }
        if let Some(source) = &query.source {
            add(
                "EXISTS (SELECT 1 FROM lead_sources s WHERE s.lead_id = l.id AND s.source = ?)",
                source.clone(),
            );
        }
        if let Some(search) = &query.search {
            let escaped = search
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            add(
                "(LOWER(COALESCE(l.name, '')) LIKE ? ESCAPE '\\' \
                 OR LOWER(COALESCE(l.company, '')) LIKE ? ESCAPE '\\' \
                 OR LOWER(COALESCE(l.email, '')) LIKE ? ESCAPE '\\')",
                format!("%{escaped}%"),
            );
        }
        let filter = conditions.join(" AND ");
        let bind_all = |sql: String| {
            let mut statement = sqlx::query(sqlx::AssertSqlSafe(sql));
            for value in &binds {
                statement = statement.bind(value.clone());
            }
            statement
        };
        let total: i64 = bind_all(format!("SELECT COUNT(*) AS n FROM leads l WHERE {filter}"))
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        let per_page = query.per_page.clamp(1, 200);
        let offset = query.page.max(0) * per_page;
        let rows = bind_all(format!(
            "SELECT {LEAD_COLUMNS} FROM leads l WHERE {filter} ORDER BY {} LIMIT {per_page} OFFSET {offset}",
            query.order.sql()
        ))
        .fetch_all(self.pool())
        .await?;
        let leads = rows.iter().map(summary).collect::<Result<Vec<_>, _>>()?;
        Ok((leads, total))
    }

    /// The lead a hand-off is about, if the hand-off exists.
    pub async fn handoff_lead(&self, handoff_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT lead_id FROM assignments WHERE id = $1")
                .bind(handoff_id)
                .fetch_optional(self.pool())
                .await?,
        )
    }
}
