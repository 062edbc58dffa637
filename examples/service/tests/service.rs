//! The service, started as a user starts it (the real binary on a free port), and driven over
//! HTTP. Expected replies are computed in this process with the civic-value library itself:
//! the service must add nothing and lose nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use civic_value::{Inputs, Rubric};
use http_body_util::{BodyExt as _, Full};
use hyper::{HeaderMap, Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The service binary, running until dropped.
struct Service {
    child: Child,
    base: String,
}

impl Service {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_civic-value-service"))
            .args(["--port", "0"])
            .args(args)
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        // "civic-value-service listening on http://127.0.0.1:PORT (rubric …)"
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Self { child, base }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn fingerprint(&self) -> String {
        self.headers["x-rubric-fingerprint"]
            .to_str()
            .unwrap()
            .to_owned()
    }
}

async fn send(
    client: &HttpClient,
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(url);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = client
        .request(request.body(Full::new(body.into())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body,
    }
}

async fn post_json(client: &HttpClient, url: &str, body: impl Into<Bytes>) -> Reply {
    send(
        client,
        Method::POST,
        url,
        &[("content-type", "application/json")],
        body,
    )
    .await
}

/// What the service must answer for a request body, computed with the library: the status
/// and the JSON (a score with `id`/`name` when given, or `{code, path, message}`).
fn expected(rubric: &Rubric, body: &str) -> (StatusCode, Value) {
    let Ok(request) = serde_json::from_str::<Value>(body) else {
        return (StatusCode::BAD_REQUEST, json!({"code": "input.parse"}));
    };
    // The request's own shape: an object of these fields, with inputs.
    let known = ["id", "name", "description", "inputs", "perspective"];
    let shape_ok = request
        .as_object()
        .is_some_and(|m| m.contains_key("inputs") && m.keys().all(|k| known.contains(&k.as_str())));
    if !shape_ok {
        return (StatusCode::BAD_REQUEST, json!({"code": "input.parse"}));
    }
    let inputs = match Inputs::from_json(&request["inputs"].to_string()) {
        Ok(inputs) => inputs,
        Err(_) => return (StatusCode::BAD_REQUEST, json!({"code": "input.parse"})),
    };
    match rubric.score(&inputs, request["perspective"].as_str()) {
        Ok(score) => {
            let mut v = serde_json::to_value(&score).unwrap();
            let map = v.as_object_mut().unwrap();
            if let Some(id) = request.get("id") {
                map.insert("id".to_owned(), id.clone());
                map.insert("name".to_owned(), request["name"].clone());
            }
            if let Some(m) = rubric.monetised_summary(&inputs) {
                map.insert("monetised".to_owned(), serde_json::to_value(m).unwrap());
            }
            (StatusCode::OK, v)
        }
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"code": e.code(), "path": e.path(), "message": e.message()}),
        ),
    }
}

/// For an error, only the fields the expectation names are compared (a parse error's exact
/// serde message is the parser's business).
fn assert_matches(got: &Value, want: &Value, what: &str) {
    if want.get("total").is_some() {
        assert_eq!(got, want, "{what}");
    } else {
        for (k, v) in want.as_object().unwrap() {
            assert_eq!(&got[k], v, "{what}: field {k} of {got}");
        }
    }
}

