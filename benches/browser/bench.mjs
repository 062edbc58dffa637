// Browser benchmark (not part of the test suite): in headless Chromium, with the form served
// by scripts/serve-form,
//   1. the time per `rubric.score()` call from JS (default rubric, the Oosterspoorbaan inputs),
//   2. the time from an input event in a form field to the updated DOM (score recomputed,
//      every number and bar rewritten, layout done),
// plus the size of the .wasm, raw and gzipped.
//
//   scripts/build-wasm && node benches/browser/bench.mjs
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

import { ROOT, launch, openForm, serveForm } from "../../wasm/tests/browser/harness.mjs";

const example = JSON.parse(readFileSync(path.join(ROOT, "examples/oosterspoorbaan.json"), "utf8"));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

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
