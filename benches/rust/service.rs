//! The scoring service under load: requests per second over HTTP (axum, keep-alive
//! connections, `POST /score` with the Oosterspoorbaan example) against the same work done
//! in-process (read the request, score, write the JSON reply), both on two cores.
//!
//! `cargo bench -p civic-value-benches --bench service` prints the figures for README's
//! performance table; `-- --quick` runs briefly (a smoke test). Server and client share the
//! machine's two cores, as they would on a small host.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use civic_value::{Initiative, Rubric};
use civic_value_service::{AppState, Config, router};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let seconds = if quick { 0.3 } else { 5.0 };
    let connections = 32;
    let body: Bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/oosterspoorbaan.json"),
    )
    .unwrap()
    .into();

    // In-process: the work of one request without HTTP, on two threads.
    let rubric = Rubric::builtin();
    let in_process = {
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let start = Instant::now();
        let done: usize = std::thread::scope(|s| {
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    s.spawn(|| {
                        let mut n = 0usize;
                        while Instant::now() < deadline {
                            let text = std::str::from_utf8(&body).unwrap();
                            let mut list = Initiative::list_from_json(text).unwrap();
                            let item = list.pop().unwrap();
                            let score = rubric.score(&item.inputs, None).unwrap();
                            std::hint::black_box(serde_json::to_string(&score).unwrap());
                            n += 1;
                        }
                        n
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).sum()
        });
        done as f64 / start.elapsed().as_secs_f64()
    };

    // Over HTTP: the service on a two-worker runtime, a client with `connections` keep-alive
    // connections each sending requests back to back.
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = server
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(Rubric::builtin(), Config::default());
    server.spawn(async move { axum::serve(listener, router(Arc::clone(&state))).await });

    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (requests, elapsed) = client_rt.block_on(async move {
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(connections)
            .build_http();
        let url = format!("http://{addr}/score");
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let start = Instant::now();
        let tasks: Vec<_> = (0..connections)
            .map(|_| {
                let (client, url, body) = (client.clone(), url.clone(), body.clone());
                tokio::spawn(async move {
                    let mut n = 0usize;
                    while Instant::now() < deadline {
                        let request = hyper::Request::post(&url)
                            .header("content-type", "application/json")
                            .body(Full::new(body.clone()))
                            .unwrap();
                        let reply = client.request(request).await.unwrap();
                        assert!(reply.status().is_success());
                        let bytes = reply.into_body().collect().await.unwrap().to_bytes();
                        std::hint::black_box(bytes);
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        let mut total = 0;
        for t in tasks {
            total += t.await.unwrap();
        }
        (total, start.elapsed())
    });
    let over_http = requests as f64 / elapsed.as_secs_f64();
    println!(
        "service: {over_http:.0} requests/s over HTTP ({connections} connections, 2 server threads), \
         {in_process:.0} scores/s in-process on 2 threads: in-process is {:.1}x the HTTP rate",
        in_process / over_http
    );
}
