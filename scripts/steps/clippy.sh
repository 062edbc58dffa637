source "$(dirname "$0")/lib.sh"
cargo clippy --workspace --all-targets -- -D warnings
