//! # A civic-value scoring service
//!
//! The third user of the crate: a Rust service that compiles one rubric, shares it between
//! every request through an [`Arc`], replaces it atomically at runtime, and names the
//! fingerprint it scored with in every reply. Built on axum and tokio.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /health` | `{"status": "ok", "rubric": {id, version, fingerprint}}` |
//! | `GET /rubric` | the rubric as JSON, its fingerprint as the `ETag` (`If-None-Match` → 304) |
//! | `PUT /rubric` | replace the rubric (JSON, or TOML with `Content-Type: application/toml`), `Authorization: Bearer TOKEN` |
//! | `POST /score` | one initiative → the same JSON as `civic-value score --format json` gives for it |
//! | `POST /score/batch` | a JSON array or NDJSON of initiatives → NDJSON, streamed, one line per item in order |
//!
//! A request body is `{"inputs": {...}, "perspective": "residents"}` or the CLI's initiative
//! object `{"id", "name", "description", "inputs"}` (with an optional `perspective`). Every
//! scoring reply carries the header `X-Rubric-Fingerprint`, and every score carries
//! `rubric.fingerprint`: a request is scored with one rubric from start to end, so nothing is
//! ever scored with a half-loaded rubric.
//!
//! Errors are JSON `{"code", "path", "message"}`: 400 when the body cannot be read as a
//! request (malformed JSON, wrong shape or types: `input.parse`, `request.*`), 413 above the
//! body limit (`request.too_large`), 415 for a wrong content type (`request.content_type`),
//! 422 when a well-formed request is refused by the rubric (`input.not_a_number`,
//! `input.unknown_perspective`, an invalid replacement rubric …), 401/403 for `PUT /rubric`
//! without the right token, 404 for an unknown route. In a batch, a bad item becomes an
//! error line `{"index", "id", "error": {code, path, message}}` and the others are scored.

#![deny(missing_docs)]

use std::convert::Infallible;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use civic_value::{Error, ErrorKind, Inputs, MAX_RUBRIC_TEXT_BYTES, Rubric, Score};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// Largest request body accepted by default (16 MiB), as `--max-body` says.
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;

/// Items scored between two writes of a streamed batch reply.
const CHUNK: usize = 256;

/// The header every scoring reply carries.
pub const FINGERPRINT_HEADER: &str = "x-rubric-fingerprint";

/// How the service runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest request body in bytes (413 above it).
    pub max_body: usize,
    /// The token `PUT /rubric` requires (`Authorization: Bearer …`); `None` disables it.
    pub token: Option<String>,
    /// The rubric file, reloaded on SIGHUP; `None` for the built-in rubric.
    pub rubric_path: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_body: DEFAULT_MAX_BODY,
            token: None,
            rubric_path: None,
        }
    }
}

/// What every request shares: the current compiled rubric and the configuration.
#[derive(Debug)]
pub struct AppState {
    rubric: RwLock<Arc<Rubric>>,
    config: Config,
}

impl AppState {
    /// A state serving `rubric`.
    pub fn new(rubric: Rubric, config: Config) -> Arc<Self> {
        Arc::new(Self {
            rubric: RwLock::new(Arc::new(rubric)),
            config,
        })
    }

