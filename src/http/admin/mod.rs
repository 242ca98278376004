//! Purpose: `/admin`, the dashboard `serve` serves — server-rendered pages (maud) with SVG
//! charts drawn by the server: the overview (funnel, drop-off, weeks, reps, with filters),
//! the lead list and a lead's page, reps, scripts. Sign-in with the admin token; every page
//! but the sign-in form needs the session cookie.

mod charts;
mod pages;
pub mod session;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::report::costs::SourceCosts;
use crate::runtime::Runtime;
use crate::secret::Secret;
use crate::store::admin::{LeadOrder, LeadQuery};
use crate::store::funnel::ReportFilter;
use crate::store::outcomes::{Closing, Outcome};

/// What the dashboard needs.
#[derive(Debug, Clone)]
pub struct Admin {
    /// The runtime: its store, team, and hand-off closing.
    pub runtime: Runtime,
    /// The token that signs in; without one every page answers 503.
    pub admin_token: Option<Secret>,
    /// The scripts folder, whose files the scripts page validates.
    pub scripts: PathBuf,
    /// Source costs, for the money figures.
    pub costs: SourceCosts,
}

/// Leads per page of the list.
const PER_PAGE: i64 = 25;

/// The `/admin` routes, to merge into [`super::app`].
pub fn routes(admin: Admin) -> Router {
    Router::new()
        .route("/admin", get(overview))
        .route("/admin/login", get(login_form).post(login))
        .route("/admin/logout", post(logout))
        .route("/admin/leads", get(leads))
        .route("/admin/leads/{id}", get(lead))
        .route("/admin/handoffs/{id}/close", post(close_handoff))
        .route("/admin/reps", get(reps))
        .route("/admin/scripts", get(scripts))
        .with_state(Arc::new(admin))
}

/// A signed-in request: the session and its CSRF token.
struct Signed {
    csrf: String,
    session: String,
}

fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

/// The session of a request, or the response to send instead (503 without a token, a
/// redirect to the sign-in form without a valid session).
fn signed(admin: &Admin, headers: &HeaderMap) -> Result<Signed, Box<Response>> {
    let Some(token) = &admin.admin_token else {
        return Err(Box::new(disabled()));
    };
    let now_ms = chrono::Utc::now().timestamp_millis();
    let session = headers
        .get(header::COOKIE)
        .and_then(|value| value.to_str().ok())
        .and_then(session::from_cookie_header)
        .filter(|value| session::valid_session(token, value, now_ms));
    match session {
        Some(session) => Ok(Signed {
            csrf: session::csrf_token(token, session),
            session: session.to_string(),
        }),
        None => Err(Box::new(Redirect::to("/admin/login").into_response())),
    }
}

fn page(markup: maud::Markup) -> Response {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Html(markup.into_string()),
    )
        .into_response()
}

fn failed(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "an admin page failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html(pages::message("Something went wrong; the details are in the log.").into_string()),
    )
        .into_response()
}

/// A query parameter, trimmed; empty means absent.
fn param(query: &HashMap<String, String>, name: &str) -> Option<String> {
    query
        .get(name)
        .map(|value| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

fn date_ms(text: &str) -> Option<i64> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()?
        .and_hms_opt(0, 0, 0)
        .map(|at| at.and_utc().timestamp_millis())
}

/// The answer of every page while no admin token is configured.
fn disabled() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(pages::message("The dashboard is disabled: set LEADBOT_ADMIN_TOKEN.").into_string()),
    )
        .into_response()
}

async fn login_form(State(admin): State<Arc<Admin>>) -> Response {
    if admin.admin_token.is_none() {
        return disabled();
    }
    page(pages::login(None))
}

