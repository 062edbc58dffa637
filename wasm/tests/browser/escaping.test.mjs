// The web form shows every text that comes from a rubric or an input as text (issue 11): a
// rubric whose title, descriptions, theme/criterion/option/band/perspective/evidence labels,
// help texts and units hold markup and script payloads is loaded through the file picker;
// nothing runs, no element is made from them, and the texts are shown literally. The same for
// text typed into a field that comes back in an error message.
//
//   node --test wasm/tests/browser/     (after scripts/build-wasm)
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { ROOT, launch, openForm, serveForm } from "./harness.mjs";

const tmp = mkdtempSync(path.join(tmpdir(), "civic-value-escaping-"));

// Each payload sets window.__pwned if it ever runs, and would make an element if parsed.
const payloads = [
  (n) => `<img src=x onerror="window.__pwned='img ${n}'">`,
  (n) => `<script>window.__pwned='script ${n}'</script>`,
  (n) => `<b>bold ${n}</b><svg onload="window.__pwned='svg ${n}'"></svg>`,
  (n) => `"><iframe srcdoc="<script>parent.__pwned='iframe ${n}'</script>"></iframe>`,
  (n) => `&lt;amp ${n}&gt; ' " \` \${n}`,
];

/** The default rubric with every human-readable text replaced by a payload. */
function hostileRubric() {
  const doc = JSON.parse(readFileSync(path.join(ROOT, "core/rubrics/default.json"), "utf8"));
  let n = 0;
  const texts = [];
  const hostile = () => {
    const text = payloads[n % payloads.length](n);
    n++;
    texts.push(text);
    return { en: text, nl: text };
  };
  const relabel = (x, fields) => {
    for (const f of fields) if (x[f] !== undefined) x[f] = hostile();
  };
  relabel(doc, ["title", "description"]);
  for (const t of doc.themes) relabel(t, ["label", "help"]);
  for (const c of doc.criteria) {
    relabel(c, ["label", "help"]);
    if (c.unit !== undefined) c.unit = hostile().en; // a unit is one text for every language
    for (const o of c.value_function.options ?? []) relabel(o, ["label"]);
  }
  for (const b of doc.bands) relabel(b, ["label"]);
  for (const p of doc.perspectives) relabel(p, ["label", "help"]);
  for (const e of doc.evidence ?? []) relabel(e, ["label"]);
  doc.id = "hostile-labels";
  return { doc, texts };
}

describe("the web form escapes rubric and input texts", () => {
  let server;
  let browser;
  let page;
  let problems;

  before(async () => {
    server = await serveForm();
    browser = await launch();
    ({ page, problems } = await openForm(browser.context, `${server.url}?lang=en`));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("shows markup from a rubric as text and runs none of it", async () => {
    const { doc, texts } = hostileRubric();
    assert.ok(texts.length >= 40, `${texts.length} texts replaced`);
    const file = path.join(tmp, "hostile.json");
    writeFileSync(file, JSON.stringify(doc));
    const before = await page.evaluate(() => document.querySelectorAll("img, iframe, b").length);
    await page.setInputFiles("#ui-rubric-file", file);
    await page.waitForFunction(() => document.querySelector("#rubric-status").textContent.includes("hostile-labels"));
    // Give any injected handler (img onerror, iframe) time to run.
    await page.waitForTimeout(500);
    const seen = await page.evaluate(() => ({
      pwned: window.__pwned ?? null,
      made: document.querySelectorAll("img, iframe, b").length,
      scripts: [...document.scripts].filter((s) => /__pwned/.test(s.textContent)).length,
      svgOnload: document.querySelectorAll("svg[onload]").length,
      text: document.body.innerText,
      attributes: [...document.querySelectorAll("*")].flatMap((el) => [...el.attributes].map((a) => a.value)).join("\n"),
      options: [...document.querySelectorAll("option")].map((o) => o.textContent),
      title: document.title,
    }));
    assert.equal(seen.pwned, null, "no payload ran");
    assert.equal(seen.made, before, "no element was made from a label");
    assert.equal(seen.scripts, 0);
    assert.equal(seen.svgOnload, 0);
    // Shown literally: the title, labels in the page, options of selects, tooltips and aria labels.
    assert.ok(seen.title.startsWith(texts[0]), `document.title: ${seen.title}`);
    const shown = `${seen.text}\n${seen.attributes}\n${seen.options.join("\n")}`;
    const criterion = doc.criteria.find((c) => c.value_function.type === "category");
    const option = criterion.value_function.options[0].label.en;
    for (const text of [doc.title.en, doc.themes[0].label.en, doc.criteria[0].label.en, option,
      doc.perspectives[0].label.en, doc.criteria[0].unit ?? doc.criteria[0].label.en, doc.bands.at(-1).label.en]) {
      assert.ok(shown.includes(text), `shown literally: ${text}`);
    }
    assert.deepEqual(problems.filter((p) => !/favicon/.test(p)), []);
  });

  it("shows markup typed into a field as text in its error message", async () => {
    // (No double quote: the message quotes the text it echoes and would escape it.)
    const text = "<img src=x onerror=window.__pwned='typed'>";
    const field = page.locator('[name="support_share"]').first();
    await field.fill(text);
    await page.waitForFunction(() => document.querySelector("[aria-invalid=true]") !== null);
    await page.waitForTimeout(300);
    const seen = await page.evaluate(() => ({
      pwned: window.__pwned ?? null,
      imgs: document.querySelectorAll("img").length,
      text: document.body.innerText,
    }));
    assert.equal(seen.pwned, null);
    assert.equal(seen.imgs, 0);
    assert.ok(seen.text.includes(text), "the typed text is shown as typed");
  });
});
