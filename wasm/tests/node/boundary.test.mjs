// The JS boundary is typed and panic-proof (issue 11, items 1, 2 and 8): every export checks
// its arguments (a TypeError naming the argument), inputs are read once into an owned value
// (getters run once; what they or Proxy traps throw becomes an InputError with code and
// path; nothing stays borrowed), objects that are neither plain objects nor Maps are
// refused, and the size limit holds for every input form. Then many thousands of hostile
// calls in one process, after which the module still scores correctly and free() works.
// Run: node --test wasm/tests/node/ (after scripts/build-wasm).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

import { initSync, Rubric, engineVersion } from "../../pkg/civic_value.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
initSync({ module: readFileSync(path.join(root, "wasm/pkg/civic_value_bg.wasm")) });

const example = JSON.parse(readFileSync(path.join(root, "examples/oosterspoorbaan.json"), "utf8")).inputs;
const reference = JSON.stringify(Rubric.default().score(example));

const revoked = (() => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
})();

// A value of each JS type, with the word the TypeError uses for it.
const WRONG = [
  [5, "number"], [true, "boolean"], [{}, "object"], [[], "array"], [null, "null"],
  [Symbol("s"), "symbol"], [10n, "bigint"], [() => 1, "function"], [new Date(0), "Date"],
  [revoked, "object"], [new Map(), "Map"], [new Uint8Array(2), "Uint8Array"],
];

function assertTypeError(call, name, expected, got) {
  assert.throws(call, (e) => {
    assert.ok(e instanceof TypeError, `${name}: ${e?.name}: ${e?.message}`);
    assert.equal(e.message, `${name}: expected ${expected}, got ${got}`);
    return true;
  });
}

test("every export checks its arguments and throws a TypeError naming the argument", () => {
  const rubric = Rubric.default();
  for (const [value, got] of WRONG) {
    assertTypeError(() => Rubric.fromJson(value), "text", "a string", got);
    assertTypeError(() => Rubric.fromToml(value), "text", "a string", got);
    assertTypeError(() => rubric.parseText(value, "1"), "criterion", "a string", got);
    assertTypeError(() => rubric.parseText("support_share", value), "text", "a string", got);
    if (value !== null) {
      assertTypeError(() => rubric.describe(value), "lang", "a string or undefined", got);
      assertTypeError(() => rubric.score({}, value), "perspective", "a string or undefined", got);
    }
  }
  for (const [value, got] of WRONG.filter(([v]) => v === null || typeof v !== "object")) {
    assertTypeError(() => rubric.score(value), "inputs", "an object or a Map", got);
  }
  assertTypeError(() => rubric.score(), "inputs", "an object or a Map", "undefined");
  assertTypeError(() => Rubric.fromJson(), "text", "a string", "undefined");
  assertTypeError(() => rubric.parseText("support_share"), "text", "a string", "undefined");
  // The examples, word for word.
  assertTypeError(() => rubric.score(example, 42), "perspective", "a string or undefined", "number");
  assertTypeError(() => rubric.describe(5), "lang", "a string or undefined", "number");
  assertTypeError(() => Rubric.fromToml({}), "text", "a string", "object");
  // Optional arguments accept undefined and null.
  assert.equal(rubric.describe(null).lang, "en");
  assert.equal(JSON.stringify(rubric.score(example, null)), reference);
  assert.equal(typeof engineVersion(), "string");
});

