//! `civic-value-service [--rubric FILE] [--host H] [--port N] [--max-body BYTES] [--token T]`:
//! serve scores over HTTP. Prints its address on the first line of standard output; reloads
//! the rubric file on SIGHUP; stops on Ctrl-C or SIGTERM.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use civic_value_service::{AppState, Config, DEFAULT_MAX_BODY, load_rubric, router};
use clap::Parser;

#[derive(Parser)]
#[command(
    name = "civic-value-service",
    version,
    about = "Score civic initiatives over HTTP with one shared, replaceable rubric"
)]
struct Args {
    /// Rubric file (.json or .toml), reloaded on SIGHUP; the built-in rubric when omitted.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 picks a free one; the address is printed).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Largest request body in bytes (413 above it).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY)]
    max_body: usize,
    /// Token that `PUT /rubric` requires as `Authorization: Bearer <token>`; without it the
    /// rubric can only be reloaded from its file (SIGHUP).
    #[arg(long, env = "CIVIC_VALUE_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let rubric = match load_rubric(args.rubric.as_deref()) {
        Ok(r) => r,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(1);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let config = Config {
        max_body: args.max_body,
        token: args.token.filter(|t| !t.is_empty()),
        rubric_path: args.rubric,
    };
    match runtime.block_on(serve(AppState::new(rubric, config), &args.host, args.port)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

async fn serve(state: Arc<AppState>, host: &str, port: u16) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind((host, port))
        .await
        .map_err(|e| format!("cannot listen on {host}:{port}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let rubric = state.rubric();
    println!(
        "civic-value-service listening on http://{addr} (rubric {} {}, fingerprint {})",
        rubric.id(),
        rubric.version(),
        rubric.fingerprint()
    );
    let _ = std::io::stdout().flush();
    tokio::spawn(reload_on_sighup(Arc::clone(&state)));
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| e.to_string())
}

/// Reload the rubric file on every SIGHUP; a bad file leaves the current rubric in place.
async fn reload_on_sighup(state: Arc<AppState>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            eprintln!("warning: cannot listen for SIGHUP; reload with PUT /rubric");
            return;
        };
        while hangups.recv().await.is_some() {
            match state.reload() {
                Ok(fingerprint) => println!("reloaded the rubric: fingerprint {fingerprint}"),
                Err(msg) => eprintln!("reload refused, the current rubric stays:\n{msg}"),
            }
            let _ = std::io::stdout().flush();
        }
    }
    #[cfg(not(unix))]
    drop(state);
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