    /// The rubric requests are scored with now. A request takes it once and keeps it, so a
    /// replacement never reaches a request half-way.
    pub fn rubric(&self) -> Arc<Rubric> {
        // The lock only guards a pointer swap: a poisoned lock still holds a whole rubric.
        match self.rubric.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Replace the rubric atomically; returns the one it replaced.
    pub fn replace(&self, rubric: Rubric) -> Arc<Rubric> {
        let new = Arc::new(rubric);
        match self.rubric.write() {
            Ok(mut guard) => std::mem::replace(&mut *guard, new),
            Err(poisoned) => std::mem::replace(&mut *poisoned.into_inner(), new),
        }
    }

    /// Reload the rubric from the configured file (the built-in rubric when none); on an
    /// error the current rubric stays. Returns the new fingerprint.
    ///
    /// # Errors
    /// The file's read or validation errors, as one message.
    pub fn reload(&self) -> Result<String, String> {
        let rubric = load_rubric(self.config.rubric_path.as_deref())?;
        let fingerprint = rubric.fingerprint().to_owned();
        self.replace(rubric);
        Ok(fingerprint)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }
}

/// Read and compile a rubric file (`.toml` by extension, JSON otherwise), reading at most
/// [`MAX_RUBRIC_TEXT_BYTES`] + 1 bytes whatever the file is (a pipe, a device); the built-in rubric
/// for `None`.
///
/// # Errors
/// A message naming the file: unreadable, too large, not UTF-8, or every validation error.
pub fn load_rubric(path: Option<&Path>) -> Result<Rubric, String> {
    let Some(path) = path else {
        return Ok(Rubric::builtin());
    };
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_RUBRIC_TEXT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{shown}: cannot read: {e}"))?;
    if bytes.len() > MAX_RUBRIC_TEXT_BYTES {
        return Err(format!(
            "{shown}: more than the limit of {MAX_RUBRIC_TEXT_BYTES} bytes"
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| format!("{shown}: not valid UTF-8"))?;
    let toml = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let doc = if toml {
        civic_value::RubricDoc::from_toml(&text)
    } else {
        civic_value::RubricDoc::from_json(&text)
    }
    .map_err(|e| format!("{shown}: {e}"))?;
    Rubric::compile(doc).map_err(|errors| {
        errors
            .0
            .iter()
            .map(|e| format!("{shown}: {e}"))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// The service's routes over `state`.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/rubric", get(get_rubric).put(put_rubric))
        .route("/score", post(score_one))
        .route("/score/batch", post(score_batch))
        .fallback(not_found)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "",
                    "internal error",
                )
                .into_response()
            },
        ))
        .with_state(state)
}

// ---- errors ------------------------------------------------------------------------

/// An error reply: `{"code", "path", "message"}` with its HTTP status.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

#[derive(Debug, Serialize)]
struct ErrorBody {
    code: String,
    path: String,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, path: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                code: code.to_owned(),
                path: path.to_owned(),
                message: message.into(),
            },
        }
    }

    /// A core error: 400 for what could not be read, 422 for what the rubric refuses.
    fn core(e: &Error) -> Self {
        let status = match e.kind() {
            ErrorKind::InputParse { .. } | ErrorKind::InputTooLarge { .. } => {
                StatusCode::BAD_REQUEST
            }
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Self::new(status, e.code(), e.path(), e.message())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, json_body(&self.body)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }
}

fn json_body<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned())
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "request.not_found",
        "",
        "no such route (have GET /health, GET|PUT /rubric, POST /score, POST /score/batch)",
    )
}

// ---- reading requests --------------------------------------------------------------

/// The media type of a request, lower-case, without parameters.
fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

fn wrong_type(got: &str, want: &str) -> ApiError {
    let got = if got.is_empty() { "none" } else { got };
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "request.content_type",
        "",
        format!("content type {got}: expected {want}"),
    )
}

/// The request body, at most `limit` bytes (413 above it, whatever Content-Length says).
async fn read_body(request: Request, limit: usize) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request.too_large",
            "",
            format!("the body is more than the limit of {limit} bytes"),
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|e| {
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
            while let Some(s) = source {
                if s.is::<http_body_util_limit::LengthLimitError>() {
                    return too_large();
                }
                source = s.source();
            }
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "request.body",
                "",
                format!("cannot read the body: {e}"),
            )
        })
}

/// `http_body_util`'s limit error, as axum re-exports it.
mod http_body_util_limit {
    pub(crate) use axum::extract::rejection::LengthLimitError;
}

/// One initiative to score: the CLI's initiative object, or just inputs, with an optional
/// perspective.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoreRequest {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    inputs: Inputs,
    #[serde(default)]
    perspective: Option<String>,
}

/// Read one request from JSON text; `prefix` goes before error paths (`[3]` in a batch).
fn parse_request(text: &str, prefix: &str) -> Result<ScoreRequest, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed: Result<ScoreRequest, _> = serde_path_to_error::deserialize(&mut de);
    let request = parsed.map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let message = e.into_inner().to_string();
        ErrorKind::InputParse { message }.at(join(prefix, &path))
    })?;
    de.end().map_err(|e| {
        ErrorKind::InputParse {
            message: e.to_string(),
        }
        .at(prefix)
    })?;
    Ok(request)
}

fn join(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (_, true) => prefix.to_owned(),
        (true, false) => path.to_owned(),
        (false, false) if path.starts_with('[') => format!("{prefix}{path}"),
        (false, false) => format!("{prefix}.{path}"),
    }
}

/// One scored initiative, as the CLI's `--format json` writes it (id and name only when the
/// request gave them).
#[derive(Serialize)]
struct Scored<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(flatten)]
    score: &'a Score,
    /// The monetised value when the rubric has a proxy table (as the CLI writes it).
    #[serde(skip_serializing_if = "Option::is_none")]
    monetised: Option<civic_value::analysis::monetise::MonetisedSummary>,
}