test("inputs are read once; getters that throw and Proxy traps become input errors", () => {
  const rubric = Rubric.default();
  let reads = 0;
  const counted = { ...example };
  Object.defineProperty(counted, "support_share", { enumerable: true, get: () => (reads++, reads === 1 ? 72 : 10) });
  const once = rubric.score(counted);
  assert.equal(reads, 1, "the getter ran once");
  assert.equal(once.criteria.find((c) => c.id === "support_share").raw, 72);
  assert.equal(JSON.stringify(once), reference);

  const boom = () => { throw new Error("boom"); };
  const cases = [
    [Object.defineProperty({}, "support_share", { enumerable: true, get: boom }), "input.support_share"],
    [{ volunteer_hours: Object.defineProperty([], 0, { get: boom }) }, "input.volunteer_hours[0]"],
    [{ volunteer_hours: { get low() { throw new RangeError("no"); }, high: 2 } }, "input.volunteer_hours.low"],
    [new Proxy({}, { ownKeys: boom }), "input"],
    [new Proxy({}, { getPrototypeOf: boom }), "input"],
    [new Proxy({ a: 1 }, { get: boom }), "input"], // Symbol.toStringTag is read first
    [new Proxy({ a: 1 }, { get: (t, k) => (k === "a" ? boom() : t[k]) }), "input.a"],
    [new Proxy({ a: 1 }, { getOwnPropertyDescriptor: boom }), "input"],
    [{ support_share: revoked }, "input.support_share"],
    [revoked, "input"],
    [{ x: { toString: boom, valueOf: boom } }, "input.x.toString"], // a function is no value
  ];
  for (const [inputs, where] of cases) {
    assert.throws(() => rubric.score(inputs), (e) => {
      assert.equal(e.name, "CivicValueError", `${where}: ${e.name}: ${e.message}`);
      assert.equal(e.code, "input.parse", where);
      assert.equal(e.path, where);
      assert.ok(e.message.length < 300, `a short message: ${e.message.length}`);
      return true;
    });
  }
  // A getter that throws a non-Error, or an object whose toString throws.
  const odd = { get support_share() { throw Object.create(null); } };
  assert.throws(() => rubric.score(odd), (e) => e.code === "input.parse" && e.path === "input.support_share");
  // Nothing stayed borrowed: the rubric still scores and can be freed.
  assert.equal(JSON.stringify(rubric.score(example)), reference);
  rubric.free();
});

test("objects that are neither plain objects nor Maps are refused", () => {
  const rubric = Rubric.default();
  class Inputs { constructor() { this.support_share = 72; } }
  for (const [inputs, got] of [
    [new Date(), "Date"], [new WeakMap(), "WeakMap"], [new Set(), "Set"], [new Inputs(), "Inputs object"],
    [/x/, "RegExp"], [new Uint8Array(1), "Uint8Array"], [Promise.resolve(), "Promise"], [new Number(3), "Number"],
  ]) {
    assert.throws(() => rubric.score(inputs), (e) => {
      assert.equal(e.code, "input.parse", got);
      assert.equal(e.path, "input");
      assert.equal(e.detail, `expected a plain object or a Map, got ${got}`);
      return true;
    });
  }
  assert.throws(() => rubric.score({ volunteer_hours: new Date() }),
    (e) => e.code === "input.parse" && e.path === "input.volunteer_hours");
  assert.throws(() => rubric.score(new Map([[1, 2]])),
    (e) => e.code === "input.parse" && /Map key must be a string, got number/.test(e.message));
  // Plain objects without a prototype and Maps (also nested) are read.
  const bare = Object.assign(Object.create(null), example);
  assert.equal(JSON.stringify(rubric.score(bare)), reference);
  assert.equal(JSON.stringify(rubric.score(new Map(Object.entries(example)))), reference);
  // A cycle is refused, not followed.
  const cyclic = { volunteer_hours: {} };
  cyclic.volunteer_hours.low = cyclic;
  assert.throws(() => rubric.score(cyclic), (e) => e.code === "input.parse" && /nested/.test(e.message));
});

