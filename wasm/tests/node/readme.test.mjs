// README.md's ```js examples, run against the built package (wasm/pkg) as a node user would.
// Run: node --test wasm/tests/node/ (after scripts/build-wasm).
//
// The README is the independent source: the values it shows are the expected values. The same
// rules as py/tests/test_readme.py and cli/tests/readme.rs:
// - a section (one `## ` heading) runs its ```js blocks in order as one async function, so a
//   later block may use what an earlier one made; `<!-- no-run: REASON -->` skips a block;
// - `import … from "civic-value"` (or `"civic-value/score"`, the scoring-only entry point)
//   takes those names from wasm/pkg's module of that entry (each must exist), and the default
//   export `init()` is its `initSync` with that module's .wasm bytes, as the README's comment
//   says to do in node;
// - a line `EXPRESSION; // → SHOWN` is checked: the value, written as JS would write it
//   (strings quoted, arrays in brackets), must equal SHOWN up to ` — ` (prose may follow),
//   with `…` standing for any text; `// → throws NAME: MESSAGE` expects that error;
//   every such line must run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

import * as full from "../../pkg/civic_value.js";
import * as lean from "../../pkg/civic_value_score.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
const readme = readFileSync(path.join(root, "README.md"), "utf8").split("\n");

function readBlocks(lines) {
  const blocks = [];
  let section = "";
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith("## ")) section = lines[i].slice(3).trim();
    const open = /^(\s*)```(\w+)\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const start = i;
    const body = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) {
      body.push(lines[i].slice(0, indent).trim() === "" ? lines[i].slice(indent) : lines[i]);
    }
    const noRun = start > 0 ? /^\s*<!--\s*no-run:\s*(.*?)\s*-->\s*$/.exec(lines[start - 1]) : null;
    blocks.push({ line: start + 1, lang: open[2], section, body, noRun: noRun ? noRun[1] : null });
  }
  return blocks;
}

function lineMatches(shown, real) {
  const pattern = shown
    .split("…")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("[\\s\\S]*");
  return new RegExp(`^${pattern}$`).test(real);
}

// A value as the README writes it: strings in double quotes (single when they hold one),
// arrays in brackets, numbers as JS prints them, other values as JSON.
function show(v) {
  if (typeof v === "string") return v.includes('"') && !v.includes("'") ? `'${v}'` : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

const CHECKED = /^(\s*)(.*?);\s*\/\/ → (.*)$/;

// The section's blocks as one async function body; `// →` lines become __check calls.
function program(blocks, file) {
  const imports = [];
  const arrows = new Set();
  const code = [];
  for (const b of blocks) {
    b.body.forEach((text, k) => {
      const at = b.line + 1 + k;
      const imp = /^import\s+(?:(\w+)\s*,?\s*)?(?:\{([^}]*)\})?\s*from\s+"(civic-value(?:\/score)?)";\s*$/.exec(text);
      if (imp) {
        const names = (imp[2] || "").split(",").map((s) => s.trim()).filter(Boolean);
        imports.push({ at, def: imp[1], names, entry: ENTRIES[imp[3]] });
        code.push("");
        return;
      }
      if (text.includes("// →")) {
        const m = CHECKED.exec(text);
        assert.ok(m, `${file}:${at}: a '// →' check must end an expression statement: ${text}`);
        const shown = m[3].split(" — ")[0].trim();
        arrows.add(at);
        code.push(`${m[1]}__check(${at}, () => (${m[2]}), ${JSON.stringify(shown)});`);
        return;
      }
      code.push(text);
    });
  }
  return { imports, arrows, code: code.join("\n") };
}

// The package's entry points: each module and its .wasm.
const ENTRIES = {
  "civic-value": { pkg: full, wasm: "wasm/pkg/civic_value_bg.wasm" },
  "civic-value/score": { pkg: lean, wasm: "wasm/pkg/civic_value_score_bg.wasm" },
};

const blocks = readBlocks(readme);
const sections = [...new Set(blocks.filter((b) => b.lang === "js").map((b) => b.section))];

// Runs blocks as one async function with the package's imports; returns what they logged.
async function runJs(own, file) {
  const { imports, arrows, code } = program(own, file);
  const names = ["console"];
  const logged = [];
  const values = [{ log: (...args) => logged.push(args) }];
  for (const imp of imports) {
    const { pkg, wasm } = imp.entry;
    if (imp.def) {
      names.push(imp.def);
      values.push(() => pkg.initSync({ module: readFileSync(path.join(root, wasm)) }));
    }
    for (const n of imp.names) {
      assert.ok(n in pkg, `${file}:${imp.at}: the package has no export ${n}`);
      names.push(n);
      values.push(pkg[n]);
    }
  }
  const ran = new Set();
  const check = (at, f, shown) => {
    ran.add(at);
    if (shown.startsWith("throws ")) {
      let err;
      try {
        f();
      } catch (e) {
        err = e;
      }
      assert.ok(err !== undefined, `${file}:${at}: expected ${shown}, nothing was thrown`);
      const real = `${err.name}: ${err.message}`;
      assert.ok(lineMatches(shown.slice(7), real), `${file}:${at}: README shows ${shown}, the code throws ${real}`);
    } else {
      const real = show(f());
      assert.ok(lineMatches(shown, real), `${file}:${at}: README shows ${shown}, the code gives ${real}`);
    }
  };
  const AsyncFunction = (async () => {}).constructor;
  await new AsyncFunction(...names, "__check", code)(...values, check);
  for (const at of arrows) assert.ok(ran.has(at), `${file}:${at}: this '// →' line never ran`);
  return logged;
}

test("the README has js examples", () => {
  assert.ok(blocks.filter((b) => b.lang === "js").length >= 2);
  assert.ok(lineMatches("31.19…", "31.197250885358823"));
  assert.ok(!lineMatches("31.18…", "31.197250885358823"));
  assert.equal(show("a \"b\""), `'a "b"'`);
});

for (const section of sections) {
  test(`README section "${section}": js examples`, async () => {
    const own = blocks.filter((b) => b.lang === "js" && b.section === section);
    for (const b of own) if (b.noRun !== null) assert.ok(b.noRun, `README.md:${b.line}: no-run needs a reason`);
    await runJs(own.filter((b) => b.noRun === null), "README.md");
  });
}

// The npm package's own README (wasm/npm/README.md, shipped in wasm/pkg): its examples must run
// too, each block on its own (they are independent: the first shows no score, only the error's
// code and path in a comment, checked here; the scoring-only entry point's has `// →` lines).
test("wasm/npm/README.md: js examples", async () => {
  const npmReadme = readFileSync(path.join(root, "wasm/npm/README.md"), "utf8").split("\n");
  const [first, ...rest] = readBlocks(npmReadme).filter((b) => b.lang === "js" && b.noRun === null);
  assert.ok(rest.length >= 1, "the package's example and the scoring-only entry point's");
  for (const b of rest) await runJs([b], "wasm/npm/README.md");
  const logged = await runJs([first], "wasm/npm/README.md");
  assert.equal(logged.length, 2, "the example logs a score and an error");
  // console.log(err.code, err.path, err.detail);   // "input.not_a_number" "input.volunteer_hours" …
  assert.deepEqual(logged[1].slice(0, 2), ["input.not_a_number", "input.volunteer_hours"]);
});