/// A spread of request bodies: valid ones in both forms and with perspectives, and bad
/// ones of every kind (malformed, wrong types, out of range, unknown ids).
fn bodies() -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..40 {
        let hours = 100 * i;
        let support = 30 + i;
        out.push(
            json!({"inputs": {"volunteer_hours": hours, "support_share": support,
                              "neighbour_contact": 1 + i % 5, "permit_secured": i % 2 == 0}})
            .to_string(),
        );
        let perspective = ["municipality", "residents", "initiators"][i % 3];
        out.push(
            json!({"inputs": {"volunteer_hours": [hours, hours + 500], "inclusion": "one_group"},
                   "perspective": perspective})
            .to_string(),
        );
        out.push(
            json!({"id": format!("i{i}"), "name": format!("Initiative {i}"),
                   "inputs": {"green_area_m2": 50 * i, "partners": i % 7}})
            .to_string(),
        );
    }
    out.push(std::fs::read_to_string(root().join("examples/oosterspoorbaan.json")).unwrap());
    out.push(std::fs::read_to_string(root().join("examples/repair-cafe.json")).unwrap());
    // Bad ones.
    out.push(r#"{"inputs": {"volunteer_hours": "lots"}}"#.to_owned());
    out.push(r#"{"inputs": {"neighbour_contact": 9}}"#.to_owned());
    out.push(r#"{"inputs": {"colour": "blue"}}"#.to_owned());
    out.push(r#"{"inputs": {"support_share": 50}, "perspective": "aliens"}"#.to_owned());
    out.push(r#"{"inputs": {"volunteer_hours": [10, 5]}}"#.to_owned());
    out.push(r#"{"inputs": {"support_share": -1}}"#.to_owned());
    out.push(r#"{"inputs": "#.to_owned());
    out.push(r#"[1, 2, 3]"#.to_owned());
    out.push(r#"{"inputs": {}, "extra": 1}"#.to_owned());
    out.push(String::new());
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_rubric_with_etag() {
    let service = Service::start(&[]);
    let client = client();
    let builtin = Rubric::builtin();

    let health = send(
        &client,
        Method::GET,
        &format!("{}/health", service.base),
        &[],
        "",
    )
    .await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json()["status"], "ok");
    assert_eq!(
        health.json()["rubric"]["fingerprint"],
        builtin.fingerprint()
    );

    let url = format!("{}/rubric", service.base);
    let rubric = send(&client, Method::GET, &url, &[], "").await;
    assert_eq!(rubric.status, StatusCode::OK);
    let etag = rubric.headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, format!("\"{}\"", builtin.fingerprint()));
    // The body is the rubric itself: it compiles to the same fingerprint.
    let text = String::from_utf8(rubric.body.to_vec()).unwrap();
    assert_eq!(
        Rubric::from_json(&text).unwrap().fingerprint(),
        builtin.fingerprint()
    );
    let again = send(&client, Method::GET, &url, &[("if-none-match", &etag)], "").await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());

    let missing = send(
        &client,
        Method::GET,
        &format!("{}/nope", service.base),
        &[],
        "",
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["code"], "request.not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_score_is_the_cli_json_for_that_initiative() {
    let service = Service::start(&[]);
    let client = client();
    let url = format!("{}/score", service.base);
    let body = std::fs::read_to_string(root().join("examples/oosterspoorbaan.json")).unwrap();
    let reply = post_json(&client, &url, body.clone()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.fingerprint(), Rubric::builtin().fingerprint());

    // The CLI's own output for the same file, run as a user would.
    let cli = Command::new(env!("CARGO"))
        .args([
            "run",
            "-q",
            "-p",
            "civic-value-cli",
            "--",
            "score",
            "--format",
            "json",
        ])
        .arg("examples/oosterspoorbaan.json")
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let cli_json: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(reply.json(), cli_json[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_have_status_code_path_and_message() {
    let service = Service::start(&["--max-body", "2000"]);
    let client = client();
    let url = format!("{}/score", service.base);

    let malformed = post_json(&client, &url, r#"{"inputs": {"#).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.json()["code"], "input.parse");

    let wrong_type = post_json(&client, &url, r#"{"inputs": 5}"#).await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong_type.json()["path"], "inputs");

    let twice = post_json(&client, &url, r#"{"inputs": {}, "inputs": {}}"#).await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);
    assert!(
        twice.json()["message"]
            .as_str()
            .unwrap()
            .contains("duplicate field")
    );

    // A key given twice is refused, never silently overwritten.
    let dup = post_json(
        &client,
        &url,
        r#"{"inputs": {"support_share": 80, "support_share": 10}}"#,
    )
    .await;
    assert_eq!(dup.status, StatusCode::BAD_REQUEST);
    assert_eq!(dup.json()["path"], "inputs.support_share");

    let bad = post_json(&client, &url, r#"{"inputs": {"volunteer_hours": "lots"}}"#).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v = bad.json();
    assert_eq!(v["code"], "input.not_a_number");
    assert_eq!(v["path"], "input.volunteer_hours");
    assert_eq!(
        v["message"],
        r#"expected a number or [low, high], got "lots""#
    );

    let big = format!(r#"{{"inputs": {{}}, "name": "{}"}}"#, "x".repeat(3000));
    let too_large = post_json(&client, &url, big).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_large.json()["code"], "request.too_large");

    let text = send(
        &client,
        Method::POST,
        &url,
        &[("content-type", "text/plain")],
        "{}",
    )
    .await;
    assert_eq!(text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(text.json()["code"], "request.content_type");
    let none = send(&client, Method::POST, &url, &[], "{}").await;
    assert_eq!(none.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Still serving after all that.
    let ok = post_json(&client, &url, r#"{"inputs": {"support_share": 80}}"#).await;
    assert_eq!(ok.status, StatusCode::OK);
}

/// 1 000 requests at once, valid and invalid mixed: every reply is the library's own answer
/// for that body, and none is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_requests_each_get_their_own_answer() {
    let service = Service::start(&[]);
    let client = client();
    let rubric = Rubric::builtin();
    let url = format!("{}/score", service.base);
    let bodies = bodies();
    let mut tasks = Vec::new();
    for i in 0..1000 {
        let body = bodies[(i * 7) % bodies.len()].clone();
        let (client, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let reply = post_json(&client, &url, body.clone()).await;
            (body, reply)
        }));
    }
    let mut answered = 0;
    let mut ok = 0;
    for task in tasks {
        let (body, reply) = task.await.unwrap();
        let (status, want) = expected(&rubric, &body);
        assert_eq!(reply.status, status, "{body}: {:?}", reply.body);
        assert_matches(&reply.json(), &want, &body);
        answered += 1;
        ok += usize::from(status == StatusCode::OK);
    }
    assert_eq!(answered, 1000);
    assert!(
        ok > 800 && ok < 1000,
        "a mix of valid and invalid: {ok} valid"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_stream_one_line_per_item_in_order() {
    let service = Service::start(&[]);
    let client = client();
    let rubric = Rubric::builtin();
    let url = format!("{}/score/batch", service.base);
    // Only bodies that are objects can be batch items on one line each.
    let items: Vec<Value> = bodies()
        .iter()
        .filter_map(|b| serde_json::from_str::<Value>(b).ok())
        .filter(Value::is_object)
        .collect();
    let items: Vec<Value> = items.iter().cycle().take(1000).cloned().collect();

    let ndjson: String = items.iter().map(|v| format!("{v}\n")).collect();
    let array = Value::Array(items.clone()).to_string();
    for (content_type, body) in [
        ("application/x-ndjson", ndjson),
        ("application/json", array),
    ] {
        let reply = send(
            &client,
            Method::POST,
            &url,
            &[("content-type", content_type)],
            body,
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.headers["content-type"], "application/x-ndjson");
        let text = String::from_utf8(reply.body.to_vec()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), items.len(), "{content_type}");
        for (index, (line, item)) in lines.iter().zip(&items).enumerate() {
            let got: Value = serde_json::from_str(line).unwrap();
            let (status, want) = expected(&rubric, &item.to_string());
            if status == StatusCode::OK {
                assert_eq!(got, want, "{content_type} item {index}");
            } else {
                assert_eq!(got["index"], index, "{content_type} item {index}");
                assert_matches(&got["error"], &want, &format!("item {index}"));
            }
        }
    }

    // A broken array is refused before anything is streamed; a broken NDJSON line is one
    // error line among the others.
    let broken = post_json(&client, &url, "[{\"inputs\": {}},").await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    let lines = send(
        &client,
        Method::POST,
        &url,
        &[("content-type", "application/x-ndjson")],
        "{\"inputs\": {}}\nnot json\n{\"inputs\": {\"partners\": 2}}\n",
    )
    .await;
    let text = String::from_utf8(lines.body.to_vec()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["index"], 1);
    assert_eq!(lines[1]["error"]["code"], "input.parse");
    assert!(lines[2]["total"].is_number());

    // A perspective for every item that names none.
    let residents = send(
        &client,
        Method::POST,
        &format!("{url}?perspective=residents"),
        &[("content-type", "application/x-ndjson")],
        "{\"inputs\": {\"support_share\": 90}}\n",
    )
    .await;
    let got: Value = serde_json::from_slice(&residents.body).unwrap();
    assert_eq!(got["perspective"], "residents");
    let unknown = send(
        &client,
        Method::POST,
        &format!("{url}?perspective=aliens"),
        &[("content-type", "application/x-ndjson")],
        "{\"inputs\": {}}\n",
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.json()["code"], "input.unknown_perspective");
}

fn green_fund() -> Rubric {
    let text = std::fs::read_to_string(root().join("examples/rubrics/green-fund.toml")).unwrap();
    Rubric::from_toml(&text).unwrap()
}

/// The rubric is replaced while requests are in flight: every reply names one of the two
/// fingerprints and its score is exactly that rubric's score — never a mix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_rubric_swaps_atomically_behind_the_token() {
    let service = Service::start(&["--token", "s3cret"]);
    let client = client();
    let rubric_url = format!("{}/rubric", service.base);
    let (old, new) = (Rubric::builtin(), green_fund());
    let new_json = new.to_json();

    let anonymous = send(
        &client,
        Method::PUT,
        &rubric_url,
        &[("content-type", "application/json")],
        new_json.clone(),
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let wrong = send(
        &client,
        Method::PUT,
        &rubric_url,
        &[
            ("content-type", "application/json"),
            ("authorization", "Bearer guess"),
        ],
        new_json.clone(),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let invalid = send(
        &client,
        Method::PUT,
        &rubric_url,
        &[
            ("content-type", "application/json"),
            ("authorization", "Bearer s3cret"),
        ],
        r#"{"id": "x", "version": "1", "themes": [], "criteria": []}"#,
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        invalid.json()["code"]
            .as_str()
            .unwrap()
            .starts_with("rubric.")
    );

    // Requests that fit both rubrics (no unknown inputs under either).
    let shared: Vec<&str> = new
        .criteria()
        .iter()
        .map(civic_value::Criterion::id)
        .filter(|id| old.criterion(id).is_some())
        .collect();
    assert!(!shared.is_empty());
    let score_url = format!("{}/score", service.base);
    let mut tasks = Vec::new();
    for i in 0..400 {
        let inputs: serde_json::Map<String, Value> = shared
            .iter()
            .filter(|id| {
                matches!(
                    old.criterion(id).unwrap().kind(),
                    civic_value::InputKind::Number
                )
            })
            .map(|id| ((*id).to_owned(), json!(i % 100)))
            .collect();
        let body = json!({ "inputs": inputs }).to_string();
        let (task_client, url) = (client.clone(), score_url.clone());
        tasks.push(tokio::spawn(async move {
            (body.clone(), post_json(&task_client, &url, body).await)
        }));
        if i == 200 {
            let swap = send(
                &client,
                Method::PUT,
                &rubric_url,
                &[
                    ("content-type", "application/json"),
                    ("authorization", "Bearer s3cret"),
                ],
                new_json.clone(),
            )
            .await;
            assert_eq!(swap.status, StatusCode::OK, "{:?}", swap.body);
            assert_eq!(swap.json()["fingerprint"], new.fingerprint());
            assert_eq!(swap.json()["previous"], old.fingerprint());
        }
    }
    let (mut seen, mut ok) = ([0, 0], 0);
    for task in tasks {
        let (body, reply) = task.await.unwrap();
        let fingerprint = reply.fingerprint();
        let rubric = if fingerprint == old.fingerprint() {
            seen[0] += 1;
            &old
        } else {
            assert_eq!(fingerprint, new.fingerprint());
            seen[1] += 1;
            &new
        };
        let got = reply.json();
        let (status, want) = expected(rubric, &body);
        assert_eq!(reply.status, status, "{got}");
        assert_matches(&got, &want, &body);
        if status == StatusCode::OK {
            assert_eq!(got["rubric"]["fingerprint"], fingerprint.as_str());
            ok += 1;
        }
    }
    assert!(
        seen[1] > 0,
        "some requests scored with the new rubric: {seen:?}"
    );
    assert!(
        ok > 100,
        "most requests are valid under both rubrics: {ok} of 400"
    );
    let after = send(
        &client,
        Method::GET,
        &format!("{}/health", service.base),
        &[],
        "",
    )
    .await;
    assert_eq!(after.json()["rubric"]["fingerprint"], new.fingerprint());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_rubric_is_disabled_without_a_token() {
    let service = Service::start(&[]);
    let reply = send(
        &client(),
        Method::PUT,
        &format!("{}/rubric", service.base),
        &[("content-type", "application/json")],
        Rubric::builtin().to_json(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_rubric_file_and_keeps_it_when_the_file_is_bad() {
    let dir = std::env::temp_dir().join(format!("civic-value-service-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("rubric.json");
    std::fs::write(&file, Rubric::builtin().to_json()).unwrap();
    let service = Service::start(&["--rubric", file.to_str().unwrap()]);
    let client = client();
    let health = format!("{}/health", service.base);
    let current = |client: HttpClient, health: String| async move {
        send(&client, Method::GET, &health, &[], "").await.json()["rubric"]["fingerprint"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        current(client.clone(), health.clone()).await,
        Rubric::builtin().fingerprint()
    );

    let hup = |pid: u32| {
        let ok = Command::new("kill")
            .args(["-HUP", &pid.to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
    };
    let wait_for = |want: String| {
        let (client, health) = (client.clone(), health.clone());
        async move {
            let start = Instant::now();
            loop {
                let now = current(client.clone(), health.clone()).await;
                if now == want || start.elapsed() > Duration::from_secs(10) {
                    return now;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };

    let new = green_fund();
    std::fs::write(&file, new.to_json()).unwrap();
    hup(service.pid());
    assert_eq!(
        wait_for(new.fingerprint().to_owned()).await,
        new.fingerprint()
    );

    // A broken file: the reload is refused and the last good rubric keeps serving.
    std::fs::write(&file, "{ not a rubric").unwrap();
    hup(service.pid());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        current(client.clone(), health.clone()).await,
        new.fingerprint()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
