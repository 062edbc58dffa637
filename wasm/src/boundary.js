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

let ops = new Float64Array(256);
let n = 0;
let parts = [];
let size = 0;
let limit = 0;
const where = [];   // the path of the value being read: keys and indices

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
  parts.push(s);
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
      where.push(i);
      read(x[i], depth + 1);
      where.pop();
    }
    return;
  }
  if (isMap(x)) {
    const entries = [];
    Map.prototype.forEach.call(x, (v, k) => entries.push(k, v));
    grow(2);
    push(MAP);
    push(entries.length / 2);
    for (let i = 0; i < entries.length; i += 2) {
      const k = entries[i];
      if (typeof k !== "string") throw new Refused(`a Map key must be a string, got ${kindOf(k)}`);
      pushString(k);
      where.push(k);
      read(entries[i + 1], depth + 1);
      where.pop();
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
    where.push(k);
    read(x[k], depth + 1);
    where.pop();
  }
}

function pathOf(prefix) {
  let out = prefix;
  for (const seg of where) {
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
  n = 0;
  parts = [];
  size = 0;
  limit = max;
  where.length = 0;
  try {
    read(value, 0);
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
    where.length = 0;
  }
}

export function takeOps() {
  return ops.subarray(0, n);
}

export function takeText() {
  const text = parts.join("");
  parts = [];
  lastText = text;
  return text;
}

// The text of the last tape taken, for `keepTape`.
let lastText = "";

/** A copy of the last tape `encode` wrote and `takeOps`/`takeText` took: `[ops, text]` (ops as an array), kept
 * by a score for its methods (the caller's inputs object may change afterwards). */
export function keepTape() {
  // A plain array (on the JS heap): cheaper to make and collect than a typed array's own
  // buffer, ≈ 0.5 µs of each score().
  const kept = new Array(n);
  for (let j = 0; j < n; j++) kept[j] = ops[j];
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
// (≈ 0.5 µs of each score()). `decode` runs no caller code, so it is never re-entered.
let dTape, dText, di = 0, dpos = 0;

function dstr(len) {
  const s = dText.slice(dpos, dpos + len);
  dpos += len;
  return s;
}

// A key: a length (text follows in `text`), or a field id -(id + 2), with its text the
// first time.
function dkey() {
  const k = dTape[di++];
  if (k >= 0) return dstr(k);
  const id = -k - 2;
  let name = fields[id];
  if (name === undefined) {
    // Internalised once: later objects reuse the same property key.
    name = fields[id] = Object.keys({ [dstr(dTape[di++])]: 0 })[0];
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
      while (dTape[di] !== END) a.push(dvalue());
      di++;
      return a;
    }
    case MAP: {
      const o = {};
      while (dTape[di] !== END) {
        const k = dkey();
        const v = dvalue();
        // As JSON.parse does: "__proto__" is an own property, not the prototype.
        if (k === "__proto__") Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
        else o[k] = v;
      }
      di++;
      return o;
    }
    default: return undefined;
  }
}

/** Build the plain value a result tape stands for (JSON.parse's shapes: no Maps). */
export function decode(tape, text) {
  dTape = tape;
  dText = text;
  di = 0;
  dpos = 0;
  try {
    return dvalue();
  } finally {
    dTape = undefined;
    dText = undefined;
  }
}

/** A TypeError naming the argument: `perspective: expected a string or undefined, got number`. */
export function typeError(name, expected, value) {
  return new TypeError(`${name}: expected ${expected}, got ${kindOf(value)}`);
}
