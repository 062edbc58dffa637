// The web form's uncertainty strip: one `rubric.monteCarlo([inputs], {draws: 2000})` for the
// Oosterspoorbaan example, timed in node (the same V8 and wasm as Chromium). Run after
// `scripts/build-wasm`: `node benches/browser/monte_carlo.mjs`.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

import { initSync, Rubric } from "../../wasm/pkg/civic_value.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
initSync({ module: readFileSync(path.join(root, "wasm/pkg/civic_value_bg.wasm")) });
const rubric = Rubric.default();
const { inputs } = JSON.parse(readFileSync(path.join(root, "examples/oosterspoorbaan.json"), "utf8"));
const runs = process.argv.includes("--quick") ? 5 : 200;
for (let i = 0; i < Math.min(runs, 20); i++) rubric.monteCarlo([inputs], { draws: 2000 });
const t0 = performance.now();
for (let i = 0; i < runs; i++) rubric.monteCarlo([inputs], { draws: 2000 });
console.log(`uncertainty strip: ${((performance.now() - t0) / runs).toFixed(2)} ms per 2000-draw run`);