test("the input size limit applies to every form and fails fast", () => {
  const rubric = Rubric.default();
  const huge = '"'.repeat(2e8);
  for (const inputs of [
    new Map([["inclusion", huge]]),
    { inclusion: huge },
    { [huge.slice(0, 2e7)]: 1 },
    { volunteer_hours: [huge, 1] },
    Object.assign(Object.create(null), { inclusion: huge }),
  ]) {
    const t0 = performance.now();
    assert.throws(() => rubric.score(inputs), (e) => {
      assert.equal(e.code, "input.too_large");
      assert.ok(e.message.length < 200, `short message (${e.message.length} characters)`);
      return true;
    });
    assert.ok(performance.now() - t0 < 1000, `fails fast (${(performance.now() - t0).toFixed(0)} ms)`);
  }
  // Strings given as arguments are measured before they are copied into wasm.
  for (const call of [() => rubric.parseText("inclusion", huge), () => rubric.score({}, huge)]) {
    assert.throws(call, (e) => e.code === "input.too_large");
  }
  assert.throws(() => Rubric.fromJson(huge), (e) => e.code === "rubric.too_large");
  // Many small values count too: a million-entry array.
  assert.throws(() => rubric.score({ volunteer_hours: new Array(2e7).fill(1) }), (e) => e.code === "input.too_large");
});

test("TOML rubrics work in node without loading anything by hand", () => {
  const toml = readFileSync(path.join(root, "core/rubrics/default.toml"), "utf8");
  const rubric = Rubric.fromToml(toml);
  assert.equal(rubric.fingerprint, Rubric.default().fingerprint);
  assert.throws(() => Rubric.fromToml("id = "), (e) => {
    assert.equal(e.name, "CivicValueError");
    assert.equal(e.code, "rubric.parse");
    assert.match(e.detail, /^invalid TOML: line 1, column \d+: /);
    return true;
  });
});

test("thousands of hostile calls leave the module working", () => {
  const rubric = Rubric.default();
  const boom = () => { throw new Error("boom"); };
  const getter = Object.defineProperty({}, "support_share", { enumerable: true, get: boom });
  const proxy = new Proxy({}, { ownKeys: boom });
  const calls = [
    () => rubric.score(example, 42),
    () => rubric.score(getter),
    () => rubric.score(proxy),
    () => rubric.score(new Date()),
    () => rubric.score({ volunteer_hours: "lots" }),
    () => rubric.describe(5),
    () => rubric.parseText(5, "1"),
    () => rubric.parseText("nope", "1"),
    () => Rubric.fromJson(5),
    () => Rubric.fromJson("{"),
    () => Rubric.fromToml({}),
    () => rubric.score(revoked),
    () => rubric.score(new Map([["inclusion", 5n]])),
  ];
  let thrown = 0;
  for (let round = 0; round < 2000; round++) {
    for (const call of calls) {
      try {
        call();
      } catch (e) {
        assert.ok(e instanceof Error, "an Error");
        assert.notEqual(e.name, "RuntimeError", `wasm trapped: ${e.message}`);
        thrown++;
      }
    }
    if (round % 500 === 0) assert.equal(JSON.stringify(rubric.score(example)), reference);
  }
  assert.equal(thrown, 2000 * calls.length, "every hostile call threw");
  assert.equal(JSON.stringify(rubric.score(example)), reference);
  assert.equal(JSON.stringify(Rubric.default().score(example)), reference);
  rubric.free();
  assert.throws(() => rubric.score(example), (e) => e instanceof Error && e.name !== "RuntimeError");
  // Many rubrics made and freed: nothing leaks into later calls.
  for (let i = 0; i < 2000; i++) Rubric.default().free();
  assert.equal(JSON.stringify(Rubric.default().score(example)), reference);
});

