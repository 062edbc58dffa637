// Sensitivity in the built npm package: every Monte Carlo vector in tests/vectors/monte_carlo/
// (expected numbers from the independent numpy/Python implementation in derive.py; the
// Python and Rust suites run the same files, so the same seed gives the same numbers in all
// three), the hand-derived tornado of core/tests/sensitivity.rs, and bad arguments.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

import { initSync, Rubric } from "../../pkg/civic_value.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
initSync({ module: readFileSync(path.join(root, "wasm/pkg/civic_value_bg.wasm")) });

const dir = path.join(root, "tests/vectors/monte_carlo");
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
const close = (got, want, what) => assert.ok(Math.abs(got - want) <= 1e-9, `${what}: ${got} vs ${want}`);

test("at least 3 Monte Carlo vectors", () => assert.ok(files.length >= 3));

for (const file of files) {
  const text = readFileSync(path.join(dir, file), "utf8");
  const v = JSON.parse(text);
  test(`monte carlo vector ${v.name}`, () => {
    const rubric = Rubric.fromJson(JSON.stringify(v.rubric));
    const o = v.options;
    // Seeds above 2^53 go as a BigInt (read from the text: JSON.parse rounds them).
    const seedText = text.match(/"seed":\s*(\d+)/)[1];
    const seed = Number.isSafeInteger(Number(seedText)) ? Number(seedText) : BigInt(seedText);
    const mc = rubric.monteCarlo(v.initiatives, {
      draws: o.draws,
      seed,
      concentration: o.concentration === "inf" ? Infinity : o.concentration,
      varyInputs: o.vary_inputs,
      topK: o.top_k,
    });
    assert.equal(mc.seed, seed);
    assert.equal(mc.draws, o.draws);
    mc.summary.forEach((s, i) => {
      for (const key of ["mean", "p5", "p50", "p95", "p_top_k"]) close(s[key], v.expected.summary[i][key], `${key}[${i}]`);
    });
    mc.ranks.forEach((row, i) => row.forEach((x, r) => close(x, v.expected.ranks[i][r], `ranks[${i}][${r}]`)));
  });
}

const three = Rubric.fromJson(
  JSON.stringify({
    id: "three",
    version: "1",
    themes: [{ id: "t", weight: 1 }],
    criteria: [0.5, 0.3, 0.2].map((weight, i) => ({
      id: `c${i}`,
      theme: "t",
      weight,
      min: 0,
      max: 10,
      value_function: { type: "linear", worst: 0, best: 10 },
    })),
  }),
);

test("tornado by hand (core/tests/sensitivity.rs)", () => {
  const t = three.tornado({ c0: 8, c1: 2, c2: 5 }, 0.2);
  close(t.total, 56, "total");
  assert.deepEqual(t.rows.map((r) => r.criterion), ["c0", "c1", "c2"]);
  // c0: 100·(0.4·0.8 + 1.2·0.16) = 51.2 and 100·(0.6·0.8 + 0.8·0.16) = 60.8.
  close(t.rows[0].low, 51.2, "c0 low");
  close(t.rows[0].high, 60.8, "c0 high");
  close(t.rows[2].low, 56.3, "c2 low");
  close(t.rows[2].high, 55.7, "c2 high");
  assert.deepEqual(three.tornado({ c0: 8, c1: 2, c2: 5 }), t); // change defaults to 0.2
});

test("fixed weights and point inputs reproduce the score; defaults; plain results", () => {
  const rubric = Rubric.default();
  const items = [{ volunteer_hours: 3000, support_share: 72 }, { volunteer_hours: 200, support_share: 55 }];
  const mc = rubric.monteCarlo(items, { draws: 300, concentration: Infinity });
  assert.equal(mc.concentration, Infinity);
  items.forEach((inputs, i) => {
    const total = rubric.score(inputs).total;
    assert.deepEqual([mc.summary[i].p5, mc.summary[i].p50, mc.summary[i].p95], [total, total, total]);
  });
  const d = rubric.monteCarlo(items, { draws: 100 });
  assert.deepEqual([d.seed, d.concentration, d.top_k, d.vary_inputs], [0, 100, 3, true]);
  for (const row of d.ranks) close(row.reduce((a, b) => a + b, 0), 1, "rank row");
  assert.deepEqual(rubric.monteCarlo(items, { draws: 100 }), d);
  assert.equal(Object.getPrototypeOf(d.summary[0]), Object.prototype);
});

test("bad arguments: CivicValueError with code and path, TypeError for wrong types", () => {
  const rubric = Rubric.default();
  const items = [{ support_share: 72 }];
  const coded = (fn, code, p) => assert.throws(fn, (e) => e instanceof Error && e.code === code && e.path === p);
  coded(() => rubric.monteCarlo(items, { draws: 0 }), "input.invalid_parameter", "draws");
  coded(() => rubric.monteCarlo(items, { draws: 1.5 }), "input.invalid_parameter", "draws");
  coded(() => rubric.monteCarlo(items, { seed: -1 }), "input.invalid_parameter", "seed");
  coded(() => rubric.monteCarlo(items, { concentration: 0 }), "input.invalid_parameter", "concentration");
  coded(() => rubric.monteCarlo(items, { concentration: NaN }), "input.invalid_parameter", "concentration");
  coded(() => rubric.monteCarlo([{ support_share: 72 }, { support_share: 120 }], { draws: 5 }), "input.above_max", "rows[1].input.support_share");
  coded(() => three.tornado({ c0: 1 }, 1.5), "input.not_a_fraction", "change");
  assert.throws(() => rubric.monteCarlo({ support_share: 1 }), TypeError);
  assert.throws(() => rubric.monteCarlo(items, { draws: "10" }), TypeError);
  assert.throws(() => rubric.monteCarlo(items, { varyInputs: 1 }), TypeError);
  assert.throws(() => rubric.monteCarlo(items, 5), TypeError);
  assert.throws(() => three.tornado({ c0: 1 }, "0.2"), TypeError);
});
