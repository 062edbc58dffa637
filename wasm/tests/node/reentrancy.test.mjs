// Calls back into the module while it is reading inputs or building a result (a reviewer's
// reproductions): a getter in the inputs that calls score(), a setter on Object.prototype
// for a result key, a patched built-in that calls the module, one that grows its memory.
// Each nested call is correct or refused with a CivicValueError (code "call.reentrant"),
// never a wrong number and never a hang; the outer call's result is the one the same inputs
// give without any callback (the differential reference: same module, no re-entrancy).
// Both modules: the full one (civic_value.js) and the scoring-only one (civic_value_score.js),
// each with its own copy of boundary.js.
// Run: node --test wasm/tests/node/ (after scripts/build-wasm).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

import * as full from "../../pkg/civic_value.js";
import * as lean from "../../pkg/civic_value_score.js";

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), "../../..");
const pkg = path.join(root, "wasm/pkg");
full.initSync({ module: readFileSync(path.join(pkg, "civic_value_bg.wasm")) });
lean.initSync({ module: readFileSync(path.join(pkg, "civic_value_score_bg.wasm")) });
const MODULES = { full, lean };

const example = JSON.parse(readFileSync(path.join(root, "examples/oosterspoorbaan.json"), "utf8")).inputs;
const other = { support_share: 10 };

// An input large enough that copying it into the module grows the wasm memory (about 4 MB
// of text, 0.4 M tape entries): the views JS holds on the old memory are detached then.
function big() {
  const o = {};
  for (let i = 0; i < 200_000; i++) o[`k${i}`] = "x".repeat(20);
  return o;
}

// Define `key` on Object.prototype as a setter running `onSet` (then storing the value as an
// own property, as an ordinary assignment would), for the time of `body` only.
function withProtoSetter(key, onSet, body) {
  Object.defineProperty(Object.prototype, key, {
    configurable: true,
    set(v) {
      onSet();
      Object.defineProperty(this, key, { value: v, enumerable: true, writable: true, configurable: true });
    },
  });
  try {
    return body();
  } finally {
    delete Object.prototype[key];
  }
}

// Patch String.prototype.slice (which the result decoder uses) to run `once` on its first call.
function withPatchedSlice(once, body) {
  const slice = String.prototype.slice;
  let armed = true;
  String.prototype.slice = function (...args) {
    if (armed) {
      armed = false;
      once();
    }
    return slice.apply(this, args);
  };
  try {
    return body();
  } finally {
    String.prototype.slice = slice;
  }
}

// Scenarios that could hang run in a child process (a loop in the decoder cannot be
// interrupted from the same thread): `node reentrancy.test.mjs <scenario> <module>` prints
// one JSON line.
const CHILD = {
  // A setter on Object.prototype whose nested call grows the memory.
  setterGrows(m) {
    const r = m.Rubric.default();
    const reference = JSON.stringify(r.score(example));
    let calls = 0;
    const out = withProtoSetter("band", () => {
      calls++;
      try { r.score(big()); } catch { /* unknown criteria: refused after the copy */ }
    }, () => r.score(example));
    return { calls, same: JSON.stringify(out) === reference };
  },
  // A setter defined before the module's first result (field names still sent as text).
  setterFirst(m) {
    const r = m.Rubric.default();
    let calls = 0;
    const out = withProtoSetter("band", () => calls++,
      () => withProtoSetter("0", () => calls++, () => r.score(example)));
    return { calls, own: Object.hasOwn(out, "band"), out: JSON.stringify(out), reference: JSON.stringify(r.score(example)) };
  },
  // A patched built-in whose nested call grows the memory: correct, or refused.
  sliceGrows(m) {
    const r = m.Rubric.default();
    const reference = JSON.stringify(r.score(example));
    let outer;
    try {
      outer = withPatchedSlice(() => {
        try { r.score(big()); } catch { /* refused after the copy */ }
      }, () => ({ same: JSON.stringify(r.score(example)) === reference }));
    } catch (e) {
      outer = { name: e.name, code: e.code, message: e.message };
    }
    return { outer, after: JSON.stringify(r.score(example)) === reference };
  },
};

if (process.argv[2] in CHILD) {
  const m = MODULES[process.argv[3]];
  process.stdout.write(`${JSON.stringify(CHILD[process.argv[2]](m))}\n`);
  process.exit(0);
}