fn score_request(
    rubric: &Rubric,
    request: &ScoreRequest,
    default_perspective: Option<&str>,
) -> Result<String, Error> {
    let perspective = request.perspective.as_deref().or(default_perspective);
    let score = rubric.score(&request.inputs, perspective)?;
    let name = request.name.as_deref().or(request.id.as_deref());
    Ok(json_body(&Scored {
        id: request.id.as_deref(),
        name: request.id.as_deref().and(name),
        score: &score,
        monetised: rubric.monetised_summary(&request.inputs),
    }))
}

fn with_fingerprint(mut response: Response, rubric: &Rubric) -> Response {
    if let Ok(v) = HeaderValue::from_str(rubric.fingerprint()) {
        response.headers_mut().insert(FINGERPRINT_HEADER, v);
    }
    response
}

fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

// ---- handlers ----------------------------------------------------------------------

async fn health(State(state): State<Arc<AppState>>) -> Response {
    let rubric = state.rubric();
    let body = serde_json::json!({
        "status": "ok",
        "rubric": {
            "id": rubric.id(),
            "version": rubric.version(),
            "fingerprint": rubric.fingerprint(),
        },
        "engine": civic_value::ENGINE_VERSION,
    });
    with_fingerprint(json_response(StatusCode::OK, body.to_string()), &rubric)
}

async fn get_rubric(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let rubric = state.rubric();
    let etag = format!("\"{}\"", rubric.fingerprint());
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        json_response(StatusCode::OK, rubric.doc().canonical_json())
    };
    if let Ok(v) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    with_fingerprint(response, &rubric)
}

async fn put_rubric(State(state): State<Arc<AppState>>, request: Request) -> Response {
    match replace_rubric(&state, request).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn replace_rubric(state: &AppState, request: Request) -> Result<Response, ApiError> {
    let Some(token) = state.config.token.as_deref() else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "request.forbidden",
            "",
            "replacing the rubric is disabled: start the service with --token",
        ));
    };
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !given.is_some_and(|g| constant_time_eq(g.as_bytes(), token.as_bytes())) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "request.unauthorized",
            "",
            "PUT /rubric needs the header Authorization: Bearer <token>",
        ));
    }
    let media = media_type(request.headers());
    let toml = match media.as_str() {
        "application/json" => false,
        "application/toml" | "text/x-toml" | "text/toml" => true,
        other => return Err(wrong_type(other, "application/json or application/toml")),
    };
    let body = read_body(
        request,
        state.config.max_body.min(MAX_RUBRIC_TEXT_BYTES + 4),
    )
    .await?;
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "rubric.parse",
            "",
            "the body is not valid UTF-8",
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let compiled = if toml {
        Rubric::from_toml(text)
    } else {
        Rubric::from_json(text)
    }
    .map_err(|e| ApiError::core(&e))?;
    let fingerprint = compiled.fingerprint().to_owned();
    let body = serde_json::json!({
        "id": compiled.id(),
        "version": compiled.version(),
        "fingerprint": fingerprint,
    });
    let previous = state.replace(compiled.clone());
    let mut body = body;
    if let Some(map) = body.as_object_mut() {
        map.insert("previous".to_owned(), previous.fingerprint().into());
    }
    Ok(with_fingerprint(
        json_response(StatusCode::OK, body.to_string()),
        &compiled,
    ))
}

/// Compare two byte strings in time that depends only on their lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn score_one(State(state): State<Arc<AppState>>, request: Request) -> Response {
    // One rubric for the whole request, taken before anything else.
    let rubric = state.rubric();
    let result = async {
        let media = media_type(request.headers());
        if media != "application/json" {
            return Err(wrong_type(&media, "application/json"));
        }
        let body = read_body(request, state.config.max_body).await?;
        let text = std::str::from_utf8(&body).map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "input.parse",
                "",
                "the body is not valid UTF-8",
            )
        })?;
        let parsed = parse_request(text, "").map_err(|e| ApiError::core(&e))?;
        score_request(&rubric, &parsed, None).map_err(|e| ApiError::core(&e))
    }
    .await;
    let response = match result {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(e) => e.into_response(),
    };
    with_fingerprint(response, &rubric)
}

/// Query parameters of `POST /score/batch`.
#[derive(Debug, Deserialize)]
struct BatchQuery {
    /// Perspective for items that do not name their own.
    perspective: Option<String>,
}

