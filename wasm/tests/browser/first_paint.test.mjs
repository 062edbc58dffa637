// The form paints its first score with the scoring-only module (`civic-value/score`) and
// hands over to the full module (levers, uncertainty, SROI) when that has loaded. The full
// module's .wasm is held back here until the first score is on the page: the total must be
// there without it, with no analysis panel; once released, the same total stays and the
// levers appear.
import { after, before, it } from "node:test";
import assert from "node:assert/strict";

import { launch, serveForm } from "./harness.mjs";

let server;
let browser;

before(async () => {
  server = await serveForm();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

it("paints the first score before the full module has loaded, then adds the levers", async () => {
  const page = await browser.context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  const requested = [];
  page.on("request", (req) => requested.push(new URL(req.url()).pathname));
  let release;
  const held = new Promise((resolve) => {
    release = resolve;
  });
  await page.route("**/pkg/civic_value_bg.wasm", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(server.url);
  const total = page.locator("[data-testid=total]");
  await page.waitForFunction(() => /\d/.test(document.querySelector("[data-testid=total]")?.textContent ?? ""));
  const first = await total.textContent();
  assert.ok(requested.some((p) => p.endsWith("/pkg/civic_value_score_bg.wasm")), "the scoring-only module was fetched");
  assert.equal(await page.locator("body[data-ready='true']").count(), 0, "the full module has not taken over yet");
  assert.equal(await page.locator("[data-testid=levers] li").count(), 0, "no levers without the full module");
  release();
  await page.waitForSelector("body[data-ready='true']");
  assert.equal(await total.textContent(), first, "the full module shows the same total");
  await page.waitForSelector("[data-testid=levers]");
  assert.deepEqual(problems, []);
  await page.close();
});
