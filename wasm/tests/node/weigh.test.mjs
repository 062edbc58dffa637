// Weigh and decide in the built npm package: every vector in tests/vectors/weigh/ (expected
// numbers from derive.py's numpy or the hand derivations in the notes), the JS contract
// (`weights.ahp`, `score.levers()`, `score.pathTo()`, `rubric.comparePerspectives()`), and
// bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

import { initSync, Rubric, mcda, weights } from "../../pkg/civic_value.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
initSync({ module: readFileSync(path.join(root, "wasm/pkg/civic_value_bg.wasm")) });

const dir = path.join(root, "tests/vectors/weigh");
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

function agree(got, want, at) {
  if (typeof want === "number") {
    assert.equal(typeof got, "number", `${at}: got ${got}`);
    assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(Math.abs(want), 1), `${at}: ${got} vs ${want}`);
  } else if (Array.isArray(want)) {
    assert.equal(got.length, want.length, `${at}: length`);
    want.forEach((w, k) => agree(got[k], w, `${at}[${k}]`));
  } else if (want !== null && typeof want === "object") {
    for (const [k, w] of Object.entries(want)) agree(got[k], w, `${at}.${k}`);
  } else {
    assert.equal(got, want, at);
  }
}

function run(kind, a) {
  const options = { method: a.method, ri: a.ri };
  switch (kind) {
    case "ahp": return weights.ahp(a.matrix, options);
    case "ahp_synthesis": return { priorities: weights.ahpSynthesis(a.criteria, a.alternatives, options).priorities };
    case "roc": return { weights: weights.roc(a.n) };
    case "rank_sum": return { weights: weights.rankSum(a.n) };
    case "swing": return { weights: weights.swing(a.points) };
    case "entropy": return { weights: weights.entropy(a.matrix, a.types) };
    case "critic": return { weights: weights.critic(a.matrix, a.types) };
    case "normalize": return { matrix: mcda.normalize(a.matrix, a.types, a.method) };
    case "wsum": return { scores: mcda.wsum(a.matrix, a.weights, a.types, { normalization: a.normalization }) };
    case "topsis": return { scores: mcda.topsis(a.matrix, a.weights, a.types, { normalization: a.normalization }) };
  }
  const rubric = a.rubric === "builtin" ? Rubric.default() : Rubric.fromJson(JSON.stringify(a.rubric));
  switch (kind) {
    case "levers": {
      const score = rubric.score(a.inputs, a.perspective);
      return { total: score.total, levers: score.levers() };
    }
    case "path_to":
      return { path: rubric.score(a.inputs, a.perspective).pathTo(a.band).map((s) => [s.criterion, s.value]) };
    case "compare_perspectives": {
      const c = rubric.comparePerspectives(a.inputs);
      return { ...c, points: Object.fromEntries(c.criteria.map((r) => [r.id, r.points])) };
    }
    case "with_weights": {
      const reweighted = rubric.withWeights(a.weights);
      assert.notEqual(reweighted.fingerprint, rubric.fingerprint);
      const d = reweighted.describe();
      const w = Object.fromEntries(d.themes.flatMap((t) => t.criteria.map((c) => [c.id, c.weight])));
      return { weights: w, total: reweighted.score(a.inputs).total };
    }
  }
  throw new Error(`unknown kind ${kind}`);
}

test("at least 40 weigh vectors", () => assert.ok(files.length >= 40));

for (const file of files) {
  const v = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
  test(`weigh vector ${v.name}`, () => {
    if (v.error) {
      assert.throws(() => run(v.kind, v.args), (e) => {
        assert.ok(e instanceof Error);
        assert.equal(e.code, v.error.code, e.message);
        assert.equal(e.path, v.error.path, e.message);
        if (v.error.message) assert.equal(e.detail, v.error.message);
        return true;
      });
      return;
    }
    const { exact = [], ...want } = v.expected;
    const got = run(v.kind, v.args);
    for (const i of exact) assert.equal(got.scores[i], 1);
    agree(got, want, v.name);
  });
}

const example = JSON.parse(readFileSync(path.join(root, "examples/oosterspoorbaan.json"), "utf8"));

