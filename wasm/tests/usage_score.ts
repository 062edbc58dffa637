// A real usage of the scoring-only entry point (`civic-value/score`), type-checked with
// `tsc --noEmit -p wasm` against its generated .d.ts: score() gives the plain `Score`.
import init, { Rubric, engineVersion } from "../pkg/civic_value_score.js";
import type { CivicValueError, Description, Score } from "../pkg/civic_value_score.js";

export async function firstScore(inputs: Record<string, number | [number, number] | null>): Promise<string> {
  await init();
  const rubric = Rubric.default();
  const form: Description = rubric.describe("nl");
  try {
    const score: Score = rubric.score(inputs, "residents");
    const top = score.criteria[0];
    return `${form.title}: ${score.total.toFixed(1)} (${score.band ?? "no band"}), ${top ? top.points : 0} from ${top?.id}; engine ${engineVersion()}`;
  } catch (e) {
    const err = e as CivicValueError;
    return `${err.code} at ${err.path}: ${err.message}`;
  }
}