// The analysis exports (weigh and decide, sensitivity) read their arguments through the same
// boundary: wrong JS types are TypeErrors naming the argument, what getters and Proxy traps
// throw becomes a CivicValueError with code and path, and nothing stays borrowed.
test("the analysis exports check their arguments and survive hostile calls", async () => {
  const { weights, mcda } = await import("../../pkg/civic_value.js");
  const rubric = Rubric.default();
  for (const [value, got] of WRONG.filter(([v]) => v !== null)) {
    assertTypeError(() => rubric.levers(example, value), "perspective", "a string or undefined", got);
    assertTypeError(() => rubric.pathTo(example, "fund", value), "perspective", "a string or undefined", got);
    assertTypeError(() => rubric.tornado(example, 0.2, value), "perspective", "a string or undefined", got);
    assertTypeError(() => rubric.pathTo(example, value), "band", "a string", got);
    assertTypeError(() => mcda.normalize([[1, 2], [3, 4]], [1, 1], value), "method", "a string", got);
  }
  for (const [value, got] of WRONG.filter(([v]) => v === null || typeof v !== "object")) {
    assertTypeError(() => rubric.levers(value), "inputs", "an object or a Map", got);
    assertTypeError(() => rubric.comparePerspectives(value), "inputs", "an object or a Map", got);
  }
  const boom = () => { throw new Error("boom"); };
  const inputError = (where) => (e) => {
    assert.equal(e.name, "CivicValueError", `${where}: ${e.name}: ${e.message}`);
    assert.equal(e.code, "input.parse", where);
    assert.equal(e.path, where);
    return true;
  };
  const getter = Object.defineProperty({}, "support_share", { enumerable: true, get: boom });
  assert.throws(() => rubric.levers(getter), inputError("input.support_share"));
  assert.throws(() => rubric.pathTo(getter, "fund"), inputError("input.support_share"));
  assert.throws(() => rubric.comparePerspectives(getter), inputError("input.support_share"));
  assert.throws(() => rubric.tornado(getter), inputError("input.support_share"));
  assert.throws(() => rubric.withWeights(new Proxy({}, { ownKeys: boom })), inputError("weights"));
  assert.throws(() => rubric.withWeights(Object.defineProperty({}, "inclusion", { enumerable: true, get: boom })),
    inputError("weights.inclusion"));
  assert.throws(() => weights.ahp(new Proxy([[1]], { get: boom })), inputError("matrix"));
  assert.throws(() => weights.ahp([Object.defineProperty([1], 0, { get: boom })]), inputError("matrix[0][0]"));
  assert.throws(() => weights.ahp([[1]], { get method() { throw new Error("x"); } }), inputError("options.method"));
  assert.throws(() => mcda.topsis([[1, 2], [2, 1]], new Proxy([1, 1], { get: boom }), [1, 1]), inputError("weights"));
  assert.throws(() => rubric.monteCarlo(new Proxy([example], { get: boom }), { draws: 10 }),
    (e) => e.code === "input.parse" && e.path === "items.length");
  assert.throws(() => rubric.monteCarlo([example], { get draws() { throw new Error("x"); } }),
    (e) => e.code === "input.parse" && e.path === "options.draws");
  // The rubric was never left borrowed: it still answers, and can be freed.
  assert.equal(JSON.stringify(rubric.score(example)), reference);

  const calls = [
    () => rubric.levers(example, 5),
    () => rubric.levers(getter),
    () => rubric.pathTo(example, 5),
    () => rubric.pathTo(getter, "fund"),
    () => rubric.tornado(example, 0.2, {}),
    () => rubric.comparePerspectives(new Proxy({}, { ownKeys: boom })),
    () => rubric.withWeights(new Proxy({}, { ownKeys: boom })),
    () => mcda.normalize([[1, 2], [3, 4]], [1, 1], 5),
    () => weights.ahp(new Proxy([[1]], { get: boom })),
    () => rubric.monteCarlo(new Proxy([example], { get: boom })),
    () => rubric.score(example).pathTo(5),
  ];
  let thrown = 0;
  for (let round = 0; round < 2000; round++) {
    for (const call of calls) {
      try {
        call();
      } catch (e) {
        assert.ok(e instanceof Error, "an Error");
        assert.notEqual(e.name, "RuntimeError", `wasm trapped: ${e.message}`);
        thrown++;
      }
    }
  }
  assert.equal(thrown, 2000 * calls.length, "every hostile call threw");
  assert.equal(JSON.stringify(rubric.score(example)), reference);
  assert.ok(rubric.levers(example).length > 0);
  rubric.free();
  assert.equal(JSON.stringify(Rubric.default().score(example)), reference);
});