test("a score's levers() and pathTo() are hidden methods; its data stays plain", () => {
  const rubric = Rubric.default();
  const score = rubric.score(example.inputs);
  assert.equal(Object.getPrototypeOf(score), Object.prototype);
  assert.ok(!Object.keys(score).includes("levers"));
  assert.equal(JSON.stringify(score).includes("levers"), false);
  const levers = score.levers();
  assert.equal(levers.length, 12);
  // Cost theme 10 % × 2/3: from value 0.28 to 1 is 100/15 × 0.72 = 4.8 points.
  assert.equal(levers[0].criterion, "municipal_contribution");
  assert.ok(Math.abs(levers[0].gain - 4.8) < 1e-12);
  assert.equal(levers[0].best, 0);
  const byId = Object.fromEntries(levers.map((l) => [l.criterion, l]));
  assert.equal(byId.permit_secured.best, true);
  assert.equal(byId.inclusion.best, "several_groups");
  assert.equal(byId.inclusion.per_unit, null);
  // Applying the top lever raises the total by exactly its gain.
  const after = rubric.score({ ...example.inputs, [levers[0].criterion]: levers[0].best });
  assert.equal(after.total - score.total, levers[0].gain);
  assert.deepEqual(score.pathTo("strong"), []);
  // A score keeps working after its rubric is freed (it holds its own handle).
  const own = Rubric.default();
  const s2 = own.score({ ...example.inputs, support_share: 40 });
  own.free();
  const path = s2.pathTo("strong");
  assert.equal(path[0].criterion, "support_share");
  assert.throws(() => s2.pathTo("gold"), (e) => e.code === "input.unknown_band" && e.path === "band");
  assert.throws(() => s2.pathTo(3), TypeError);
});

test("weights.ahp: options, result shape, errors naming the cell", () => {
  const r = weights.ahp([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]]);
  assert.deepEqual(Object.keys(r).sort(), ["ci", "consistent", "cr", "lambda_max", "method", "random_index", "ri", "weights"]);
  assert.equal(r.method, "eigenvector");
  assert.equal(r.ri, "saaty");
  const g = weights.ahp([[1, 2], [0.5, 1]], { method: "geometric_mean", ri: "alonso_lamata" });
  assert.equal(g.method, "geometric_mean");
  assert.equal(g.ri, "alonso_lamata");
  assert.throws(() => weights.ahp([[1, 3], [0.5, 1]]), (e) =>
    e.code === "input.not_reciprocal" && e.path === "matrix[1][0]"
    && e.message === "matrix[1][0]: must be 1/3 (reciprocal of 3), got 0.5");
  assert.throws(() => weights.ahp([[1, NaN], [1, 1]]), (e) => e.code === "input.not_finite" && e.path === "matrix[0][1]");
  assert.throws(() => weights.ahp([[1, "2"], [0.5, 1]]), TypeError);
  assert.throws(() => weights.ahp("matrix"), TypeError);
  assert.throws(() => weights.ahp([[1]], { method: "power" }), (e) => e.code === "input.unknown_method");
  assert.throws(() => weights.ahp([[1]], "eigenvector"), TypeError);
});

test("comparePerspectives: columns sum to the perspective totals", () => {
  const rubric = Rubric.default();
  const c = rubric.comparePerspectives(example.inputs);
  assert.deepEqual(c.columns, ["rubric", "municipality", "residents", "initiators"]);
  c.columns.forEach((p, k) => {
    const total = rubric.score(example.inputs, k === 0 ? undefined : p).total;
    assert.equal(c.totals[k], total);
    const sum = c.criteria.reduce((s, r) => s + r.points[k], 0);
    assert.ok(Math.abs(sum - total) < 1e-9);
  });
  const residents = c.differences.find((d) => d.perspective === "residents");
  assert.equal(residents.criterion, "green_area_m2");
});

test("score methods use the inputs as they were when scored, per score", () => {
  const rubric = Rubric.default();
  const original = { ...example.inputs, support_share: 40 };
  const inputs = { ...original };
  const a = rubric.score(inputs, "residents");
  const b = rubric.score(new Map(Object.entries(example.inputs)));
  // The caller changes (and empties) its object afterwards: a's methods must not see it.
  inputs.support_share = 95;
  inputs.permit_secured = false;
  for (const k of Object.keys(inputs)) delete inputs[k];
  // Expected: the rubric's own entry points on a fresh copy of the original inputs.
  assert.deepEqual(a.levers(), rubric.levers(original, "residents"));
  assert.deepEqual(a.pathTo("strong"), rubric.pathTo(original, "strong", "residents"));
  assert.equal(a.nextBand(), rubric.score({ ...original }, "residents").nextBand());
  // Two scores of one rubric share its context but keep their own inputs and perspective.
  assert.deepEqual(b.levers(), rubric.levers(example.inputs));
  assert.notDeepEqual(a.levers(), b.levers());
  // Methods called on another object fail as before (no context there).
  assert.throws(() => a.levers.call({}), TypeError);
});
