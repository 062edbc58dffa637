// TOML rubrics in the browser package. The main module has no TOML reader (it would be a
// third of its size); `civic_value_toml.wasm` (a plain wasm module next to the package's
// files: no imports, see wasm/toml/) has the core's own reader and is loaded on demand:
//
//   await initToml();               // browser: fetch it once (or pass a URL, Response, bytes, Module)
//   Rubric.fromToml(text);          // node: loads it by itself on first use
//
// Nothing here throws into the engine: `tomlToTape` returns `[status, …]`.

let instance = null;

// This file is copied to <package>/snippets/<crate>-<hash>/src/toml.js by wasm-bindgen.
function defaultUrl() {
  return new URL("../../../civic_value_toml.wasm", import.meta.url);
}

function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  return new WebAssembly.Module(source);
}

/** Load the TOML module from bytes or a compiled `WebAssembly.Module`. */
export function initTomlSync(source) {
  if (source === undefined || source === null) throw new TypeError("source: expected bytes or a WebAssembly.Module, got " + source);
  instance = new WebAssembly.Instance(compile(source), {});
}

/**
 * Load the TOML module: from the URL next to the package (default), or a URL, `Request`,
 * `Response`, promise of one, bytes or `WebAssembly.Module`. Resolves when `fromToml` works.
 */
export async function initToml(source) {
  if (instance !== null && source === undefined) return;
  let s = source === undefined ? defaultUrl() : await source;
  if (typeof s === "string" || s instanceof URL) {
    const url = new URL(String(s), globalThis.location?.href ?? import.meta.url);
    const fs = globalThis.process?.getBuiltinModule?.("node:fs");
    s = url.protocol === "file:" && fs ? fs.readFileSync(url) : await fetch(url);
  } else if (typeof Request === "function" && s instanceof Request) {
    s = await fetch(s);
  }
  if (typeof Response === "function" && s instanceof Response) {
    if (!s.ok) throw new Error(`civic_value_toml.wasm: ${s.status} ${s.statusText} (${s.url})`);
    s = await s.arrayBuffer();
  }
  const module = s instanceof WebAssembly.Module ? s : await WebAssembly.compile(s);
  instance = new WebAssembly.Instance(module, {});
}

// In node the module can be read synchronously on first use.
function autoload() {
  try {
    const fs = globalThis.process?.getBuiltinModule?.("node:fs");
    if (!fs) return false;
    initTomlSync(fs.readFileSync(defaultUrl()));
    return true;
  } catch {
    return false;
  }
}

/**
 * Parse TOML text: `[0, ops, text]` (a tape, see wasm/src/tape.rs), `[1, "code\0path\0message\0detail"]`
 * (the core's error), or `[2, why]` (the module is not loaded).
 */
export function tomlToTape(source) {
  if (instance === null && !autoload()) {
    return [2, "TOML support is a second module: call `await initToml()` once before " +
      "Rubric.fromToml (it fetches civic_value_toml.wasm next to the package); JSON rubrics need nothing"];
  }
  const { memory, input, convert, output, output_len: outputLen } = instance.exports;
  const bytes = new TextEncoder().encode(source);
  const at = input(bytes.length);
  new Uint8Array(memory.buffer, at, bytes.length).set(bytes);
  const status = convert();
  const start = output();
  const out = new Uint8Array(memory.buffer, start, outputLen());
  if (status !== 0) return [status, new TextDecoder().decode(out)];
  const count = Number(new DataView(memory.buffer, start, 8).getBigUint64(0, true));
  const ops = new Float64Array(memory.buffer.slice(start + 8, start + 8 + count * 8));
  const text = new TextDecoder().decode(out.subarray(8 + count * 8));
  return [0, ops, text];
}
