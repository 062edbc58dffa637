// The built npm package (wasm/pkg: wasm-opt'd .wasm and the generated JS glue) in node:
// every vector in tests/vectors/ through the public JS API, and the API contract as a JS
// caller sees it. Run: node --test wasm/tests/node/ (after scripts/build-wasm).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

import { initSync, Rubric, engineVersion } from "../../pkg/civic_value.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
initSync({ module: readFileSync(path.join(root, "wasm/pkg/civic_value_bg.wasm")) });

const TOLERANCE = 1e-12;
const vectorDir = path.join(root, "tests/vectors");
const vectorFiles = readdirSync(vectorDir).filter((f) => f.endsWith(".json")).sort();

function loadRubric(v) {
  if (v.rubric === "builtin") return Rubric.default();
  if (v.rubric !== undefined) return Rubric.fromJson(JSON.stringify(v.rubric));
  return Rubric.fromToml(v.rubric_toml);
}

function close(got, want, what) {
  assert.ok(Math.abs(got - want) <= TOLERANCE, `${what} = ${got}, expected ${want}`);
}

test("at least 12 vectors", () => {
  assert.ok(vectorFiles.length >= 12, `found ${vectorFiles.length}`);
});

for (const file of vectorFiles) {
  const v = JSON.parse(readFileSync(path.join(vectorDir, file), "utf8"));
  test(`vector ${v.name}`, () => {
    let stage = "rubric";
    let score;
    try {
      const rubric = loadRubric(v);
      stage = "score";
      score = rubric.score(v.inputs, v.perspective ?? undefined);
    } catch (e) {
      assert.ok(e instanceof Error, "thrown value is an Error");
      assert.ok(v.error, `unexpected ${stage} error ${e.code} at ${e.path}: ${e.message}`);
      assert.deepEqual(
        { stage, code: e.code, path: e.path },
        { stage: v.error.stage, code: v.error.code, path: v.error.path },
      );
      return;
    }
    assert.ok(!v.error, `expected ${v.error?.code}, got total ${score?.total}`);
    const want = v.expected;
    close(score.total, want.total, "total");
    if (want.interval) {
      close(score.interval.low, want.interval[0], "interval.low");
      close(score.interval.high, want.interval[1], "interval.high");
    }
    if ("band" in want) assert.equal(score.band, want.band);
    if ("knocked_out" in want) assert.equal(score.knocked_out, want.knocked_out);
    if (want.knockouts) assert.deepEqual(score.knockouts.map((k) => k.criterion), want.knockouts);
    const row = (id) => score.criteria.find((c) => c.id === id);
    for (const [id, p] of Object.entries(want.points ?? {})) close(row(id).points, p, `points.${id}`);
    for (const [id, f] of Object.entries(want.flags ?? {})) assert.deepEqual(row(id).flags, f, `flags.${id}`);
  });
}

function assertPlain(value, at = "value") {
  if (Array.isArray(value)) return value.forEach((x, i) => assertPlain(x, `${at}[${i}]`));
  if (value !== null && typeof value === "object") {
    assert.equal(Object.getPrototypeOf(value), Object.prototype, `${at} is a plain object`);
    for (const [k, x] of Object.entries(value)) assertPlain(x, `${at}.${k}`);
  }
}

const example = JSON.parse(readFileSync(path.join(root, "examples/oosterspoorbaan.json"), "utf8"));

test("Rubric.default(), its identity and describe()", () => {
  const rubric = Rubric.default();
  assert.ok(rubric instanceof Rubric);
  assert.equal(rubric.id, "civic-value-default");
  assert.match(rubric.fingerprint, /^[0-9a-f]{64}$/);
  assert.equal(typeof rubric.version, "string");
  const nl = rubric.describe("nl");
  assertPlain(nl, "describe('nl')");
  assert.equal(nl.lang, "nl");
  assert.equal(nl.fingerprint, rubric.fingerprint);
  const ids = nl.themes.flatMap((t) => t.criteria.map((c) => c.id));
  for (const id of Object.keys(example.inputs)) assert.ok(ids.includes(id), `${id} is described`);
  const en = rubric.describe("en");
  assert.notEqual(en.themes[0].label, nl.themes[0].label, "labels follow the language");
  assert.equal(rubric.describe().lang, "en");
});

