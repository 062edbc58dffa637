// The live web form in headless Chromium (playwright-core + Debian's chromium), served by the
// README's command. Expected numbers and messages come from the CLI for the same files,
// never from the page or the package under test.
//
//   node --test wasm/tests/browser/     (after scripts/build-wasm and a build of the CLI)
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { ROOT, launch, openForm, serveForm } from "./harness.mjs";

const CLI = process.env.CIVIC_VALUE_CLI ?? path.join(ROOT, "target/debug/civic-value");
const EXAMPLE = path.join(ROOT, "examples/oosterspoorbaan.json");
const GREEN_FUND = path.join(ROOT, "examples/rubrics/green-fund.toml");
const SCREENSHOT = path.join(ROOT, "target/web-form.png");
const tmp = mkdtempSync(path.join(tmpdir(), "civic-value-form-"));

/** The CLI's JSON score of one initiative file. */
function cli(file, ...args) {
  const out = execFileSync(CLI, ["score", "--format", "json", ...args, file], { encoding: "utf8" });
  const [score] = JSON.parse(out);
  return score;
}

/** The CLI's message for a file it cannot score (the text after "<path>: "). */
function cliError(file, errorPath) {
  const run = spawnSync(CLI, ["score", "--format", "json", file], { encoding: "utf8" });
  assert.notEqual(run.status, 0, "the CLI rejects the file");
  const at = run.stderr.indexOf(`${errorPath}: `);
  assert.ok(at >= 0, `CLI names ${errorPath}: ${run.stderr}`);
  return run.stderr.slice(at + errorPath.length + 2).split("\n")[0].trim();
}

function variant(name, change) {
  const initiative = JSON.parse(readFileSync(EXAMPLE, "utf8"));
  change(initiative.inputs);
  const file = path.join(tmp, name);
  writeFileSync(file, JSON.stringify(initiative));
  return file;
}

const example = JSON.parse(readFileSync(EXAMPLE, "utf8"));

let server;
let browser;
let page;
let problems;

async function total() {
  const el = page.locator("[data-testid=total]");
  return { text: (await el.textContent()).trim(), value: Number(await el.getAttribute("data-value")) };
}

/** Fill one criterion's control the way a person would, by its `name`. */
async function fill(id, value) {
  const control = page.locator(`[name="${id}"]`).first();
  const tag = await control.evaluate((el) => `${el.tagName.toLowerCase()}:${el.type}`);
  if (tag === "input:radio") {
    const radio = page.locator(`[name="${id}"][value="${value}"]`);
    await page.click(`label[for="${await radio.getAttribute("id")}"]`);
  } else if (tag === "input:checkbox") {
    await control.setChecked(value === true);
  } else if (tag.startsWith("select")) {
    await control.selectOption(String(value));
  } else if (Array.isArray(value)) {
    await control.fill(String(value[0]));
    await page.locator(`[name="${id}.ranged"]`).check();
    await page.locator(`[name="${id}.high"]`).fill(String(value[1]));
  } else if (value !== null && typeof value === "object") {
    await control.fill(String(value.value));
    await page.locator(`[name="${id}.evidence"]`).selectOption(value.evidence);
  } else {
    await control.fill(String(value));
  }
}

