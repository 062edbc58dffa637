// Calls back into the module while it is reading inputs or building a result (a reviewer's
// reproductions): a getter in the inputs that calls score(), a setter on Object.prototype
// for a result key, a patched built-in that calls the module, one that grows its memory.
// Each nested call is correct or refused with a CivicValueError (code "call.reentrant"),
// never a wrong number and never a hang, and leaves nothing behind that a later call or a
// score's methods (levers(), nextBand()) would read; the outer call's result is the one the same inputs
// give without any callback (the differential reference: same module, no re-entrancy).
// Both modules: the full one (civic_value.js) and the scoring-only one (civic_value_score.js),
// each with its own copy of boundary.js.
// Run: node --test wasm/tests/node/ (after scripts/build-wasm).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

import * as full from "../../pkg/civic_value.js";
import * as lean from "../../pkg/civic_value_score.js";

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), "../../..");
const pkg = path.join(root, "wasm/pkg");
const MEMORY = {
  full: full.initSync({ module: readFileSync(path.join(pkg, "civic_value_bg.wasm")) }).memory,
  lean: lean.initSync({ module: readFileSync(path.join(pkg, "civic_value_score_bg.wasm")) }).memory,
};
const MODULES = { full, lean };

// Each module's own copy of boundary.js (the same module instance its glue imports), for its
// test-only counter `decodedTextLength` (the length of all result text decoded so far).
const snippets = path.join(pkg, "snippets");
const fullDir = readdirSync(snippets).find((d) => d.startsWith("civic-value-wasm-"));
const BOUNDARY = {
  full: await import(path.join(snippets, fullDir, "src/boundary.js")),
  lean: await import(path.join(snippets, "score/boundary.js")),
};

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
  // A setter on Object.prototype whose nested call grows the memory: correct, or refused.
  setterGrows(m) {
    const r = m.Rubric.default();
    const reference = JSON.stringify(r.score(example));
    let calls = 0;
    let outer;
    try {
      const out = withProtoSetter("band", () => {
        calls++;
        try { r.score(big()); } catch { /* unknown criteria: refused after the copy */ }
      }, () => r.score(example));
      outer = { same: JSON.stringify(out) === reference };
    } catch (e) {
      outer = { name: e.name, code: e.code, message: e.message };
    }
    return { calls, outer, after: JSON.stringify(r.score(example)) === reference };
  },
  // A setter defined before the module's first result (field names still sent as text).
  setterFirst(m) {
    const r = m.Rubric.default();
    let calls = 0;
    const out = withProtoSetter("band", () => calls++,
      () => withProtoSetter("0", () => calls++, () => r.score(example)));
    return { calls, own: Object.hasOwn(out, "band"), out: JSON.stringify(out), reference: JSON.stringify(r.score(example)) };
  },
  // One refused call (a patched built-in whose nested call grows the memory while the result
  // is decoded), then 1 000 calls: the result text of each is what it was before the refusal
  // (no field names as text: the field table works again).
  afterRefused(m, name) {
    const r = m.Rubric.default();
    const text = BOUNDARY[name].decodedTextLength;
    r.score(example);
    let at = text();
    r.score(example);
    const before = text() - at;
    let code;
    try {
      withPatchedSlice(() => { try { r.score(big()); } catch { /* refused after the copy */ } }, () => r.score(example));
    } catch (e) {
      code = e.code;
    }
    r.score(example); // may send names again, once
    at = text();
    for (let i = 0; i < 1000; i++) r.score(example);
    return { code, before, after: (text() - at) / 1000 };
  },
  // The second reviewer's growth.mjs: from the module's first call on, a page's setter for
  // a result key throws, so every score() fails while its result is built and no field name
  // is ever known in JS. Each failure took the tape's names back under new ids, so the
  // engine's field table doubled again and again (9.6 MB of wasm memory after 4 000 calls,
  // 33.7 MB and 438 µs a call after 20 000) and stayed so. Now the ids are given again (JS
  // forgets the names a failed decode learned): the memory does not grow.
  keepFailing(m, name) {
    const r = m.Rubric.default();
    const memory = MEMORY[name];
    const text = BOUNDARY[name].decodedTextLength;
    let failed = 0;
    const bytes = [];
    withProtoSetter("band", () => { throw new Error("page setter"); }, () => {
      for (let i = 1; i <= 5000; i++) {
        try { r.score(example); } catch (e) { if (e.message === "page setter") failed++; }
        if (i === 100 || i === 5000) bytes.push(memory.buffer.byteLength);
      }
    });
    const first = JSON.stringify(r.score(example));
    let at = text();
    r.score(example);
    const second = text() - at;
    at = text();
    for (let i = 0; i < 100; i++) r.score(example);
    return { failed, bytes, first, second, later: (text() - at) / 100 };
  },
  // A result dropped by the page is collected: the decoder keeps none of its values.
  async dropped(m, name) {
    const gc = async () => {
      for (let i = 0; i < 3; i++) {
        globalThis.gc();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const r = m.Rubric.default();
    let out = name === "full"
      ? full.mcda.normalize(Array.from({ length: 2000 }, (_, i) => [i + 0.5, 2 * i + 1]), [1, 1], "max")
      : r.score(example);
    const element = new WeakRef(name === "full" ? out[1000] : out.criteria[0]);
    const result = new WeakRef(out);
    out = null;
    await gc();
    // Right after the drop, no call in between; and after 100 smaller results.
    const first = { result: result.deref() !== undefined, element: element.deref() !== undefined };
    for (let i = 0; i < 100; i++) r.score(other);
    await gc();
    return { first, later: { result: result.deref() !== undefined, element: element.deref() !== undefined } };
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
  process.stdout.write(`${JSON.stringify(await CHILD[process.argv[2]](m, process.argv[3]))}\n`);
  process.exit(0);
}

function child(scenario, name, flags = []) {
  const run = spawnSync(process.execPath, [...flags, here, scenario, name], { encoding: "utf8", timeout: 60_000 });
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

  test(`${name}: a setter on Object.prototype for a result key that calls back gets its own numbers, and so does the outer call`, () => {
    const r = m.Rubric.default();
    for (const key of ["band", "total", "low", "0"]) {
      // Results are built by assignment (README "Browser boundary"): such a setter is called,
      // as for any object a script builds by assignment; this one stores the value as an own
      // property. The reviewer's reent: it calls back into the module. Before h7: the outer
      // call threw a TypeError (the nested decode had reset the outer's tape).
      // (It calls back only from the outer call's result: the nested results meet it too.)
      let calls = 0;
      let depth = 0;
      const inner = [];
      const back = (f) => () => {
        calls++;
        if (depth > 0) return;
        depth++;
        try { f(); } finally { depth--; }
      };
      const out = withProtoSetter(key, back(() => inner.push(r.score(other))), () => r.score(example));
      assert.ok(calls > 0, `the setter for ${key} was not called`);
      assert.equal(JSON.stringify(out), reference, key);
      assert.ok(Object.hasOwn(out, "band") && Object.hasOwn(out, "total"));
      for (const x of inner) assert.equal(JSON.stringify(x), otherReference, key);
      const described = withProtoSetter(key, back(() => r.score(other)), () => r.describe("en"));
      assert.equal(JSON.stringify(described), JSON.stringify(r.describe("en")));
      if (name === "full") {
        const levers = withProtoSetter(key, back(() => r.score(other)), () => out.levers());
        assert.equal(JSON.stringify(levers), JSON.stringify(r.score(example).levers()), key);
      }
    }
    assert.equal(JSON.stringify(r.score(example)), reference);
  });

  test(`${name}: a setter defined before the first result: the result is the same`, () => {
    const first = child("setterFirst", name);
    assert.ok(first.calls > 0);
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
    for (const scenario of ["setterGrows", "sliceGrows"]) {
      const run = child(scenario, name);
      assert.equal(run.after, true, `${scenario}: the module scores correctly afterwards`);
      if (run.outer.same === undefined) {
        assert.equal(run.outer.name, "CivicValueError", run.outer.message);
        assert.equal(run.outer.code, "call.reentrant");
      } else {
        assert.equal(run.outer.same, true, scenario);
      }
    }
  });

  test(`${name}: nothing of a dropped result stays reachable from the module`, () => {
    // The reviewer's leak2: h7's decoder kept array elements on a reused stack (61 MB after a
    // 60000x40 result was dropped).
    const run = child("dropped", name, ["--expose-gc"]);
    const none = { result: false, element: false };
    assert.deepEqual(run, { first: none, later: none });
  });

  test(`${name}: after a refused call, later results send field names by number again`, () => {
    // The reviewer's afterreentrant: before, every later result sent every field name as
    // text (≈ 1.7x slower for good).
    const run = child("afterRefused", name);
    assert.equal(run.code, "call.reentrant");
    assert.ok(run.before > 0);
    assert.equal(run.after, run.before);
  });

  test(`${name}: calls that keep failing while a result is built do not grow the module`, () => {
    const run = child("keepFailing", name);
    assert.equal(run.failed, 5000);
    // Not one 64 KiB page more after 100 failures than after 5 000.
    assert.equal(run.bytes[1], run.bytes[0]);
    assert.equal(run.first, reference);
    // Field names by number after the first good result.
    assert.equal(run.later, run.second);
  });

  test(`${name}: a page's Array species is not asked for result arrays (as with JSON.parse)`, () => {
    const r = m.Rubric.default();
    class Tracked extends Array {}
    const species = Object.getOwnPropertyDescriptor(Array, Symbol.species);
    Object.defineProperty(Array, Symbol.species, { configurable: true, get: () => Tracked });
    let out;
    try {
      out = r.score(example);
    } finally {
      Object.defineProperty(Array, Symbol.species, species);
    }
    assert.equal(Object.getPrototypeOf(out.criteria), Array.prototype);
    assert.equal(JSON.stringify(out), reference);
  });

  // Patch `target[key]` (a method or a getter) to call `nested` once, for the time of `body`.
  function withCallback(target, key, nested, body) {
    const own = Object.getOwnPropertyDescriptor(target, key);
    let armed = true;
    const fire = () => {
      if (armed) {
        armed = false;
        nested();
      }
    };
    if (typeof own.value === "function" && key !== "constructor") {
      const original = own.value;
      Object.defineProperty(target, key, { ...own, value: function (...args) { fire(); return original.apply(this, args); } });
    } else {
      const get = own.get ?? (() => own.value);
      Object.defineProperty(target, key, { configurable: true, get() { fire(); return get.call(this); } });
    }
    try {
      return body();
    } finally {
      Object.defineProperty(target, key, own);
    }
  }

  test(`${name}: page code run while the module reads or keeps the inputs cannot swap them`, () => {
    // The reviewer's species (b, c) and join: a getter on Array.prototype.constructor (asked
    // by h7's keepTape slice) or a patched join (takeText) that scores other inputs made the
    // outer score keep the nested inputs: its levers() and nextBand() answered for them.
    // Also the built-ins the glue calls while the engine takes the tape.
    const nestedInputs = { ...example, support_share: example.support_share === 10 ? 90 : 10 };
    const r = m.Rubric.default();
    const own = r.score(example);
    const nestedReference = JSON.stringify(r.score(nestedInputs));
    const places = [
      [Array.prototype, "constructor"],
      [Array.prototype, "join"],
      [Object.getPrototypeOf(Float64Array.prototype), "subarray"],
      [Object.getPrototypeOf(Float64Array.prototype), "set"],
      [Object.getPrototypeOf(Float64Array.prototype), "length"],
      [Float64Array.prototype, "constructor"],
      [String.prototype, "charCodeAt"],
    ];
    for (const [target, key] of places) {
      for (const nestedCall of [() => r.score(nestedInputs), () => r.score(other)]) {
        let inner;
        let out;
        try {
          out = withCallback(target, key, () => { inner = nestedCall(); }, () => r.score(example));
        } catch (e) {
          // Refused is allowed; a wrong number is not.
          assert.equal(e.code, "call.reentrant", `${key}: ${e.message}`);
          continue;
        }
        assert.equal(JSON.stringify(out), reference, key);
        if (inner !== undefined && nestedCall.length === 0 && inner.support_share === undefined) {
          // (Scores carry no inputs; the nested result is checked against its reference.)
        }
        if (name === "full") {
          assert.equal(JSON.stringify(out.levers()), JSON.stringify(own.levers()), `${key}: levers()`);
          assert.equal(JSON.stringify(out.nextBand()), JSON.stringify(own.nextBand()), `${key}: nextBand()`);
          if (inner !== undefined) {
            const innerOwn = nestedCall();
            assert.equal(JSON.stringify(inner.levers()), JSON.stringify(innerOwn.levers()), `${key}: inner levers()`);
          }
        }
      }
    }
    assert.equal(JSON.stringify(r.score(nestedInputs)), nestedReference);
    assert.equal(JSON.stringify(r.score(example)), reference);
  });

  test(`${name}: a page's Object.prototype.get / .set does not break defining a property`, () => {
    // The reviewer's descpollution: define()'s descriptor inherited them, defineProperty
    // threw, and score() threw a plain TypeError. Array.prototype[0] makes the boundary define
    // the first element of its own lists (put), and a "__proto__" key is always defined.
    const r = m.Rubric.default();
    Object.prototype.get = function get(k) { return this[k]; };
    Object.prototype.set = 1;
    Array.prototype[0] = "page";
    try {
      assert.equal(JSON.stringify(r.score(example)), reference);
      assert.equal(JSON.stringify(r.score(new Map(Object.entries(example)))), reference);
    } finally {
      delete Object.prototype.get;
      delete Object.prototype.set;
      delete Array.prototype[0];
    }
  });
}
