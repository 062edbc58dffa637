// The size of the browser package's .wasm, gzipped as a server would (gzip -9): a budget that
// fails the wasm step when the module grows. Issue 10's target is 100 KB; the budget is what
// the package reaches today (README, "Browser package: size and speed", says what each step
// saved and what is left): 154 KB for the scoring API alone, 182 KB since the SROI exports
// (sroi, sroiSensitivity, monetise) landed, 248 KB since weigh and decide (weights, mcda,
// levers, pathTo, comparePerspectives) and the engine's hardening landed, 246 KB after the
// cuts of issue 10's size pass (no Debug of errors, dependencies at opt-level z), 231 KB after
// the second (rubric documents read and written canonically by hand, not through serde's
// derives), 233 KB with the display rules in core merged, 207 KB after the third (sha2's
// compact SHA-256, the core's own JSON reader, float reading without std's table; the
// scoring API alone 118 KB). The scoring-only entry point (`civic-value/score`, the same
// crate without the `analyses` feature, opt-level "z") meets the target: it must stay within
// 100 000 bytes (97 KB after the fourth pass: the core's own float writer, ids found by
// halving instead of a HashMap; 97 610 bytes by gzip -9, 98 709 by node's zlib, since its
// score() went under 20 µs: README "Size and speed"). Set CIVIC_VALUE_WASM_GZ_BUDGET to
// try a tighter budget for the full module.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const TARGET = 100_000;
const BUDGET = Number(process.env.CIVIC_VALUE_WASM_GZ_BUDGET ?? 210_000);

test(`civic_value_bg.wasm gzipped stays within ${BUDGET} bytes (target ${TARGET})`, () => {
  const wasm = readFileSync(path.join(root, "wasm/pkg/civic_value_bg.wasm"));
  const gz = gzipSync(wasm, { level: 9 }).length;
  console.log(`civic_value_bg.wasm: ${wasm.length} bytes, ${gz} gzipped; budget ${BUDGET}, target ${TARGET}`);
  assert.ok(gz <= BUDGET, `${gz} bytes gzipped, more than the budget of ${BUDGET}`);
});

test("the TOML module is separate and loaded only on demand", () => {
  const main = new WebAssembly.Module(readFileSync(path.join(root, "wasm/pkg/civic_value_bg.wasm")));
  assert.ok(WebAssembly.Module.exports(main).every((e) => !/toml_parser|toml::/.test(e.name)));
  const wasm = readFileSync(path.join(root, "wasm/pkg/civic_value_toml.wasm"));
  assert.equal(WebAssembly.Module.imports(new WebAssembly.Module(wasm)).length, 0, "a plain module");
});

test(`civic_value_score_bg.wasm (civic-value/score) gzipped stays within the target of ${TARGET} bytes`, () => {
  const wasm = readFileSync(path.join(root, "wasm/pkg/civic_value_score_bg.wasm"));
  const gz = gzipSync(wasm, { level: 9 }).length;
  console.log(`civic_value_score_bg.wasm: ${wasm.length} bytes, ${gz} gzipped; target ${TARGET}`);
  assert.ok(gz <= TARGET, `${gz} bytes gzipped, more than the target of ${TARGET}`);
});
