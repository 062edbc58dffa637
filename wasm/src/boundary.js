// The JS half of the boundary between the engine (wasm) and its callers.
//
// Everything that can run a caller's code (getters, Proxy traps, Map iteration) runs here,
// once, inside try/catch: a value is copied into a "tape" of plain numbers and one string
// that the engine reads (wasm/src/tape.rs). Results travel the other way as a tape too and
// are built into plain objects here, without a JSON round trip, by assignment (a page's
// setter on Object.prototype / Array.prototype for a result key is called, as for any object
// built by assignment; only "__proto__" is defined). Nothing in this file throws into the
// engine: failures are returned as values.
//
// Calls back into the module (page code: a getter, a setter, a patched built-in) are
// correct or refused with `call.reentrant`, never wrong (see `encode`, `held`, `decode`).
// Known limits: a page's patched built-ins that this file or wasm-bindgen's glue calls
// (`String.prototype.slice`, `Object.keys`, TypedArray `subarray`/`set`/`length`,
// `String.prototype.charCodeAt`, TextEncoder) run page code the module cannot avoid; what they
// return is trusted (a `Float64Array` species that returns other numbers gives them; a field
// name read through a patched `String.prototype.slice` is kept as read for the module's life,
// as field names are sent once). If wasm-bindgen's glue copies a string argument through a
// patched `TextEncoder.encodeInto` or `charCodeAt` that calls back and grows the memory, the
// glue writes to a detached view and the engine may read stale bytes: the glue's limit, not
// this file's. A setter a page adds on Object.prototype in the middle of a decode is called
// for the keys that follow, as for any assignment (there is no per-decode state to go stale).
// The input tape `ops` keeps the size of the largest input read (≈ 32 MB after an input of
// 1.5 M numbers, the reviewer's encbuf.mjs; not shrunk, as the engine takes a view of it
// after `encode` returns).

// Tape operations (the same numbers in wasm/src/tape.rs).
const NULL = 0, FALSE = 1, TRUE = 2, NUM = 3, STR = 4, SEQ = 5, MAP = 6, INT = 8;
// Ends a map or a sequence of a result tape: negative, so never a key length.
const END = -1;

// Deeper than this is a cycle or an attack: no input of the engine nests beyond 3 levels.
const MAX_DEPTH = 64;

// The tape being written by `encode` (module state: no object made per call). A caller's
// getter or Proxy trap may call back into the module while `read` runs: a nested `encode`
// then keeps this state aside and writes into buffers of its own (see `encode`).
let ops = new Float64Array(256);
let n = 0;
let parts = [];
let size = 0;
let limit = 0;
let where = [];     // the path of the value being read: keys and indices, `where[..wn]`
let wn = 0;
let reading = false; // an `encode` is under way: caller code may be running inside it

// The tape the last `encode` that succeeded wrote, until the engine has taken it
// (`takeOps`, then `takeText`). Its text is joined by `encode` itself, before it returns.
// Page code can still run while the engine takes the tape (wasm-bindgen's glue calls
// built-ins a page may have patched: `subarray`, `set`, `charCodeAt`…); a call back into the
// module then must not write into this tape: `held` says it is not taken yet, and a nested
// `encode` writes into buffers of its own and keeps this tape aside in `doneBelow`, given
// back when the nested tape is taken (calls nest, so one link per level is enough).
let doneOps = ops;
let doneN = 0;
let doneText = "";
let doneBelow;
let held = false;

const arrayProto = Array.prototype;
const defineProperty = Object.defineProperty;
const keysOf = Object.keys;

// `o[k] = v` as JSON.parse does it (CreateDataProperty): an own, enumerable, writable
// property, whatever the prototype holds. The descriptor has no prototype, so a page's
// `Object.prototype.get` / `.set` is not read as part of it.
function define(o, k, v) {
  defineProperty(o, k, { __proto__: null, value: v, enumerable: true, writable: true, configurable: true });
}

function put(a, i, v) {
  if (i in arrayProto) define(a, i, v);
  else a[i] = v;
}