function child(scenario, name) {
  const run = spawnSync(process.execPath, [here, scenario, name], { encoding: "utf8", timeout: 60_000 });
  assert.equal(run.signal, null, `${scenario} ${name}: killed after 60 s (a hang): ${run.stderr}`);
  assert.equal(run.status, 0, `${scenario} ${name}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

for (const [name, m] of Object.entries(MODULES)) {
  const reference = JSON.stringify(m.Rubric.default().score(example));
  const otherReference = JSON.stringify(m.Rubric.default().score(other));

  test(`${name}: a getter in the inputs that calls score() reads its own inputs, and so does the outer call`, () => {
    const r = m.Rubric.default();
    // The reviewer's reent3: the nested inputs' getter throws. Before: the outer call read
    // {"": 5} instead of its 13 inputs.
    for (const position of ["first", "last"]) {
      let inner;
      const outer = {};
      const nested = () => {
        try { r.score({ get ""() { throw new Error("inner"); } }); } catch (e) { inner = e; }
        return example.support_share;
      };
      if (position === "first") Object.defineProperty(outer, "support_share", { enumerable: true, get: nested });
      for (const [k, v] of Object.entries(example)) if (!(position === "first" && k === "support_share")) outer[k] = v;
      if (position === "last") {
        delete outer.support_share;
        Object.defineProperty(outer, "support_share", { enumerable: true, get: nested });
      }
      assert.equal(JSON.stringify(r.score(outer)), reference, `nested call ${position}`);
      assert.equal(inner.code, "input.parse", `${position}: ${inner.message}`);
      assert.equal(inner.path, "input.");
    }
    // The nested call succeeds with other inputs: each call gets its own numbers (before: the
    // outer call silently scored the nested call's inputs).
    let innerScore;
    const outer = { ...example };
    delete outer.support_share;
    Object.defineProperty(outer, "support_share", {
      enumerable: true,
      get: () => ((innerScore = r.score(other)), example.support_share),
    });
    const outerScore = r.score(outer);
    assert.equal(JSON.stringify(outerScore), reference);
    assert.equal(JSON.stringify(innerScore), otherReference);
    // Two deep, the outer inputs a Map: its value's getter scores inputs whose getter scores.
    let deepest, middleScore;
    const middle = { ...example };
    delete middle.support_share;
    Object.defineProperty(middle, "support_share", {
      enumerable: true,
      get: () => ((deepest = r.score(other)), example.support_share),
    });
    const map = new Map(Object.entries(example));
    const hours = [0, example.volunteer_hours[1]];
    Object.defineProperty(hours, 0, {
      enumerable: true,
      get: () => ((middleScore = r.score(middle)), example.volunteer_hours[0]),
    });
    map.set("volunteer_hours", hours);
    assert.equal(JSON.stringify(r.score(map)), reference);
    assert.equal(JSON.stringify(middleScore), reference);
    assert.equal(JSON.stringify(deepest), otherReference);
  });

  test(`${name}: a setter on Object.prototype for a result key is not called (as with JSON.parse)`, () => {
    const r = m.Rubric.default();
    for (const key of ["band", "total", "low", "0"]) {
      let calls = 0;
      // The premise: JSON.parse defines own properties and does not call such a setter.
      withProtoSetter(key, () => calls++, () => JSON.parse(`{"${key}": 1, "a": [1, 2]}`));
      assert.equal(calls, 0, `JSON.parse called a setter for ${key}`);
      // The reviewer's reent: the setter calls back into the module. Before: the outer call
      // threw a TypeError (the nested decode had reset the outer's tape).
      const out = withProtoSetter(key, () => { calls++; r.score(other); }, () => r.score(example));
      assert.equal(calls, 0, `the setter for ${key} was called`);
      assert.equal(JSON.stringify(out), reference, key);
      assert.ok(Object.hasOwn(out, "band") && Object.hasOwn(out, "total"));
      const described = withProtoSetter(key, () => calls++, () => r.describe("en"));
      assert.equal(calls, 0, `describe: the setter for ${key} was called`);
      assert.equal(JSON.stringify(described), JSON.stringify(r.describe("en")));
    }
    assert.equal(JSON.stringify(r.score(example)), reference);
  });

  test(`${name}: a setter defined before the first result is not called either`, () => {
    const first = child("setterFirst", name);
    assert.equal(first.calls, 0);
    assert.equal(first.own, true);
    assert.equal(first.out, first.reference);
    assert.equal(first.out, reference);
  });

  test(`${name}: a patched built-in that calls back into the module while a result is built`, () => {
    const r = m.Rubric.default();
    // Before: the outer call threw (the nested decode left the decoder without a tape).
    let inner;
    const out = withPatchedSlice(() => { inner = r.score(other); }, () => r.score(example));
    assert.equal(JSON.stringify(out), reference);
    assert.equal(JSON.stringify(inner), otherReference);
    let description;
    const again = withPatchedSlice(() => { description = r.describe("nl"); }, () => r.score(example));
    assert.equal(JSON.stringify(again), reference);
    assert.equal(JSON.stringify(description), JSON.stringify(r.describe("nl")));
    // And the module is still in order.
    assert.equal(JSON.stringify(r.score(example)), reference);
    assert.equal(JSON.stringify(r.score(other)), otherReference);
  });

  test(`${name}: a nested call that grows the memory never hangs the outer call nor gives it wrong numbers`, () => {
    // Before: the outer decode read a detached view and looped forever.
    const setter = child("setterGrows", name);
    assert.deepEqual(setter, { calls: 0, same: true });
    const slice = child("sliceGrows", name);
    assert.equal(slice.after, true, "the module scores correctly afterwards");
    if (slice.outer.same === undefined) {
      assert.equal(slice.outer.name, "CivicValueError", slice.outer.message);
      assert.equal(slice.outer.code, "call.reentrant");
    } else {
      assert.equal(slice.outer.same, true);
    }
  });
}
