// The "how sure is this score" strip in the live form (headless Chromium): the p5–p95 band
// of the total under the default concentration. The expected band comes from the CLI
// (`civic-value sensitivity --draws 2000 --format json`) for the same file, never from the
// page or the package under test.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";

import { ROOT, launch, openForm, serveForm } from "./harness.mjs";

const CLI = process.env.CIVIC_VALUE_CLI ?? path.join(ROOT, "target/debug/civic-value");

function cliBand(file) {
  const out = execFileSync(CLI, ["sensitivity", "--draws", "2000", "--seed", "0", "--format", "json", file], {
    encoding: "utf8",
  });
  const s = JSON.parse(out).initiatives[0];
  return [s.p5, s.p95];
}

let server;
let browser;
let page;
let problems;

async function band() {
  await page.waitForFunction(() => document.querySelector("[data-testid=uncertainty]")?.dataset.state === "ready");
  const strip = page.locator("[data-testid=uncertainty]");
  return [Number(await strip.getAttribute("data-p5")), Number(await strip.getAttribute("data-p95"))];
}

describe("the uncertainty strip in the form", () => {
  before(async () => {
    server = await serveForm();
    browser = await launch();
    ({ page, problems } = await openForm(browser.context, server.url));
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("shows the p5–p95 band of an example, as the CLI computes it", async () => {
    for (const id of ["oosterspoorbaan", "repair-cafe"]) {
      await page.selectOption("#ui-example", id);
      await page.click("#ui-fill");
      const [p5, p95] = await band();
      assert.deepEqual([p5, p95], cliBand(path.join(ROOT, `examples/${id}.json`)));
      const text = await page.textContent("[data-testid=uncertainty]");
      assert.ok(text.includes(`${p5.toFixed(1)} – ${p95.toFixed(1)}`), text);
    }
  });

  it("follows typing once a burst of keystrokes pauses, with no console errors", async () => {
    const before = await band();
    const field = page.locator('[name="volunteer_hours"]');
    // A burst of keystrokes: the score updates on each, the strip once they pause.
    await field.pressSequentially("12", { delay: 10 });
    const after = await band();
    assert.notDeepEqual(after, before);
    assert.ok(after[0] <= after[1]);
    await page.click("#ui-clear");
    assert.deepEqual(problems, []);
  });
});