async fn score_batch(
    State(state): State<Arc<AppState>>,
    Query(query): Query<BatchQuery>,
    request: Request,
) -> Response {
    let rubric = state.rubric();
    let response = match start_batch(&state, Arc::clone(&rubric), query, request).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    };
    with_fingerprint(response, &rubric)
}

async fn start_batch(
    state: &AppState,
    rubric: Arc<Rubric>,
    query: BatchQuery,
    request: Request,
) -> Result<Response, ApiError> {
    let media = media_type(request.headers());
    let ndjson = match media.as_str() {
        "application/json" => false,
        "application/x-ndjson"
        | "application/ndjson"
        | "application/jsonl"
        | "application/jsonlines" => true,
        other => {
            return Err(wrong_type(
                other,
                "application/json (an array) or application/x-ndjson",
            ));
        }
    };
    let body = read_body(request, state.config.max_body).await?;
    let text = String::from_utf8(body.to_vec()).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "input.parse",
            "",
            "the body is not valid UTF-8",
        )
    })?;
    if let Some(perspective) = &query.perspective {
        rubric
            .effective_weights(Some(perspective))
            .map_err(|e| ApiError::core(&e))?;
    }
    // An array is checked as a whole first (a syntax error is a 400 before anything is
    // streamed); NDJSON lines are read one by one, each bad line an error line.
    let items: Items = if ndjson {
        Items::Lines(text)
    } else {
        let trimmed = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let raw: Vec<Box<RawValue>> = serde_json::from_str(trimmed).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "input.parse",
                "",
                format!("expected a JSON array of initiatives: {e}"),
            )
        })?;
        Items::Array(raw)
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(4);
    let perspective = query.perspective;
    tokio::task::spawn_blocking(move || {
        let mut out = String::new();
        let mut pending = 0;
        let emit = |index: usize, text: &str, out: &mut String| {
            let line = match parse_request(text, &format!("[{index}]")) {
                Ok(request) => score_request(&rubric, &request, perspective.as_deref())
                    .map_err(|e| (e, request.id.clone())),
                Err(e) => Err((e, None)),
            };
            match line {
                Ok(json) => out.push_str(&json),
                Err((e, id)) => out.push_str(&json_body(&serde_json::json!({
                    "index": index,
                    "id": id,
                    "error": {"code": e.code(), "path": e.path(), "message": e.message()},
                }))),
            }
            out.push('\n');
        };
        let send = |out: &mut String| -> bool {
            tx.blocking_send(Bytes::from(std::mem::take(out))).is_ok()
        };
        match items {
            Items::Array(raw) => {
                for (index, item) in raw.iter().enumerate() {
                    emit(index, item.get(), &mut out);
                    pending += 1;
                    if pending == CHUNK {
                        pending = 0;
                        if !send(&mut out) {
                            return;
                        }
                    }
                }
            }
            Items::Lines(text) => {
                let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                let lines = text.lines().filter(|l| !l.trim().is_empty());
                for (index, line) in lines.enumerate() {
                    emit(index, line, &mut out);
                    pending += 1;
                    if pending == CHUNK {
                        pending = 0;
                        if !send(&mut out) {
                            return;
                        }
                    }
                }
            }
        }
        if !out.is_empty() {
            send(&mut out);
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx))
    });
    let mut response = Response::new(Body::from_stream(stream));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    Ok(response)
}

/// The items of a batch body.
enum Items {
    /// A JSON array, split into its items.
    Array(Vec<Box<RawValue>>),
    /// NDJSON text, one item per non-empty line.
    Lines(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_like_the_core() {
        assert_eq!(join("", "inputs.x"), "inputs.x");
        assert_eq!(join("[3]", "inputs.x"), "[3].inputs.x");
        assert_eq!(join("[3]", ""), "[3]");
    }

    #[test]
    fn tokens_compare_by_content() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
    }

    #[test]
    fn a_request_reads_both_forms() {
        let a = parse_request(
            r#"{"inputs": {"support_share": 72}, "perspective": "residents"}"#,
            "",
        )
        .map_err(|e| e.to_string());
        assert!(a.is_ok(), "{a:?}");
        let b = parse_request(r#"{"id": "x", "name": "X", "inputs": {}}"#, "");
        assert!(b.is_ok());
        let e = parse_request(r#"{"inputs": {}, "inputs": {}}"#, "").map(|_| ());
        assert_eq!(e.map_err(|e| e.code()), Err("input.parse"));
        let e = parse_request(r#"{"inputs": {}, "colour": 1}"#, "[2]").map(|_| ());
        assert!(e.is_err_and(|e| e.path().starts_with("[2]")));
    }
}