describe("the live web form", () => {
  before(async () => {
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    server = await serveForm();
    browser = await launch();
    ({ page, problems } = await openForm(browser.context, `${server.url}?lang=en`));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("renders a field per criterion, each with name=<criterion id> and a label", async () => {
    for (const id of Object.keys(example.inputs)) {
      assert.ok(await page.locator(`[name="${id}"]`).count() > 0, `a control named ${id}`);
      assert.equal(await page.locator(`[data-testid="error-${id}"]`).count(), 1, `an error slot for ${id}`);
    }
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll("input, select, button")]
        .filter((el) => el.type !== "hidden")
        .filter((el) => !(el.labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") ||
          (el.tagName === "BUTTON" && el.textContent.trim())))
        .map((el) => el.name || el.id));
    assert.deepEqual(unlabelled, [], "every control has a label");
    const live = await page.locator("[aria-live] [data-testid=total]").count();
    assert.equal(live, 1, "the total is inside an aria-live region");
  });

  it("shows the CLI's total after filling in Oosterspoorbaan field by field", async () => {
    for (const [id, value] of Object.entries(example.inputs)) await fill(id, value);
    const want = cli(EXAMPLE);
    const got = await total();
    assert.equal(got.value, want.total, "exact total");
    assert.equal(got.text, want.total.toFixed(1), "displayed total");
    assert.equal(await page.getAttribute("[data-testid=band]", "data-band"), want.band);
    const interval = await page.textContent("#interval");
    assert.ok(interval.includes(want.interval.low.toFixed(1)) && interval.includes(want.interval.high.toFixed(1)),
      `interval shown: ${interval}`);
  });

  it("shows the engine's message beside an invalid field while the total stays live", async () => {
    const before = await total();
    await page.locator('[name="support_share"]').fill("lots");
    const message = cliError(variant("bad.json", (i) => { i.support_share = "lots"; }), "input.support_share");
    await assert.doesNotReject(page.waitForFunction(
      (m) => document.querySelector('[data-testid="error-support_share"]').textContent === m, message));
    assert.equal(await page.getAttribute('[name="support_share"]', "aria-invalid"), "true");
    // The rest is still scored: as if the invalid field were empty.
    const without = cli(variant("without.json", (i) => { i.support_share = null; }));
    const got = await total();
    assert.equal(got.value, without.total);
    assert.notEqual(got.value, before.value);
    assert.match(await page.textContent("#knockouts"), /Support among neighbours/);
    // No other field was lost.
    assert.equal(await page.inputValue('[name="green_area_m2"]'), String(example.inputs.green_area_m2));
    assert.equal(await page.inputValue('[name="volunteer_hours.high"]'), String(example.inputs.volunteer_hours[1]));
    // Correcting it brings back the full score and clears the message.
    await page.locator('[name="support_share"]').fill(String(example.inputs.support_share));
    assert.equal((await total()).value, cli(EXAMPLE).total);
    assert.equal(await page.textContent('[data-testid="error-support_share"]'), "");
  });

  it("switches perspective", async () => {
    await page.selectOption("#ui-perspective", "residents");
    assert.equal((await total()).value, cli(EXAMPLE, "--perspective", "residents").total);
    await page.click('button[data-perspective="municipality"]');
    assert.equal(await page.inputValue("#ui-perspective"), "municipality");
    assert.equal((await total()).value, cli(EXAMPLE, "--perspective", "municipality").total);
    await page.selectOption("#ui-perspective", "");
    assert.equal((await total()).value, cli(EXAMPLE).total);
  });

  it("switches language without losing any field", async () => {
    const enLabel = await page.textContent('label[for="f-support_share"]');
    await page.click('label[for="ui-lang-nl"]');
    assert.equal(await page.getAttribute("html", "lang"), "nl");
    const nlLabel = await page.textContent('label[for="f-support_share"]');
    assert.notEqual(nlLabel, enLabel);
    const want = cli(EXAMPLE);
    const got = await total();
    assert.equal(got.value, want.total);
    assert.equal(got.text, want.total.toFixed(1).replace(".", ","), "Dutch decimal comma");
    assert.equal(await page.inputValue('[name="volunteer_hours"]'), String(example.inputs.volunteer_hours[0]));
    assert.ok(await page.isChecked('[name="permit_secured"]'));
    await page.click('label[for="ui-lang-en"]');
    assert.equal(await page.textContent('label[for="f-support_share"]'), enLabel);
    assert.equal((await total()).value, want.total);
  });

  it("works with the keyboard alone", async () => {
    const start = (await total()).value;
    await page.focus('[name="plan_maturity"]:checked');
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.inputValue('[name="plan_maturity"]:checked'), "5");
    const raised = cli(variant("mature.json", (i) => { i.plan_maturity = 5; }));
    assert.equal((await total()).value, raised.total);
    await page.keyboard.press("ArrowLeft");
    await page.focus('[name="permit_secured"]');
    await page.keyboard.press("Space");
    assert.equal(await page.isChecked('[name="permit_secured"]'), false);
    await page.keyboard.press("Space");
    await page.focus('[name="partners"]');
    await page.keyboard.press("End");
    await page.keyboard.type("0");
    assert.equal((await total()).value, cli(variant("partners.json", (i) => { i.partners = 50; })).total);
    await page.keyboard.press("Backspace");
    assert.equal((await total()).value, start);
  });

  it("loads another rubric from a file, keeping the fields it shares", async () => {
    await page.setInputFiles("#ui-rubric-file", GREEN_FUND);
    await page.waitForFunction(() => document.querySelector("#rubric-status").textContent.includes("green-fund"));
    assert.equal((await total()).value, cli(EXAMPLE, "--rubric", GREEN_FUND).total);
    // A broken rubric is refused with the engine's message; the form stays as it was.
    const vector = JSON.parse(readFileSync(path.join(ROOT, "tests/vectors/rubric-best-equals-worst.json"), "utf8"));
    const broken = path.join(tmp, "broken.json");
    writeFileSync(broken, JSON.stringify(vector.rubric));
    await page.setInputFiles("#ui-rubric-file", broken);
    await page.waitForFunction(() => document.querySelector("#rubric-status").classList.contains("bad"));
    assert.ok((await page.textContent("#rubric-status")).includes(vector.error.path));
    assert.equal((await total()).value, cli(EXAMPLE, "--rubric", GREEN_FUND).total);
    await page.click("#ui-default-rubric");
    assert.equal((await total()).value, cli(EXAMPLE).total);
  });

  it("fills in an example with one button", async () => {
    await page.click("#ui-clear");
    assert.equal(await page.inputValue('[name="green_area_m2"]'), "");
    await page.selectOption("#ui-example", "repair-cafe");
    await page.click("#ui-fill");
    assert.equal((await total()).value, cli(path.join(ROOT, "examples/repair-cafe.json")).total);
    await page.selectOption("#ui-example", "oosterspoorbaan");
    await page.click("#ui-fill");
    assert.equal((await total()).value, cli(EXAMPLE).total);
  });

  it("is usable at phone width", async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);
    await page.locator('[name="support_share"]').fill("90");
    assert.equal((await total()).value, cli(variant("support.json", (i) => { i.support_share = 90; })).total);
    assert.ok(await page.isVisible(".mini"), "the score stays in view");
    await page.locator('[name="support_share"]').fill(String(example.inputs.support_share));
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("raises no console errors, and saves a screenshot", async () => {
    await page.setViewportSize({ width: 1280, height: 1380 });
    await page.evaluate(() => window.scrollTo(0, 0));
    // The uncertainty strip runs after typing pauses: wait for it, so the picture never shows
    // the previous inputs' band.
    await page.waitForFunction(() => document.querySelector("[data-testid=uncertainty]")?.dataset.state === "ready");
    await page.screenshot({ path: SCREENSHOT });
    assert.deepEqual(problems, []);
  });
});
