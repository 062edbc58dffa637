source "$(dirname "$0")/lib.sh"
cargo fmt --all -- --check
