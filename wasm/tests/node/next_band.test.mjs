// The band the form aims for is the engine's (Rubric::next_band through `score.nextBand()`),
// the same as the CLI's `explain` `next_band`: the band above, or the top band itself when a
// knock-out fails — or may fail within a range — there.
// Run: node --test wasm/tests/node/ (after scripts/build-wasm).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

import { initSync, Rubric } from "../../pkg/civic_value.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
initSync({ module: readFileSync(path.join(root, "wasm/pkg/civic_value_bg.wasm")) });

const park = JSON.parse(readFileSync(path.join(root, "examples/oosterspoorbaan.json"), "utf8")).inputs;
const garden = JSON.parse(readFileSync(path.join(root, "examples/vegetable-garden.json"), "utf8")).inputs;

test("nextBand(): the band above, none at the top, the top band while a knock-out may fail", () => {
  const rubric = Rubric.default();
  assert.equal(rubric.score(park).nextBand(), null);
  assert.equal(rubric.score(garden).nextBand(), "promising");
  // Support 40–90 %: still Strong, but the knock-out (>= 50) may fail inside the range
  // (knocked_out is false). The form used to look at knocked_out only and said "Already in
  // the top band"; the CLI aimed for Strong. Now both ask the engine.
  const range = rubric.score({ ...park, support_share: [40, 90] });
  assert.equal(range.band, "strong");
  assert.equal(range.knocked_out, false);
  assert.equal(range.nextBand(), "strong");
  assert.ok(range.pathTo("strong").length > 0);
  assert.ok(!Object.keys(range).includes("nextBand"));
});
