# Rust toolchain parts every later step needs.
source "$(dirname "$0")/lib.sh"
command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup first" >&2; exit 1; }
rustup component add rustfmt clippy >/dev/null 2>&1 || true
cargo --version