async fn login(State(admin): State<Arc<Admin>>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(token) = &admin.admin_token else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let presented = form_urlencoded::parse(&body)
        .find(|(name, _)| name == "token")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    if !token.matches(&presented) {
        return (
            StatusCode::UNAUTHORIZED,
            Html(pages::login(Some("That is not the admin token.")).into_string()),
        )
            .into_response();
    }
    let session = session::new_session(token, chrono::Utc::now().timestamp_millis());
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                session::set_cookie(&session, over_tls(&headers)),
            ),
            (header::LOCATION, "/admin".to_string()),
        ],
    )
        .into_response()
}

/// The form's fields, after checking its CSRF token against the session.
fn checked_form(
    admin: &Admin,
    signed: &Signed,
    body: &Bytes,
) -> Result<HashMap<String, String>, Box<Response>> {
    let fields: HashMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
    let presented = fields.get("csrf").map(String::as_str).unwrap_or_default();
    let valid = admin
        .admin_token
        .as_ref()
        .is_some_and(|token| session::valid_csrf(token, &signed.session, presented));
    if valid {
        Ok(fields)
    } else {
        Err(Box::new(
            (
                StatusCode::FORBIDDEN,
                Html(pages::message("This form expired; go back and try again.").into_string()),
            )
                .into_response(),
        ))
    }
}

async fn logout(State(admin): State<Arc<Admin>>, headers: HeaderMap, body: Bytes) -> Response {
    let signed = match signed(&admin, &headers) {
        Ok(signed) => signed,
        Err(response) => return *response,
    };
    if let Err(response) = checked_form(&admin, &signed, &body) {
        return *response;
    }
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                session::clear_cookie(over_tls(&headers)),
            ),
            (header::LOCATION, "/admin/login".to_string()),
        ],
    )
        .into_response()
}

/// The overview's filters from the query string.
fn report_filter(query: &HashMap<String, String>) -> ReportFilter {
    ReportFilter {
        since_ms: param(query, "since").as_deref().and_then(date_ms),
        until_ms: param(query, "until").as_deref().and_then(date_ms),
        script: param(query, "script"),
        version: None,
        channel: param(query, "channel"),
        source: param(query, "source"),
        rep: None,
    }
}

async fn overview(
    State(admin): State<Arc<Admin>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let signed = match signed(&admin, &headers) {
        Ok(signed) => signed,
        Err(response) => return *response,
    };
    let filter = report_filter(&query);
    let now_ms = chrono::Utc::now().timestamp_millis();
    match crate::report::build(admin.runtime.store(), &filter, &admin.costs, now_ms).await {
        Ok(report) => page(pages::overview(&signed.csrf, &query, &report)),
        Err(error) => failed(error),
    }
}

async fn leads(
    State(admin): State<Arc<Admin>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let signed = match signed(&admin, &headers) {
        Ok(signed) => signed,
        Err(response) => return *response,
    };
    let page_number = param(&query, "page")
        .and_then(|page| page.parse::<i64>().ok())
        .unwrap_or(0)
        .max(0);
    let lead_query = LeadQuery {
        stage: param(&query, "stage"),
        channel: param(&query, "channel"),
        source: param(&query, "source"),
        search: param(&query, "q"),
        order: LeadOrder::from_name(param(&query, "sort").as_deref().unwrap_or_default()),
        page: page_number,
        per_page: PER_PAGE,
    };
    match admin.runtime.store().lead_page(&lead_query).await {
        Ok((rows, total)) => page(pages::leads(
            &signed.csrf,
            &query,
            &rows,
            total,
            page_number,
            PER_PAGE,
        )),
        Err(error) => failed(error),
    }
}

async fn lead(
    State(admin): State<Arc<Admin>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let signed = match signed(&admin, &headers) {
        Ok(signed) => signed,
        Err(response) => return *response,
    };
    let store = admin.runtime.store();
    let record = match store.lead_record(id).await {
        Ok(Some(record)) => record,
        Ok(None) => {
            return (
                StatusCode::NOT_FOUND,
                Html(pages::message("There is no such lead.").into_string()),
            )
                .into_response();
        }
        Err(error) => return failed(error),
    };
    let details = async {
        Ok::<_, crate::store::StoreError>((
            store.assignments_of(id).await?,
            store.outcomes_of(id).await?,
            store.lead_source(id).await?,
        ))
    };
    match details.await {
        Ok((handoffs, outcomes, source)) => page(pages::lead(
            &signed.csrf,
            &record,
            &handoffs,
            &outcomes,
            source.as_ref(),
        )),
        Err(error) => failed(error),
    }
}