// `put` into an array kept from call to call and only ever appended to: a slot below its
// length is its own already, assigned without asking Array.prototype.
function slot(a, i, v) {
  if (i < a.length) a[i] = v;
  else put(a, i, v);
}

function push(x) {
  if (n === ops.length) {
    const bigger = new Float64Array(ops.length * 2);
    bigger.set(ops);
    ops = bigger;
  }
  ops[n++] = x;
}

// Thrown inside `read` only; turned into a returned value by `encode`.
class Refused {
  constructor(message, tooLarge) {
    this.message = message;
    this.tooLarge = tooLarge;
  }
}

function grow(by) {
  size += by;
  if (size > limit) throw new Refused("", true);
}

function pushString(s) {
  grow(s.length + 2);
  push(s.length);
  put(parts, parts.length, s);
}

/** What a value is, in words, without running any of its code. */
export function kindOf(x) {
  if (x === null) return "null";
  const t = typeof x;
  if (t !== "object") return t;
  try {
    if (Array.isArray(x)) return "array";
    const tag = Object.prototype.toString.call(x).slice(8, -1);
    if (tag !== "Object") return tag;
    const proto = Object.getPrototypeOf(x);
    if (proto === null || proto === Object.prototype) return "object";
    const ctor = Object.getOwnPropertyDescriptor(proto, "constructor");
    const name = ctor && typeof ctor.value === "function" ? ctor.value.name : "";
    return name ? `${name} object` : "object";
  } catch {
    return "object";
  }
}

function isMap(x) {
  return Object.prototype.toString.call(x) === "[object Map]";
}

// A plain object: made by `{}`/`Object.create(null)` here or in another realm (an iframe).
function isPlain(x) {
  const proto = Object.getPrototypeOf(x);
  if (proto === null || proto === Object.prototype) return true;
  return Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(x) === "[object Object]"
    && (Object.getOwnPropertyDescriptor(proto, "constructor")?.value?.name === "Object");
}

function read(x, depth) {
  switch (typeof x) {
    case "number":
      grow(1);
      // A whole number is an integer to serde (a count read into a u32), as in JSON text;
      // -0 stays a float so that its sign survives.
      push(Number.isSafeInteger(x) && !Object.is(x, -0) ? INT : NUM);
      push(x);
      return;
    case "string":
      push(STR);
      pushString(x);
      return;
    case "boolean":
      grow(1);
      push(x ? TRUE : FALSE);
      return;
    case "undefined":
      grow(1);
      push(NULL);
      return;
    case "object":
      break;
    default:
      throw new Refused(`cannot read a JS ${typeof x} as a value`);
  }
  if (x === null) {
    grow(1);
    push(NULL);
    return;
  }
  if (depth >= MAX_DEPTH) throw new Refused(`nested more than ${MAX_DEPTH} levels deep`);
  if (Array.isArray(x)) {
    const length = x.length;
    grow(2 + length); // each element at least one more (a lower bound still)
    push(SEQ);
    push(length);
    for (let i = 0; i < length; i++) {
      slot(where, wn++, i);
      read(x[i], depth + 1);
      wn--;
    }
    return;
  }
  if (isMap(x)) {
    const entries = [];
    Map.prototype.forEach.call(x, (v, k) => {
      put(entries, entries.length, k);
      put(entries, entries.length, v);
    });
    grow(2);
    push(MAP);
    push(entries.length / 2);
    for (let i = 0; i < entries.length; i += 2) {
      const k = entries[i];
      if (typeof k !== "string") throw new Refused(`a Map key must be a string, got ${kindOf(k)}`);
      pushString(k);
      slot(where, wn++, k);
      read(entries[i + 1], depth + 1);
      wn--;
    }
    return;
  }
  if (!isPlain(x)) throw new Refused(`expected a plain object or a Map, got ${kindOf(x)}`);
  // Own enumerable string keys, each value read once (a getter runs once), one at a time so
  // that a failure names its key.
  const keys = Object.keys(x);
  grow(2);
  push(MAP);
  push(keys.length);
  for (const k of keys) {
    pushString(k);
    slot(where, wn++, k);
    read(x[k], depth + 1);
    wn--;
  }
}

