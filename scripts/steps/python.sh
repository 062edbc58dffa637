source "$(dirname "$0")/lib.sh"
# The Python package civic_value (py/): build it into a virtual environment under target/,
# run pytest (shared vectors, batch = row by row, pandas/Polars/pyarrow frames, Dask on a
# two-process LocalCluster, bad input, API, the example notebook executed headless), check the type stubs (mypy stubtest against the built module, and
# mypy --strict over the package and a usage file), lint every Python file (ruff) and smoke-run
# the Python benchmarks.
#
# Works on a fresh machine with Python 3.9+ and Rust: the venv and its pinned packages
# are made on the first run and kept until py/requirements-dev.txt or
# benches/python/requirements.txt change.

PY="${PYTHON:-python3}"
VENV="$ROOT/target/venv-py"
REQUIREMENTS=(py/requirements-dev.txt benches/python/requirements.txt)

if ! command -v "$PY" >/dev/null; then
  as_root apt-get update -qq
  as_root apt-get install -y -qq python3 python3-venv >/dev/null
fi

stamp="$VENV/.requirements.sha256"
wanted="$( (cat "${REQUIREMENTS[@]}"; "$PY" --version) | sha256sum | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  rm -rf "$VENV"
  if ! "$PY" -m venv "$VENV" >/dev/null 2>&1; then
    # Debian's python3 leaves venv (ensurepip) to a package of its own.
    rm -rf "$VENV"
    as_root apt-get update -qq
    as_root apt-get install -y -qq python3-venv >/dev/null
    "$PY" -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
    $(printf -- '-r %s ' "${REQUIREMENTS[@]}")
  echo "$wanted" >"$stamp"
fi

# maturin installs into the active virtual environment.
export VIRTUAL_ENV="$VENV"
export PATH="$VENV/bin:$PATH"
export MYPY_CACHE_DIR="$ROOT/target/mypy-cache"
export PYTHONDONTWRITEBYTECODE=1

echo "--- lint (ruff check: every Python file, the rules in ruff.toml)"
(cd "$ROOT" && python -m ruff check --quiet .)

echo "--- build (maturin develop --release)"
(cd py && maturin develop --release --locked --quiet)

echo "--- pytest"
(cd py && python -m pytest -q -p no:cacheprovider)

echo "--- type stubs (mypy stubtest, mypy --strict)"
python -m mypy.stubtest civic_value
(cd py && python -m mypy --strict python/civic_value tests/typed/usage.py)

echo "--- benchmark smoke runs (figures: benches/python/bench_score_matrix.py, bench_score_frame.py, bench_monte_carlo.py)"
python benches/python/bench_score_matrix.py --quick
python benches/python/bench_score_frame.py --quick
python benches/python/bench_monte_carlo.py --quick
