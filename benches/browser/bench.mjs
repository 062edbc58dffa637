// Browser benchmark (not part of the test suite):
//   0. in node, the median of 10 000 `rubric.score()` calls (default rubric, the
//      Oosterspoorbaan inputs), against baselines timed the same way in the same run: a plain
//      JS function call, and `JSON.parse` of the score's JSON text (what the old boundary
//      paid on top of the engine for every call);
// then in headless Chromium, with the form served by scripts/serve-form,
//   1. the time per `rubric.score()` call from JS,
//   2. the time from an input event in a form field to the updated DOM (score recomputed,
//      every number and bar rewritten, layout done),
// plus the size of the .wasm, raw and gzipped.
//
//   scripts/build-wasm && node benches/browser/bench.mjs [--node-only]
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

import { ROOT, launch, openForm, serveForm } from "../../wasm/tests/browser/harness.mjs";

const example = JSON.parse(readFileSync(path.join(ROOT, "examples/oosterspoorbaan.json"), "utf8"));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

// 0. node: each call timed on its own, the median of 10 000 (after 2 000 to warm up).
{
  const { initSync, Rubric } = await import("../../wasm/pkg/civic_value.js");
  initSync({ module: readFileSync(path.join(ROOT, "wasm/pkg/civic_value_bg.wasm")) });
  const rubric = Rubric.default();
  const perCall = (f, n = 10_000) => {
    for (let i = 0; i < 2000; i++) f();
    const t = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      f();
      t[i] = performance.now() - t0;
    }
    return median(Array.from(t)) * 1000;
  };
  const text = JSON.stringify(rubric.score(example.inputs));
  const noop = () => 0;
  const score = perCall(() => rubric.score(example.inputs));
  const parse = perCall(() => JSON.parse(text));
  const call = perCall(noop);
  const f = (x) => x.toFixed(2);
  console.log([
    `node ${process.version}, ${new Date().toISOString().slice(0, 10)}, median of 10 000 calls each`,
    `rubric.score() per call:                         ${f(score)} µs`,
    `JSON.parse(score's JSON) (old boundary's extra):  ${f(parse)} µs   score / JSON.parse = ${f(score / parse)}`,
    `an empty JS call (timer resolution):             ${f(call)} µs`,
  ].join("\n"));
  if (process.argv.includes("--node-only")) process.exit(0);
}

const server = await serveForm();
const browser = await launch();
try {
  const { page, problems } = await openForm(browser.context, `${server.url}?lang=en`);

  // 1. score() per call: batches of calls, the median batch.
  const scoring = await page.evaluate(async (inputs) => {
    const { Rubric } = await import(new URL("pkg/civic_value.js", location.href).href);
    const rubric = Rubric.default();
    const batch = 2000;
    const run = (f) => {
      for (let i = 0; i < batch; i++) f();
      const out = [];
      for (let b = 0; b < 25; b++) {
        const t0 = performance.now();
        for (let i = 0; i < batch; i++) f();
        out.push(((performance.now() - t0) * 1000) / batch);
      }
      return out;
    };
    const asMap = new Map(Object.entries(inputs));
    return {
      score: run(() => rubric.score(inputs)),
      perspective: run(() => rubric.score(inputs, "residents")),
      map: run(() => rubric.score(asMap)),
      describe: run(() => rubric.describe("nl")),
    };
  }, example.inputs);

  // 2. input event → updated DOM, in the real form.
  await page.selectOption("#ui-example", "oosterspoorbaan");
  await page.click("#ui-fill");
  const typing = await page.evaluate(async () => {
    const field = document.querySelector('[name="support_share"]');
    const total = document.querySelector("[data-testid=total]");
    const values = ["55", "56", "57", "58", "59", "60", "61", "62", "63", "64", "lots", "72"];
    const times = [];
    for (let i = 0; i < 600; i++) {
      const before = total.dataset.value;
      const t0 = performance.now();
      field.value = values[i % values.length];
      field.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText" }));
      void document.body.offsetHeight; // include style and layout of the new DOM
      const t1 = performance.now();
      if (total.dataset.value === before && i % values.length !== 0) throw new Error("the DOM did not change");
      times.push(t1 - t0);
      if (i % 50 === 0) await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    }
    return times.slice(50);
  });

  const wasm = readFileSync(path.join(ROOT, "wasm/pkg/civic_value_bg.wasm"));
  const gz = gzipSync(wasm, { level: 9 }).length;
  const version = await browser.context.browser()?.version?.();
  const f = (x, d = 1) => x.toFixed(d);
  const lines = [
    `Chromium ${version ?? "(headless)"}, ${new Date().toISOString().slice(0, 10)}`,
    `rubric.score() per call, default rubric:        ${f(median(scoring.score))} µs (median of 25 batches of 2000)`,
    `  … with a perspective:                          ${f(median(scoring.perspective))} µs`,
    `  … inputs as a Map (read value by value):       ${f(median(scoring.map))} µs`,
    `rubric.describe("nl") per call:                  ${f(median(scoring.describe))} µs`,
    `input event → updated DOM (form):                ${f(median(typing), 2)} ms median, ${f(quantile(typing, 0.95), 2)} ms p95 (${typing.length} keystrokes)`,
    `wasm size:                                       ${(wasm.length / 1024).toFixed(0)} KiB raw, ${(gz / 1024).toFixed(0)} KiB gzipped (gzip -9)`,
  ];
  console.log(lines.join("\n"));
  if (problems.length) console.log(`page problems: ${problems.join("; ")}`);
} finally {
  await browser.close();
  await server.stop();
}
