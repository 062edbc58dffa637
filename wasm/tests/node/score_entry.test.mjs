// The scoring-only entry point (`civic-value/score`: civic_value_score.js and its .wasm,
// built from the same crate without the `analyses` feature) against the full module in
// the same process: every vector in tests/vectors/ scores to the same result, value for
// value (numbers compared with Object.is, so bit for bit and -0 apart from 0), and fails
// with the same error (code, path, message); the vector's own expectations hold for it too.
// Run: node --test wasm/tests/node/ (after scripts/build-wasm).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

import * as full from "../../pkg/civic_value.js";
import * as lean from "../../pkg/civic_value_score.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const pkg = path.join(root, "wasm/pkg");
full.initSync({ module: readFileSync(path.join(pkg, "civic_value_bg.wasm")) });
lean.initSync({ module: readFileSync(path.join(pkg, "civic_value_score_bg.wasm")) });

const vectorDir = path.join(root, "tests/vectors");
const vectors = readdirSync(vectorDir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(path.join(vectorDir, f), "utf8")));

/** `a` and `b` the same plain data: same keys in the same order, numbers by Object.is. */
function same(a, b, at = "value") {
  if (typeof a === "number") {
    assert.ok(Object.is(a, b), `${at}: ${a} (full) and ${b} (scoring-only) differ`);
  } else if (Array.isArray(a)) {
    assert.ok(Array.isArray(b), `${at}: an array in one build only`);
    assert.equal(a.length, b.length, `${at}.length`);
    a.forEach((x, i) => same(x, b[i], `${at}[${i}]`));
  } else if (a !== null && typeof a === "object") {
    assert.deepEqual(Object.keys(a), Object.keys(b), `${at}: keys`);
    for (const k of Object.keys(a)) same(a[k], b[k], `${at}.${k}`);
  } else {
    assert.equal(a, b, at);
  }
}

/** What a call gives: its value, or the error it throws (as plain data). */
function outcome(f) {
  try {
    return { value: f() };
  } catch (e) {
    return { error: { name: e.name, code: e.code, path: e.path, message: e.message } };
  }
}

function rubricOf(api, v) {
  if (v.rubric === "builtin") return api.Rubric.default();
  if (v.rubric !== undefined) return api.Rubric.fromJson(JSON.stringify(v.rubric));
  return api.Rubric.fromToml(v.rubric_toml);
}

test("at least 12 vectors", () => assert.ok(vectors.length >= 12, `found ${vectors.length}`));

for (const v of vectors) {
  test(`vector ${v.name}: the scoring-only module scores as the full one`, () => {
    const run = (api) => {
      const made = outcome(() => rubricOf(api, v));
      if (made.error) return { stage: "rubric", ...made };
      const rubric = made.value;
      return {
        fingerprint: rubric.fingerprint,
        score: outcome(() => rubric.score(v.inputs, v.perspective ?? undefined)),
      };
    };
    const a = run(full);
    const b = run(lean);
    same(a, b);
    // The vector's own expectation, for the scoring-only module.
    if (v.error) {
      const err = b.error ?? b.score.error;
      assert.ok(err, `expected ${v.error.code}`);
      assert.deepEqual({ code: err.code, path: err.path }, { code: v.error.code, path: v.error.path });
    } else {
      assert.ok(!b.error && !b.score.error, JSON.stringify(b.error ?? b.score.error));
      assert.ok(Math.abs(b.score.value.total - v.expected.total) <= 1e-12, `total ${b.score.value.total}`);
      if ("band" in v.expected) assert.equal(b.score.value.band, v.expected.band);
    }
  });
}

test("describe, parseText, errors and the engine version agree", () => {
  const [rf, rl] = [full.Rubric.default(), lean.Rubric.default()];
  same(rf.describe("nl"), rl.describe("nl"));
  same(rf.describe(), rl.describe());
  for (const [id, text] of [["volunteer_hours", "2500..4000"], ["support_share", "72,5"], ["support_share", ""]]) {
    same(outcome(() => rf.parseText(id, text)), outcome(() => rl.parseText(id, text)));
  }
  same(outcome(() => rf.parseText("nope", "1")), outcome(() => rl.parseText("nope", "1")));
  // Messages that print numbers (the core's own float writer in both builds).
  for (const inputs of [{ support_share: 1e300 }, { support_share: -0.5 }, { volunteer_hours: [5, 1.25e-7] }, { nope: 1 }]) {
    same(outcome(() => rf.score(inputs)), outcome(() => rl.score(inputs)));
  }
  for (const text of ["{", '{"id": 1.5}', '{"id": "r", "version": "1", "themes": [{"id": "t", "weight": 1e400}], "criteria": []}']) {
    same(outcome(() => full.Rubric.fromJson(text)), outcome(() => lean.Rubric.fromJson(text)));
  }
  assert.equal(full.engineVersion(), lean.engineVersion());
});

test("the scoring-only module has the scoring API and no analyses", () => {
  for (const name of ["Rubric", "engineVersion", "initToml", "default", "initSync"]) {
    assert.ok(name in lean, `civic-value/score exports ${name}`);
  }
  for (const name of ["mcda", "weights", "sroi", "sroiSensitivity"]) {
    assert.ok(name in full && !(name in lean), `${name} only in the full module`);
  }
  const score = lean.Rubric.default().score({ support_share: 72 });
  assert.equal(score.levers, undefined, "a plain score: no levers()");
  assert.equal(typeof full.Rubric.default().score({ support_share: 72 }).levers, "function");
});

test("package.json maps civic-value/score to the scoring-only files", () => {
  const manifest = JSON.parse(readFileSync(path.join(pkg, "package.json"), "utf8"));
  const entry = manifest.exports["./score"];
  assert.deepEqual(entry, { types: "./civic_value_score.d.ts", default: "./civic_value_score.js" });
  for (const f of [entry.types, entry.default, "./civic_value_score_bg.wasm"]) {
    assert.ok(existsSync(path.join(pkg, f)), `${f} is built`);
    assert.ok(manifest.files.includes(f.slice(2)), `${f} is in files`);
  }
});
