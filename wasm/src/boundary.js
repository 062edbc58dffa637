// The JS half of the boundary between the engine (wasm) and its callers.
//
// Everything that can run a caller's code (getters, Proxy traps, Map iteration) runs here,
// once, inside try/catch: a value is copied into a "tape" of plain numbers and one string
// that the engine reads (wasm/src/tape.rs). Results travel the other way as a tape too and
// are built into plain objects here, without a JSON round trip. Nothing in this file throws
// into the engine: failures are returned as values.

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

// The tape the last `encode` that succeeded wrote, for `takeOps` / `takeText` / `keepTape`
// (the engine takes it right after `encode` returns, before any caller code can run).
let doneOps = ops;
let doneN = 0;
let doneParts = parts;

const objectProto = Object.prototype;
const arrayProto = Array.prototype;

// `o[k] = v` as JSON.parse does it (CreateDataProperty): an own, enumerable, writable
// property, whatever Object.prototype holds, so a page's setter there is never called from
// here. Assignment does the same, faster, unless a property of that name is inherited (a
// setter, or "__proto__", "toString"…): only then the slow way.
function define(o, k, v) {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
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
 * Returns undefined on success (then `takeOps` / `takeText`), or `[kind, path, message, size]`
 * with kind "refused" (a value that cannot be read), "threw" (a getter or Proxy trap threw)
 * or "too_large". `prefix` starts the path (`input`).
 */
export function encode(value, max, prefix) {
  // Called back from a getter or Proxy trap while another value is being read (a page's
  // getter calling score()): the outer read's state is kept aside and given back after, so
  // both calls read exactly their own value.
  const outer = reading ? [ops, n, parts, size, limit, where, wn] : undefined;
  if (outer !== undefined) {
    ops = new Float64Array(256);
    where = [];
  }
  reading = true;
  n = 0;
  parts = [];
  size = 0;
  limit = max;
  wn = 0;
  try {
    read(value, 0);
    doneOps = ops;
    doneN = n;
    doneParts = parts;
    return undefined;
  } catch (e) {
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

export function takeOps() {
  return doneOps.subarray(0, doneN);
}

export function takeText() {
  const text = doneParts.join("");
  doneParts = [];
  lastText = text;
  return text;
}

// The text of the last tape taken, for `keepTape`.
let lastText = "";
let keepBuf = [];

/** A copy of the last tape `encode` wrote and `takeOps`/`takeText` took: `[ops, text]` (ops as an array), kept
 * by a score for its methods (the caller's inputs object may change afterwards). */
export function keepTape() {
  // A plain array (on the JS heap): cheaper to make and collect than a typed array's own
  // buffer, ≈ 0.5 µs of each score().
  // Copied through `keepBuf` (its slots its own, so no setter is met) and out by `slice`
  // (which defines the elements): ≈ 0.4 µs less than checking each new element.
  for (let j = 0; j < doneN; j++) slot(keepBuf, j, doneOps[j]);
  const kept = keepBuf.slice(0, doneN);
  if (keepBuf.length > 1 << 16) keepBuf = []; // not kept for a large input's sake
  return [kept, lastText];
}

/** The length of a JS string (UTF-16 units), read without copying it. */
export function stringLength(s) {
  return s.length;
}

// ---- results: tape -> plain objects --------------------------------------------------

// Struct field names by id, as sent once by the engine (wasm/src/tape.rs `Fields`).
const fields = [];

// The tape being decoded and where in it: module state rather than closures made per call
// (≈ 0.5 µs of each score()). Decoding runs no caller code of its own (properties are
// defined, as JSON.parse defines them: a setter on Object.prototype is not called), but a
// page's patched built-in can still call back into the module: `decode` keeps an outer
// decode's state aside and gives it back, so a nested decode is correct too.
let dTape, dText, di = 0, dpos = 0;

// Own properties as JSON.parse makes them (CreateDataProperty), fast. An object's property
// is assigned (as fast as it gets) when no property of that name is inherited from
// Object.prototype, and defined otherwise (`define`). Asking Object.prototype costs ≈ 10 ns a
// key, so a struct field is asked once per decode: `clear[id] === serial` when field `id`
// was found not inherited in this decode (no caller code runs in between to add one). An
// array's elements are stacked on `stack` (whose slots are its own once made, so assigning
// one meets no setter) and copied out by `slice`, which defines them.
let serial = 0;
let clear = new Float64Array(64);
let stack = [];
let sp = 0;

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
// later objects reuse the same property key).
function dfield(id) {
  // (A missing index would be looked up on Object.prototype: not read.)
  let name = id < fields.length ? fields[id] : undefined;
  if (name === undefined) {
    name = Object.keys({ [dstr(dTape[di++])]: 0 })[0];
    put(fields, id, name);
  }
  return name;
}

// Note that field `id` is not inherited, for the rest of this decode.
function markClear(id) {
  if (id >= clear.length) {
    const bigger = new Float64Array(Math.max(2 * clear.length, id + 1));
    bigger.set(clear);
    clear = bigger;
  }
  clear[id] = serial;
}

function dvalue() {
  switch (dTape[di++]) {
    case NULL: return null;
    case FALSE: return false;
    case TRUE: return true;
    case NUM: return dTape[di++];
    case STR: return dstr(dTape[di++]);
    case SEQ: {
      const base = sp;
      for (;;) {
        const t = dTape[di];
        if (t === END) break;
        if (t === undefined) throw reentered();
        const v = dvalue();
        slot(stack, sp++, v);
      }
      di++;
      const a = stack.slice(base, sp);
      sp = base;
      return a;
    }
    case MAP: {
      // A key: a length (its text follows in `text`), or a field id -(id + 2).
      const o = {};
      for (;;) {
        const t = dTape[di++];
        if (t === END) break;
        if (t === undefined) throw reentered();
        let k;
        if (t >= 0) {
          k = dstr(t);
          if (k in objectProto) {
            define(o, k, dvalue());
            continue;
          }
        } else {
          const id = -t - 2;
          k = dfield(id);
          if (clear[id] !== serial) {
            if (k in objectProto) {
              define(o, k, dvalue());
              continue;
            }
            markClear(id);
          }
        }
        o[k] = dvalue();
      }
      return o;
    }
    default: throw reentered();
  }
}

/** Build the plain value a result tape stands for (JSON.parse's shapes: no Maps; own
 * properties defined as JSON.parse defines them). Throws a `CivicValueError` with code
 * `call.reentrant` if the tape's memory moved while it was read (see `reentered`). */
export function decode(tape, text) {
  const outer = dTape === undefined ? undefined : [dTape, dText, di, dpos, sp];
  dTape = tape;
  dText = text;
  di = 0;
  dpos = 0;
  serial++;
  try {
    return dvalue();
  } finally {
    if (outer === undefined) {
      dTape = dText = undefined;
      sp = 0;
      // The stack holds the last result's values until overwritten: not a large one's.
      if (stack.length > 1 << 16) stack = [];
    } else {
      dTape = outer[0]; dText = outer[1]; di = outer[2]; dpos = outer[3]; sp = outer[4];
    }
  }
}

/** A TypeError naming the argument: `perspective: expected a string or undefined, got number`. */
export function typeError(name, expected, value) {
  return new TypeError(`${name}: expected ${expected}, got ${kindOf(value)}`);
}
