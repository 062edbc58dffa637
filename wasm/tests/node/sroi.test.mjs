// Monetised value in the built npm package: every vector in tests/vectors/sroi/ (expected
// numbers from the independent derivation in derive.py), the JS contract, and bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

import { initSync, Rubric, sroi, sroiSensitivity } from "../../pkg/civic_value.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
initSync({ module: readFileSync(path.join(root, "wasm/pkg/civic_value_bg.wasm")) });

const dir = path.join(root, "tests/vectors/sroi");
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
const close = (got, want, what) =>
  assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(Math.abs(want), 1), `${what}: ${got} vs ${want}`);

test("at least 8 SROI vectors", () => assert.ok(files.length >= 8));

for (const file of files) {
  const v = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
  test(`sroi vector ${v.name}`, () => {
    const run = () =>
      v.rubric === "builtin"
        ? Rubric.default().monetise(v.inputs).sroi
        : sroi(v.outcomes, v.investment, { discount: v.discount });
    if (v.error) {
      assert.throws(run, (e) => e instanceof Error && e.code === v.error.code && e.path === v.error.path);
      return;
    }
    const r = run();
    for (const key of ["present_value", "npv", "ratio", "net_ratio"]) close(r[key], v.expected[key], key);
    if (v.expected.payback_years === null) assert.equal(r.payback_years, null);
    else close(r.payback_years, v.expected.payback_years, "payback_years");
  });
}

test("results are plain objects with the named discount and the table", () => {
  // gross 1000, net 360, values 360, 180, 90 at 20 %: 300 + 125 + 52.08…
  const r = sroi(
    [{ name: "x", quantity: 100, proxy: 10, deadweight: 0.2, displacement: 0.1, attribution: 0.5, drop_off: 0.5, duration: 3 }],
    400,
    { discount: 0.2 },
  );
  assert.equal(Object.getPrototypeOf(r), Object.prototype);
  assert.equal(r.discount.name, "rate");
  assert.deepEqual(r.table.map((y) => y.value), [360, 180, 90]);
  assert.equal(r.waterfall.at(-1).step, "present_value");
  const def = sroi([{ quantity: 1, proxy: 100, duration: 1 }], 50);
  assert.equal(def.discount.name, "nl-mkba-2021");
  close(def.present_value, 100 / 1.0225, "default discount");
  const rows = sroiSensitivity([{ quantity: 100, proxy: 10, deadweight: 0.2, duration: 1 }], 400, {
    discount: 0,
    ends: { deadweight: [0, 0.5] },
  });
  const dw = rows.find((x) => x.parameter === "deadweight");
  close(dw.ratio_low, 2.5, "deadweight 0");
  close(dw.ratio_high, 1.25, "deadweight 0.5");
});

test("monetise with the built-in rubric and with options", () => {
  const rubric = Rubric.default();
  const inputs = { volunteer_hours: [2500, 4000], green_area_m2: 18000, municipal_contribution: 180000 };
  const m = rubric.monetise(inputs);
  assert.equal(m.currency, "EUR");
  assert.equal(m.investment_source, "municipal_contribution");
  assert.ok(m.present_value_interval.low < m.sroi.present_value);
  const given = rubric.monetise(inputs, { investment: 100000, discount: "uk-green-book-2022" });
  assert.equal(given.investment_source, "given");
  assert.equal(given.sroi.discount.name, "uk-green-book-2022");
  assert.throws(() => rubric.monetise({ volunteer_hours: 10 }), (e) => e.code === "input.missing");
  const plain = Rubric.fromJson(JSON.stringify({
    id: "plain", version: "1", themes: [{ id: "t", weight: 1 }],
    criteria: [{ id: "x", theme: "t", weight: 1, value_function: { type: "linear", worst: 0, best: 1 } }],
  }));
  assert.throws(() => plain.monetise({}, { investment: 1 }), (e) => e.code === "input.no_monetisation");
});

test("bad input names the row and field; wrong JS types are TypeErrors", () => {
  const one = { quantity: 1, proxy: 1, duration: 1 };
  const cases = [
    [[one, { ...one, deadweight: 1.5 }], "input.not_a_fraction", "outcomes[1].deadweight"],
    [[{ ...one, quantity: -1 }], "input.negative", "outcomes[0].quantity"],
    [[{ ...one, quantity: NaN }], "input.not_finite", "outcomes[0].quantity"],
    [[{ ...one, duration: 0 }], "input.invalid_duration", "outcomes[0].duration"],
    [[{ ...one, duration: 2.5 }], "input.invalid_duration", "outcomes[0].duration"],
    ["not a list", "input.parse", "outcomes"],
  ];
  for (const [outcomes, code, p] of cases) {
    assert.throws(() => sroi(outcomes, 10), (e) => e instanceof Error && e.code === code && e.path === p, code);
  }
  assert.throws(() => sroi([one], 0), (e) => e.code === "input.no_investment" && /no SROI ratio/.test(e.message));
  assert.throws(() => sroi([one], "10"), TypeError);
  assert.throws(() => sroi([one], 10, 5), TypeError);
  assert.throws(() => Rubric.default().monetise({}, { investment: "lots" }), TypeError);
  assert.throws(() => sroi([one], 10, { discount: "us-omb" }), (e) => e.code === "input.unknown_discount");
  // Still working after the errors.
  close(sroi([one], 1, { discount: 0 }).ratio, 1, "ratio");
});
