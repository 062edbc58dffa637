// The monetised value beside the score in the live form (headless Chromium). The expected
// ratio comes from the CLI (`civic-value sroi --format json`) for the same file, never from
// the page or the package under test.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { ROOT, launch, openForm, serveForm } from "./harness.mjs";

const CLI = process.env.CIVIC_VALUE_CLI ?? path.join(ROOT, "target/debug/civic-value");
const GREEN_FUND = path.join(ROOT, "examples/rubrics/green-fund.toml");

function cliRatio(file) {
  const out = execFileSync(CLI, ["sroi", "--format", "json", file], { encoding: "utf8" });
  return JSON.parse(out)[0].monetised.sroi.ratio;
}

let server;
let browser;
let page;
let problems;

describe("the monetised value in the form", () => {
  before(async () => {
    server = await serveForm();
    browser = await launch();
    ({ page, problems } = await openForm(browser.context, server.url));
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("shows the SROI ratio of an example, as the CLI computes it", async () => {
    for (const id of ["oosterspoorbaan", "repair-cafe"]) {
      await page.selectOption("#ui-example", id);
      await page.click("#ui-fill");
      const ratio = page.locator("[data-testid=sroi-ratio]");
      assert.ok(await ratio.isVisible());
      const value = Number(await ratio.getAttribute("data-value"));
      assert.equal(value, cliRatio(path.join(ROOT, `examples/${id}.json`)));
      assert.match(await ratio.textContent(), /^\d+\.\d\d$/);
    }
  });

  it("updates live and says what is missing", async () => {
    const ratio = page.locator("[data-testid=sroi-ratio]");
    const before = Number(await ratio.getAttribute("data-value"));
    await page.locator('[name="volunteer_hours"]').fill("2000");
    const after = Number(await ratio.getAttribute("data-value"));
    assert.notEqual(after, before);
    await page.locator('[name="municipal_contribution"]').fill("");
    assert.equal(await ratio.textContent(), "–");
    assert.match(await page.textContent("[data-testid=sroi]"), /municipal_contribution|value is required/);
    await page.click("#ui-clear");
  });

  it("asks for the investment when the rubric names none, and hides without proxies", async () => {
    // The green fund has a proxy table but no investment criterion.
    await page.setInputFiles("#ui-rubric-file", GREEN_FUND);
    await page.waitForFunction(() => document.querySelector("#rubric-status")?.textContent?.includes("green-fund"));
    // Its missing-data policy is "error": answer every criterion first.
    await page.locator('[name="green_area_m2"]').fill("500");
    await page.locator('[name="volunteer_hours"]').fill("300");
    await page.locator('[name="support_share"]').fill("70");
    const level = page.locator('[name="biodiversity"][value="3"]');
    await page.click(`label[for="${await level.getAttribute("id")}"]`);
    assert.match(await page.textContent("[data-testid=sroi]"), /give the investment/);
    const plain = path.join(mkdtempSync(path.join(tmpdir(), "civic-value-sroi-")), "plain.json");
    writeFileSync(plain, JSON.stringify({
      id: "plain", version: "1", themes: [{ id: "t", weight: 1 }],
      criteria: [{ id: "x", theme: "t", weight: 1, value_function: { type: "linear", worst: 0, best: 10 } }],
    }));
    await page.setInputFiles("#ui-rubric-file", plain);
    await page.waitForFunction(() => document.querySelector("#rubric-status")?.textContent?.includes("plain"));
    assert.equal(await page.isVisible("[data-testid=sroi-ratio]"), false);
    await page.click("#ui-default-rubric");
    assert.deepEqual(problems, []);
  });
});
