# The browser package (npm `civic-value`): build it (on a fresh machine this installs the
# wasm32 target, wasm-bindgen-cli at the pinned version and the npm tools of wasm/), run every
# test vector and the API contract through the JS API with wasm-bindgen-test in node, test the
# built package itself in node, and type-check a usage file against its generated .d.ts.
source "$(dirname "$0")/lib.sh"
scripts/build-wasm
cargo test --locked -p civic-value-wasm --target wasm32-unknown-unknown
node --test --test-reporter=spec wasm/tests/node/
wasm/node_modules/.bin/tsc --noEmit -p wasm
echo "tsc: wasm/tests/usage.ts and usage_score.ts type-check against wasm/pkg/civic_value.d.ts and civic_value_score.d.ts"