async fn close_handoff(
    State(admin): State<Arc<Admin>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let signed = match signed(&admin, &headers) {
        Ok(signed) => signed,
        Err(response) => return *response,
    };
    let fields = match checked_form(&admin, &signed, &body) {
        Ok(fields) => fields,
        Err(response) => return *response,
    };
    let bad = |problem: String| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(pages::message(&problem).into_string()),
        )
            .into_response()
    };
    let outcome = match param(&fields, "outcome").map(|name| name.parse::<Outcome>()) {
        Some(Ok(outcome)) => Some(outcome),
        Some(Err(problem)) => return bad(problem.to_string()),
        None => None,
    };
    let value = match param(&fields, "value").map(|text| {
        text.replace(',', "")
            .parse::<f64>()
            .map_err(|_| format!("{text:?} is not an amount"))
    }) {
        Some(Ok(value)) => Some(value),
        Some(Err(problem)) => return bad(problem),
        None => None,
    };
    let closing = match Closing::checked(
        outcome,
        value,
        param(&fields, "currency"),
        param(&fields, "note"),
    ) {
        Ok(closing) => closing,
        Err(problem) => return bad(problem),
    };
    let now = chrono::Utc::now().fixed_offset();
    let lead_id = match admin.runtime.store().handoff_lead(id).await {
        Ok(Some(lead_id)) => lead_id,
        Ok(None) => return bad(format!("there is no hand-off {id}")),
        Err(error) => return failed(error),
    };
    match admin.runtime.close_handoff_with(id, &closing, now).await {
        Ok(_) => Redirect::to(&format!("/admin/leads/{lead_id}")).into_response(),
        Err(error) => failed(error),
    }
}

async fn reps(State(admin): State<Arc<Admin>>, headers: HeaderMap) -> Response {
    let signed = match signed(&admin, &headers) {
        Ok(signed) => signed,
        Err(response) => return *response,
    };
    let store = admin.runtime.store();
    let now_ms = chrono::Utc::now().timestamp_millis();
    let figures = crate::report::build(store, &ReportFilter::default(), &admin.costs, now_ms).await;
    let loads = store.open_loads().await;
    let team = admin.runtime.team();
    match (figures, loads) {
        (Ok(report), Ok(loads)) => page(pages::reps(
            &signed.csrf,
            team.as_deref(),
            &loads,
            &report.figures.reps,
        )),
        (Err(error), _) | (_, Err(error)) => failed(error),
    }
}

async fn scripts(State(admin): State<Arc<Admin>>, headers: HeaderMap) -> Response {
    let signed = match signed(&admin, &headers) {
        Ok(signed) => signed,
        Err(response) => return *response,
    };
    let store = admin.runtime.store();
    let stored = async {
        Ok::<_, crate::store::StoreError>(pages::StoredScripts {
            active: store.active_versions().await?,
            uses: store.conversations_per_version().await?,
            refused: store.open_refusals().await?,
        })
    };
    let stored = match stored.await {
        Ok(stored) => stored,
        Err(error) => return failed(error),
    };
    let files = match crate::script::script_files(&admin.scripts) {
        Ok(files) => files,
        Err(error) => {
            return page(pages::scripts(
                &signed.csrf,
                &admin.scripts,
                &[],
                Some(&error.to_string()),
                &stored,
            ));
        }
    };
    let checked: Vec<_> = files
        .iter()
        .map(|file| (file.clone(), crate::script::load_file(file)))
        .collect();
    page(pages::scripts(
        &signed.csrf,
        &admin.scripts,
        &checked,
        None,
        &stored,
    ))
}
