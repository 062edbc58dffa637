# The live web form in headless Chromium (Debian's chromium through playwright-core): fill in
# an example field by field and compare with the CLI, an invalid field, language, perspective,
# rubric file, keyboard, phone width, no console errors; screenshot in target/web-form.png.
source "$(dirname "$0")/lib.sh"
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "web: installing Debian's chromium and chromium-driver"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
scripts/build-wasm
# The page test compares with the CLI's numbers for the same files.
cargo build --locked -p civic-value-cli
CIVIC_VALUE_CLI="$ROOT/target/debug/civic-value" node --test --test-reporter=spec wasm/tests/browser/
echo "screenshot: target/web-form.png"
