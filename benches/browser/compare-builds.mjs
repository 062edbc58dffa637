// score() of two or more built packages in one node process, interleaved (5 rounds, median of
// 10 000 calls each): node benches/browser/compare-builds.mjs /tmp/pkg-before wasm/pkg
// (copies of wasm/pkg from scripts/build-wasm; README "Browser" → "Size and speed").
// `dir#entry` takes another entry point of a package: wasm/pkg#civic_value_score is the
// scoring-only module (`civic-value/score`).
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
const example = JSON.parse(readFileSync(new URL("../../examples/oosterspoorbaan.json", import.meta.url), "utf8"));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const builds = {};
for (const name of process.argv.slice(2)) {
  const [dir, entry = "civic_value"] = name.split("#");
  const m = await import(pathToFileURL(path.resolve(dir, `${entry}.js`)).href);
  m.initSync({ module: readFileSync(path.resolve(dir, `${entry}_bg.wasm`)) });
  builds[name] = m.Rubric.default();
}
const perCall = (f, n = 10_000) => {
  for (let i = 0; i < 2000; i++) f();
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) { const t0 = performance.now(); f(); t[i] = performance.now() - t0; }
  return median(Array.from(t)) * 1000;
};
for (let round = 0; round < 5; round++)
  for (const [name, r] of Object.entries(builds))
    console.log(round, name, perCall(() => r.score(example.inputs)).toFixed(2), "µs");
