// Cost of the form's levers panel per input event, as ratios to one `rubric.score()` call
// measured in the same process (node, the built package): `score.levers()`, `score.pathTo()`
// of the next band and `rubric.comparePerspectives()`, for the Oosterspoorbaan park (top band:
// its path is empty) and the vegetable garden (a knock-out to fix and a partial last change).
//
//   scripts/build-wasm && node benches/browser/weigh.mjs [--quick]
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { initSync, Rubric } from "../../wasm/pkg/civic_value.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
initSync({ module: readFileSync(path.join(root, "wasm/pkg/civic_value_bg.wasm")) });
const quick = process.argv.includes("--quick");
const rubric = Rubric.default();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median time per call over batches, interleaved with the baseline so load hits both. */
function measure(f, base) {
  const batch = quick ? 20 : 200;
  const runs = quick ? 3 : 15;
  const a = [];
  const b = [];
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    for (let i = 0; i < batch; i++) base();
    a.push((performance.now() - t) / batch);
    t = performance.now();
    for (let i = 0; i < batch; i++) f();
    b.push((performance.now() - t) / batch);
  }
  return { base: median(a) * 1000, cost: median(b) * 1000 };
}

for (const id of ["oosterspoorbaan", "vegetable-garden"]) {
  const { inputs } = JSON.parse(readFileSync(path.join(root, `examples/${id}.json`), "utf8"));
  const score = rubric.score(inputs);
  const bands = rubric.describe().bands;
  const rank = bands.findIndex((b) => b.id === score.band);
  const next = rank > 0 ? bands[rank - 1].id : bands[0].id;
  const base = () => rubric.score(inputs);
  const rows = [
    ["score.levers()", () => score.levers()],
    [`score.pathTo("${next}")`, () => score.pathTo(next)],
    ["rubric.comparePerspectives()", () => rubric.comparePerspectives(inputs)],
    ["the panel (all three)", () => { score.levers(); score.pathTo(next); rubric.comparePerspectives(inputs); }],
  ];
  console.log(`${id} (path to ${next}: ${score.pathTo(next).length} changes)`);
  for (const [name, f] of rows) {
    const { base: b, cost } = measure(f, base);
    console.log(`  ${name.padEnd(30)} ${cost.toFixed(1).padStart(8)} µs = ${(cost / b).toFixed(1).padStart(5)} × score() (${b.toFixed(1)} µs)`);
  }
}