test("score() returns plain objects of the CLI's JSON shape", () => {
  const score = Rubric.default().score(example.inputs);
  assertPlain(score, "score");
  assert.deepEqual(Object.keys(score).sort(), [
    "aggregation", "band", "criteria", "engine", "interval", "knocked_out", "knockouts",
    "perspective", "rubric", "themes", "total", "warnings",
  ]);
  assert.equal(score.perspective, null);
  assert.equal(score.engine, engineVersion());
  assert.ok(score.interval.low < score.total && score.total < score.interval.high, "a range widens the interval");
  const sum = score.criteria.reduce((s, c) => s + c.points, 0);
  assert.ok(Math.abs(sum - score.total) < 1e-9, "points add up to the total");
  const residents = Rubric.default().score(example.inputs, "residents");
  assert.equal(residents.perspective, "residents");
  assert.notEqual(residents.total, score.total);
});

test("errors are Error objects with code, path and the core's message", () => {
  const rubric = Rubric.default();
  const cases = [
    [() => rubric.score({ volunteer_hours: "lots" }), "input.not_a_number", "input.volunteer_hours"],
    [() => rubric.score({ support_share: NaN }), "input.not_finite", "input.support_share"],
    [() => rubric.score({ support_share: 120 }), "input.above_max", "input.support_share"],
    [() => rubric.score({ neighbour_contact: 7 }), "input.likert_out_of_range", "input.neighbour_contact"],
    [() => rubric.score({ nope: 1 }), "input.unknown_criterion", "input.nope"],
    [() => rubric.score({ volunteer_hours: [1, 2, 3] }), "input.parse", "input.volunteer_hours"],
    [() => rubric.score([]), "input.parse", "input"],
    [() => rubric.score({}, "nobody"), "input.unknown_perspective", "perspective"],
    [() => Rubric.fromJson("{"), "rubric.parse", undefined],
    [() => Rubric.fromToml("id = 3"), "rubric.parse", "id"],
    [() => rubric.parseText("nope", "1"), "input.unknown_criterion", "input.nope"],
  ];
  for (const [call, code, where] of cases) {
    assert.throws(call, (e) => {
      assert.ok(e instanceof Error, `${code}: instanceof Error`);
      assert.equal(e.name, "CivicValueError");
      assert.equal(e.code, code);
      if (where !== undefined) assert.equal(e.path, where);
      assert.equal(e.message, e.path ? `${e.path}: ${e.detail}` : e.detail);
      assert.ok(e.detail.length > 0);
      return true;
    });
  }
});

test("parseText() reads typed text by the core's rules", () => {
  const rubric = Rubric.default();
  assert.deepEqual(rubric.parseText("volunteer_hours", "2500..4000"), [2500, 4000]);
  assert.equal(rubric.parseText("volunteer_hours", " 1200 "), 1200);
  assert.equal(rubric.parseText("volunteer_hours", ""), null);
  assert.equal(rubric.parseText("volunteer_hours", "lots"), "lots");
  assert.equal(rubric.parseText("permit_secured", "ja"), true);
  assert.ok(Number.isNaN(rubric.parseText("support_share", "nan")));
});

test("nothing panics on hostile input", () => {
  const rubric = Rubric.default();
  const hostile = [
    undefined, null, 3, "x", [], new Map([["a", 1]]), { volunteer_hours: {} },
    { volunteer_hours: { low: "a", high: 2 } }, { volunteer_hours: [Infinity, 1] },
    { volunteer_hours: Symbol.iterator }, { inclusion: 2 }, { permit_secured: 1 },
    Object.create(null), { volunteer_hours: 1e308 * 10 },
  ];
  for (const inputs of hostile) {
    try {
      rubric.score(inputs);
    } catch (e) {
      assert.ok(e instanceof Error, `threw a non-Error for ${String(inputs)}`);
      assert.notEqual(e.name, "RuntimeError", `wasm trapped (panic) for ${String(inputs)}: ${e.message}`);
    }
  }
  // The rubric is still usable afterwards.
  assert.equal(typeof rubric.score(example.inputs).total, "number");
  for (const text of ["", "[]", "null", "{\"id\": \"x\"}", "\u0000", "{".repeat(10000), " ".repeat(2_000_000)]) {
    assert.throws(() => Rubric.fromJson(text), (e) => e instanceof Error && typeof e.code === "string");
  }
});
