// One set of argument helpers (wasm/src/args.rs) behind every export: the same mistake gives
// the same error whichever export it is made in — a wrong type is a TypeError worded alike,
// an options bag that is not an object is refused alike, and a getter that throws is an
// `input.parse` error at `options.<key>` carrying what it threw.
// Run: node --test wasm/tests/node/ (after scripts/build-wasm).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

import { initSync, Rubric, sroi, sroiSensitivity, weights } from "../../pkg/civic_value.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
initSync({ module: readFileSync(path.join(root, "wasm/pkg/civic_value_bg.wasm")) });

const rubric = Rubric.default();
const items = [{ support_share: 72 }];
const outcomes = [{ quantity: 1, proxy: 1, duration: 1 }];

const typeError = (fn, message) =>
  assert.throws(fn, (e) => e instanceof TypeError && e.message === message, message);

test("an options bag that is not an object is refused alike by every export", () => {
  const message = "options: expected an object or undefined, got array";
  typeError(() => rubric.monteCarlo(items, []), message);
  typeError(() => sroi(outcomes, 1, []), message);
  typeError(() => sroiSensitivity(outcomes, 1, []), message);
  typeError(() => rubric.monetise({}, []), message);
  typeError(() => weights.ahp([[1]], []), message);
});

test("a number of the wrong type is named alike", () => {
  typeError(() => rubric.tornado({}, "0.2"), "change: expected a number or undefined, got string");
  typeError(() => rubric.monteCarlo(items, { concentration: "5" }), "concentration: expected a number or undefined, got string");
  typeError(() => rubric.monetise({}, { investment: "5" }), "options.investment: expected a number or undefined, got string");
  // null is not a number: the message says null (it said "undefined" before).
  typeError(() => sroi(outcomes, null), "investment: expected a number, got null");
  typeError(() => rubric.monteCarlo(items, { varyInputs: 1 }), "varyInputs: expected a boolean or undefined, got number");
});

test("a getter that throws is input.parse at options.<key>, with what it threw", () => {
  const boom = (key) => ({ get [key]() { throw new Error("boom"); } });
  for (const [fn, p] of [
    [() => sroi(outcomes, 1, boom("discount")), "options.discount"],
    [() => rubric.monetise({}, boom("investment")), "options.investment"],
    [() => rubric.monteCarlo(items, boom("draws")), "options.draws"],
  ]) {
    assert.throws(fn, (e) => e.code === "input.parse" && e.path === p && e.detail === "reading it threw: boom", p);
  }
});

test("Monte Carlo options: the core's check and message, at the JS option's name", () => {
  const coded = (options, p, detail) =>
    assert.throws(() => rubric.monteCarlo(items, options), (e) =>
      e.code === "input.invalid_parameter" && e.path === p && e.detail === detail, `${p}: ${detail}`);
  // topK, not the core's top_k.
  coded({ topK: 0 }, "topK", "expected a whole number of at least 1, got 0");
  coded({ topK: -2 }, "topK", "expected a whole number of at least 1, got -2");
  // The same words as Python and the command line, for 0 and for what JS cannot convert.
  coded({ draws: 0 }, "draws", "expected a whole number of draws from 1 to 100000000, got 0");
  coded({ draws: 1.5 }, "draws", "expected a whole number of draws from 1 to 100000000, got 1.5");
  coded({ draws: 1e9 }, "draws", "expected a whole number of draws from 1 to 100000000, got 1000000000");
  coded({ seed: -1 }, "seed", "expected a whole number from 0 to 2^64 − 1, got -1");
  coded({ seed: 2n ** 64n }, "seed", "expected a whole number from 0 to 2^64 − 1, got 18446744073709551616");
  // A whole JS number above 2^53 − 1 is refused (not every such number is one), written as
  // Rust's `{}` writes the double: its shortest digits 1152921504606847 (Python's
  // repr(float(2**60)) is 1.152921504606847e+18) padded with zeros.
  coded({ seed: 2 ** 60 }, "seed", "expected a number up to 2^53 − 1 (a BigInt above), got 1152921504606847000");
  coded({ concentration: 0 }, "concentration", "expected a concentration greater than 0 (or infinity for fixed weights), got 0");
  typeError(() => rubric.monteCarlo(items, { topK: "3" }), "topK: expected a number, got string");
});
