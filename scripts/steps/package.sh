# What each package ships: the crate (`cargo package`), the Python wheel (maturin) and the npm
# package (`npm pack`) each hold both licence files and nothing stray. Builds the crate as
# published (cargo package verifies it compiles on its own), a release wheel, and the
# browser package (scripts/build-wasm; quick when the wasm step built it already).
source "$(dirname "$0")/lib.sh"

VENV="$ROOT/target/venv-py"
if [ ! -x "$VENV/bin/maturin" ]; then
  echo "package: no maturin in $VENV; run the python step first (./scripts/test python package)" >&2
  exit 1
fi

echo "--- crate civic-value (cargo package)"
cargo package --locked --allow-dirty -p civic-value --list >"$ROOT/target/package-crate.txt"
cargo package --locked --allow-dirty -p civic-value >/dev/null 2>&1 ||
  cargo package --locked --allow-dirty -p civic-value

# The fuzz crate (its own workspace, built only by scripts/fuzz on nightly) keeps a lock file
# that must follow the engine's dependencies: resolving it --locked fails when it is stale.
echo "--- fuzz/Cargo.lock up to date"
(cd fuzz && cargo metadata --locked --format-version 1 >/dev/null)

echo "--- wheel (maturin build --release)"
rm -rf "$ROOT/target/wheels"
(cd py && "$VENV/bin/maturin" build --release --locked --quiet --out "$ROOT/target/wheels")
"$VENV/bin/python" - "$ROOT/target/wheels" >"$ROOT/target/package-wheel.txt" <<'PY'
import glob, sys, zipfile
(wheel,) = glob.glob(sys.argv[1] + "/*.whl")
print("\n".join(zipfile.ZipFile(wheel).namelist()))
PY

echo "--- npm package (npm pack --dry-run)"
scripts/build-wasm >/dev/null
(cd wasm/pkg && npm pack --dry-run --json --loglevel=error) |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const f of JSON.parse(s)[0].files)console.log(f.path)})' \
    >"$ROOT/target/package-npm.txt"

# Every listed file must match one of the allowed patterns, and each required file must be
# there.
check() {
  local what="$1" list="$2" allowed="$3"; shift 3
  local stray missing=0
  stray=$(grep -Ev "$allowed" "$list" || true)
  if [ -n "$stray" ]; then
    echo "package: $what holds files it should not:" >&2
    echo "$stray" | sed 's/^/  /' >&2
    missing=1
  fi
  for need in "$@"; do
    if ! grep -qxE "$need" "$list"; then
      echo "package: $what lacks $need" >&2
      missing=1
    fi
  done
  [ "$missing" = 0 ] && echo "$what: $(wc -l <"$list") files, licences present, nothing stray"
  return "$missing"
}

status=0
check "crate" "$ROOT/target/package-crate.txt" \
  '^(\.cargo_vcs_info\.json|Cargo\.toml|Cargo\.toml\.orig|Cargo\.lock|README\.md|LICENSE-MIT|LICENSE-APACHE|build\.rs|src/[a-z0-9_/]+\.rs|rubrics/[a-z_-]+\.(toml|json))$' \
  LICENSE-MIT LICENSE-APACHE README.md src/lib.rs rubrics/default.toml || status=1
check "wheel" "$ROOT/target/package-wheel.txt" \
  '^civic_value/([a-z_]+\.pyi?|py\.typed|_native\.abi3\.so)$|^civic_value-[0-9.]+\.dist-info/(METADATA|WHEEL|RECORD|licenses/LICENSE-(MIT|APACHE)|sboms/[a-z_-]+\.cyclonedx\.json)$' \
  'civic_value/__init__\.py' 'civic_value/py\.typed' 'civic_value/_native\.pyi' 'civic_value/_native\.abi3\.so' \
  'civic_value-[0-9.]+\.dist-info/licenses/LICENSE-MIT' 'civic_value-[0-9.]+\.dist-info/licenses/LICENSE-APACHE' || status=1
check "npm package" "$ROOT/target/package-npm.txt" \
  '^(package\.json|README\.md|LICENSE-MIT|LICENSE-APACHE|civic_value\.js|civic_value\.d\.ts|civic_value_bg\.wasm|civic_value(_score)?_bg\.wasm\.d\.ts|[a-z_]+\.(js|wasm|d\.ts)|snippets/.+\.js)$' \
  package.json README.md LICENSE-MIT LICENSE-APACHE civic_value.js civic_value.d.ts civic_value_bg.wasm \
  civic_value_score.js civic_value_score.d.ts civic_value_score_bg.wasm || status=1
exit "$status"