function pathOf(prefix) {
  let out = prefix;
  for (let i = 0; i < wn; i++) {
    const seg = where[i];
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

function describeException(e) {
  try {
    if (e instanceof Error) return `${e.name}: ${e.message}`;
    return String(e);
  } catch {
    return "an exception";
  }
}

// Keep a message short: a caller's exception text can be anything.
function cap(text, max = 200) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Copy `value` into the tape (read each property once). `max` is the size limit: strings and
 * keys count by their length, other values one each (a lower bound of their JSON text).
 * Returns undefined on success (then `takeOps` / `takeText`; with `keep`, `[ops, text]`: a copy
 * of the tape kept by a score for its methods, made here, before any page code can run after
 * the read, so it is this call's own), or `[kind, path, message, size]`
 * with kind "refused" (a value that cannot be read), "threw" (a getter or Proxy trap threw)
 * or "too_large". `prefix` starts the path (`input`).
 */
export function encode(value, max, prefix, keep) {
  // Called back from a getter or Proxy trap while another value is being read (a page's
  // getter calling score()): the outer read's state is kept aside and given back after, so
  // both calls read exactly their own value.
  const outer = reading ? [ops, n, parts, size, limit, where, wn] : undefined;
  // Called back while the engine takes the last tape (see `held`): that tape is kept aside.
  const below = held ? [doneOps, doneN, doneText, doneBelow] : undefined;
  if (outer !== undefined || below !== undefined) {
    ops = new Float64Array(256);
    where = [];
  }
  held = false;
  reading = true;
  n = 0;
  parts = [];
  size = 0;
  limit = max;
  wn = 0;
  try {
    read(value, 0);
    // Joined here, not by `join` (a page may have patched it): no page code runs from the
    // end of the read to the return.
    let text = "";
    for (let i = 0; i < parts.length; i++) text += parts[i];
    parts = [];
    doneOps = ops;
    doneN = n;
    doneText = text;
    doneBelow = below;
    held = true;
    if (!keep) return undefined;
    const kept = new Float64Array(n);
    for (let j = 0; j < n; j++) kept[j] = ops[j];
    return [kept, text];
  } catch (e) {
    if (below !== undefined) giveBack(below);
    const path = pathOf(prefix);
    parts = [];
    if (e instanceof Refused) {
      return e.tooLarge ? ["too_large", prefix, "", size] : ["refused", path, cap(e.message), 0];
    }
    if (e instanceof RangeError && /call stack/i.test(String(e.message))) {
      return ["refused", path, `nested too deeply`, 0];
    }
    return ["threw", path, cap(`reading this value threw ${describeException(e)}`), 0];
  } finally {
    wn = 0;
    if (outer === undefined) reading = false;
    else {
      // Indexed reads, not destructuring: a patched array iterator must not run here.
      ops = outer[0]; n = outer[1]; parts = outer[2]; size = outer[3];
      limit = outer[4]; where = outer[5]; wn = outer[6];
    }
  }
}

// A tape kept aside by a nested `encode` becomes the one to take again.
function giveBack(below) {
  doneOps = below[0]; doneN = below[1]; doneText = below[2]; doneBelow = below[3];
  held = true;
}

/** The operations of the tape the last `encode` wrote (a view; the engine copies it). */
export function takeOps() {
  // (`subarray` asks Float64Array's species; a subclass made from the same buffer sees the
  // same numbers, and no nested call writes into this buffer while `held`.)
  return doneOps.subarray(0, doneN);
}

/** The text of that tape; the tape is taken then (a tape kept aside is given back). */
export function takeText() {
  const text = doneText;
  if (doneBelow !== undefined) giveBack(doneBelow);
  else {
    doneText = "";
    held = false;
  }
  return text;
}

/** The length of a JS string (UTF-16 units), read without copying it. */
export function stringLength(s) {
  return s.length;
}

// ---- results: tape -> plain objects --------------------------------------------------

// Struct field names by id, as sent once by the engine (wasm/src/tape.rs `Fields`).
const fields = [];

// The tape being decoded and where in it: module state rather than closures made per call
// (≈ 0.5 µs of each score()). Properties and elements are assigned, as in main before the
// tape: a page's setter on Object.prototype or Array.prototype is called for its name, as
// for any object built by assignment (only "__proto__" is defined, as JSON.parse makes it,
// so it stays an own property). Such a setter, or a patched built-in (`String.prototype.slice`),
// is page code that may call back into the module: `decode` keeps an outer decode's state
// aside and gives it back, so a nested decode is correct too, and a tape whose memory moved
// meanwhile is refused (`reentered`). Nothing is kept from one decode to the next but the
// field names.
let dTape, dText, di = 0, dpos = 0;

// The length of all result text decoded so far (a test reads it: field names go as text
// only the first time).
let textDecoded = 0;
export function decodedTextLength() {
  return textDecoded;
}

// The tape ended early: a call back into the module during this decode (a patched
// built-in) grew the wasm memory, which detaches the view the tape was read through.
// Refused: a result half read is never returned.
function reentered() {
  const message = "civic-value was called again while it built a result (from a patched built-in " +
    "or a setter), and that call moved the memory the result was read from; call it outside such callbacks";
  const e = new Error(message);
  e.name = "CivicValueError";
  e.code = "call.reentrant";
  e.path = "";
  e.detail = message;
  return e;
}

function dstr(len) {
  const s = dText.slice(dpos, dpos + len);
  dpos += len;
  return s;
}

// A struct field's name, by id: sent with its text the first time (then internalised once:
// later objects reuse the same property key). The names learned in a decode that threw are
// forgotten (`decode`), as the engine takes them back and gives their ids again
// (wasm/src/tape.rs). Slots below an id are filled (null) so that no index is ever looked
// up on Array.prototype.
function dfield(id) {
  let name = id < fields.length ? fields[id] : undefined;
  if (name == null) {
    name = keysOf({ [dstr(dTape[di++])]: 0 })[0];
    while (fields.length < id) put(fields, fields.length, null);
    put(fields, id, name);
  }
  return name;
}

function dvalue() {
  switch (dTape[di++]) {
    case NULL: return null;
    case FALSE: return false;
    case TRUE: return true;
    case NUM: return dTape[di++];
    case STR: return dstr(dTape[di++]);
    case SEQ: {
      const a = [];
      let len = 0;
      // (An undefined operation, a detached tape, is refused by `dvalue`.)
      while (dTape[di] !== END) a[len++] = dvalue();
      di++;
      return a;
    }
    case MAP: {
      // A key: a length (its text follows in `text`), or a field id -(id + 2).
      const o = {};
      for (;;) {
        const t = dTape[di++];
        if (t === END) break;
        if (t === undefined) throw reentered();
        const k = t >= 0 ? dstr(t) : dfield(-t - 2);
        const v = dvalue();
        if (k === "__proto__") define(o, k, v);
        else o[k] = v;
      }
      return o;
    }
    default: throw reentered();
  }
}

/** Build the plain value a result tape stands for (JSON.parse's shapes: no Maps; properties
 * assigned, "__proto__" defined). Throws a `CivicValueError` with code `call.reentrant` if
 * the tape's memory moved while it was read (see `reentered`). */
export function decode(tape, text) {
  const outer = dTape === undefined ? undefined : [dTape, dText, di, dpos];
  // The names this decode learns are forgotten if it throws: the engine then gives their
  // ids again (a tape made during this decode, by a nested call, sends no ids).
  const known = fields.length;
  let done = false;
  dTape = tape;
  dText = text;
  di = 0;
  dpos = 0;
  textDecoded += text.length;
  try {
    const value = dvalue();
    done = true;
    return value;
  } finally {
    if (!done && fields.length > known) fields.length = known;
    if (outer === undefined) dTape = dText = undefined;
    else {
      dTape = outer[0]; dText = outer[1]; di = outer[2]; dpos = outer[3];
    }
  }
}

/** A TypeError naming the argument: `perspective: expected a string or undefined, got number`. */
export function typeError(name, expected, value) {
  return new TypeError(`${name}: expected ${expected}, got ${kindOf(value)}`);
}
