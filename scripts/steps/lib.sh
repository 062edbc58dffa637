# Shared helpers for the step scripts (sourced, not run).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Where tools installed by the steps go (kept out of the repository).
TOOLS="${CIVIC_VALUE_TOOLS:-$ROOT/target/tools}"
mkdir -p "$TOOLS"
export PATH="$HOME/.cargo/bin:$TOOLS/bin:$PATH"

# Run as root or through sudo when available (apt-get on a fresh machine).
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi
}
