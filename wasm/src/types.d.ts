
// ---- shapes of the plain objects (the serde forms of the core's types) ----------------

/**
 * One input as given to `score()`: a number; an uncertain number as `[low, high]` or
 * `{low, high}`; a number with an evidence grade `{value, evidence}`; `true`/`false`; an
 * option id; or `null`/`undefined` for a missing value.
 */
export type InputValue =
  | number
  | [number, number]
  | { low: number; high: number }
  | { value: number; evidence?: string }
  | boolean
  | string
  | null;

/** The inputs of one initiative: criterion id → value. */
export type Inputs = { [criterion: string]: InputValue | undefined };

/** An input as the engine writes it back (`CriterionScore.raw`, `parseText()`). */
export type RawInput =
  | number
  | [number, number]
  | { value: number; evidence: string }
  | boolean
  | string
  | null;

/** How criterion values are combined into the total. */
export type Aggregation = "weighted_sum" | "weighted_product";

/** What happens with a missing input whose criterion has no default. */
export type MissingPolicy = "error" | "zero" | "renormalise";

/** The input kind of a criterion. */
export type CriterionKind = "number" | "likert" | "boolean" | "category";

/** What happened to one criterion while scoring. */
export type Flag = "missing" | "defaulted" | "clamped" | "renormalised" | "ranged" | "knocked_out";

/** A closed interval. */
export interface Interval {
  low: number;
  high: number;
}

/** A knock-out rule that fails (`definite`) or may fail within a range. */
export interface KnockoutResult {
  criterion: string;
  /** The rule as text, e.g. `">= 50"`. */
  rule: string;
  definite: boolean;
}

/** Subtotal of one theme. */
export interface ThemeScore {
  id: string;
  weight: number;
  points: number;
  available: number;
}

/** One row of the breakdown. */
export interface CriterionScore {
  id: string;
  theme: string;
  raw: RawInput;
  /** Value 0–1. */
  value: number;
  /** Effective weight (shares summing to 1 over scored criteria). */
  weight: number;
  points: number;
  /** Points still open: `100 · weight − points`. */
  available: number;
  /** Lowest and highest points over the input's range (`weighted_sum` with a range). */
  interval: Interval | null;
  flags: Flag[];
}

/** An input that was ignored (unknown criterion under the `warn` policy). */
export interface Warning {
  code: string;
  path: string;
  message: string;
}

/** Which rubric produced a score. */
export interface RubricRef {
  id: string;
  version: string;
  fingerprint: string;
}

/** The score of one initiative: the same shape as the CLI's JSON. */
export interface Score {
  /** Total, 0–100. */
  total: number;
  band: string | null;
  interval: Interval;
  knocked_out: boolean;
  knockouts: KnockoutResult[];
  themes: ThemeScore[];
  criteria: CriterionScore[];
  warnings: Warning[];
  perspective: string | null;
  aggregation: Aggregation;
  rubric: RubricRef;
  /** Engine version. */
  engine: string;
}

/** An option of a category criterion. */
export interface OptionDescription {
  id: string;
  label: string;
  /** Value 0–1. */
  value: number;
}

/** A criterion described in one language: what a form field needs. */
export interface CriterionDescription {
  id: string;
  theme: string;
  label: string;
  help: string;
  unit: string | null;
  kind: CriterionKind;
  min: number | null;
  max: number | null;
  /** Number of levels of a Likert criterion. */
  levels: number | null;
  options: OptionDescription[];
  /** Effective weight (share of the total, 0–1). */
  weight: number;
  default: RawInput;
  /** Knock-out rule as text, e.g. `">= 50"`. */
  knockout: string | null;
}

/** A theme described in one language. */
export interface ThemeDescription {
  id: string;
  label: string;
  help: string;
  weight: number;
  criteria: CriterionDescription[];
}

/** A band described in one language. */
export interface BandDescription {
  id: string;
  label: string;
  /** Lowest total in the band. */
  min: number;
}

/** A perspective (named weight set) described in one language. */
export interface PerspectiveDescription {
  id: string;
  label: string;
  help: string;
}

/** An evidence grade described in one language. */
export interface EvidenceDescription {
  id: string;
  label: string;
  /** Relative widening of a graded input. */
  widen: number;
}

/** A rubric described in one language (`rubric.describe(lang)`). */
export interface Description {
  id: string;
  version: string;
  fingerprint: string;
  lang: string;
  title: string;
  description: string;
  aggregation: Aggregation;
  missing: MissingPolicy;
  themes: ThemeDescription[];
  /** From the highest threshold to the lowest. */
  bands: BandDescription[];
  perspectives: PerspectiveDescription[];
  evidence: EvidenceDescription[];
}

/** What every function of this package throws (`err instanceof Error` holds). */
export interface CivicValueError extends Error {
  name: "CivicValueError";
  /** Stable code, e.g. `"input.not_a_number"` or `"rubric.best_equals_worst"`; `"call.reentrant"`
   * when a result was being built while page code (a setter, a patched built-in) called the
   * module again and grew its memory (path `""`). */
  code: string;
  /** Path of the offending field, e.g. `"input.volunteer_hours"`; `""` for the whole document. */
  path: string;
  /** The message without the path. */
  detail: string;
}

// ---- monetised value (SROI) ----------------------------------------------------------

/** One outcome to value: `quantity × proxy` a year, less the four fractions, for `duration` years. */
export interface Outcome {
  name?: string | null;
  /** Units a year (≥ 0). */
  quantity: number;
  /** Money per unit (≥ 0). */
  proxy: number;
  /** Fractions 0–1 (default 0). */
  deadweight?: number;
  displacement?: number;
  attribution?: number;
  drop_off?: number;
  /** Whole years, 1–200. */
  duration: number;
}

/** A preset id, a rate (`0.035` or `"3.5%"`), `[[untilYear, rate], …]`, or a result's `discount`. */
export type Discount = string | number | Array<[number, number]> | DiscountInfo;

/** How values were discounted (a result's `discount`). */
export interface DiscountInfo {
  /** `"nl-mkba-2021"`, `"uk-green-book-2022"`, `"rate"`, `"rubric"` or `"terms"`. */
  name: string;
  description: string;
  terms: Array<{ until_year: number | null; rate: number }>;
  /** For a preset: the date it took effect (ISO 8601) and its source document. */
  in_force_from?: string;
  source?: string;
}

/** One outcome in one year. */
export interface YearRow {
  outcome: string;
  year: number;
  gross: number;
  net: number;
  /** Net after drop-off. */
  value: number;
  factor: number;
  discounted: number;
}

/** One step from gross to present value. */
export interface WaterfallStep {
  step: "gross" | "deadweight" | "displacement" | "attribution" | "drop_off" | "discounting" | "present_value";
  /** The total for `gross` and `present_value`, a deduction (≤ 0) otherwise. */
  amount: number;
  total: number;
}

/** The monetised value of outcomes against an investment. */
export interface SroiResult {
  present_value: number;
  investment: number;
  npv: number;
  /** PV / investment, unrounded. */
  ratio: number;
  /** (PV − investment) / investment, unrounded. */
  net_ratio: number;
  /** `null` when the investment is never reached. */
  payback_years: number | null;
  discount: DiscountInfo;
  table: YearRow[];
  cumulative: number[];
  waterfall: WaterfallStep[];
}

/** The ratio with one parameter at its ends. */
export interface SensitivityRow {
  parameter: "deadweight" | "displacement" | "attribution" | "drop_off" | "discount_rate";
  low: number | null;
  high: number | null;
  rule: string;
  ratio_low: number;
  ratio_high: number;
  ratio: number;
}

/** A financial proxy of a rubric. */
export interface Proxy {
  id: string;
  label?: { [lang: string]: string };
  unit: string;
  value: number;
  source: string;
  year: number;
  licence: string;
}

/** An initiative's monetised value under a rubric's proxy table. */
export interface Monetised {
  currency: string;
  /** `"given"` or the criterion the investment came from. */
  investment_source: string;
  outcomes: Array<{ id: string; criterion: string; quantity: number; proxy: Proxy; missing: boolean }>;
  valued: Outcome[];
  present_value_interval: Interval;
  sroi: SroiResult;
}

// ---- weigh and decide (issue 7) -------------------------------------------------------

/** How AHP derives weights from a pairwise comparison matrix. */
export type AhpMethod = "eigenvector" | "geometric_mean";

/** The random-index table of the consistency ratio. */
export type RandomIndexTable = "saaty" | "alonso_lamata";

/** Options of `weights.ahp()` and `weights.ahpSynthesis()`. */
export interface AhpOptions {
  /** Default `"eigenvector"`. */
  method?: AhpMethod;
  /** Default `"saaty"` (n ≤ 10); `"alonso_lamata"` extends to any n. */
  ri?: RandomIndexTable;
}

/** Weights and consistency of one pairwise comparison matrix. */
export interface AhpResult {
  /** One per row, summing to 1. */
  weights: number[];
  lambda_max: number;
  ci: number;
  cr: number;
  /** `cr <= 0.10`. */
  consistent: boolean;
  method: AhpMethod;
  ri: RandomIndexTable;
  /** RI(n) from the table. */
  random_index: number;
}

/** Global priorities of alternatives (AHP synthesis). */
export interface AhpSynthesis {
  priorities: number[];
  criteria: AhpResult;
  alternatives: AhpResult[];
}

/** A named column normalisation of `mcda`. */
export type Normalization = "minmax" | "max" | "sum" | "vector" | "linear";

/** What moving one criterion's input to its best adds. */
export interface Lever {
  criterion: string;
  /** The re-scored total minus the current total. */
  gain: number;
  /** The input that reaches the criterion's best value, in its own terms. */
  best: RawInput;
  /** Points per unit of input where it stands; `null` for Likert, boolean and category criteria. */
  per_unit: number | null;
  /** The total after the change. */
  total: number;
  /** Whether a summary shows this lever: one of the first three whose gain is at least 0.005 points (the rule of the CLI's `explain`). */
  shown: boolean;
}

/** One change on the path to a band. */
export interface PathStep {
  criterion: string;
  value: RawInput;
  /** `value` as a summary prints it: a fractional number rounded to two decimals towards where the path goes, so it still reaches the band. */
  shown: RawInput;
}

/** One initiative under the rubric's own weights (`"rubric"`) and every perspective's. */
export interface PerspectiveComparison {
  columns: string[];
  totals: number[];
  bands: Array<string | null>;
  /** `differs`: the spread is at least 0.005 points (a difference a summary reports). */
  criteria: Array<{ id: string; theme: string; points: number[]; spread: number; differs: boolean }>;
  differences: Array<{
    perspective: string;
    criterion: string;
    points: number;
    rubric_points: number;
    delta: number;
    total_delta: number;
    /** `delta` is at least 0.005 points either way; when not, the perspective agrees with the rubric's weights. */
    differs: boolean;
  }>;
  /** The perspective whose difference is the largest of all (by |delta|, the first of equals); `null` without perspectives. */
  largest: string | null;
}

/** A score as `rubric.score()` returns it: the plain data and two non-enumerable methods. */
export interface ScoreWithMethods extends Score {
  /** Every criterion's lever, highest gain first (re-scored by the engine). */
  levers(): Lever[];
  /** The fewest changes that reach `band` (or higher) with no knock-out failing. */
  pathTo(band: string): PathStep[];
  /** The band to aim for next: the band above, or the top band itself when a knock-out fails or may fail there; `null` in the top band with no knock-out listed (the CLI's `explain` `next_band`). */
  nextBand(): string | null;
}

// ---- sensitivity (issue 8a) -------------------------------------------------------------

/** The tornado of one initiative (`rubric.tornado`). */
export interface Tornado {
  /** The total under the unchanged weights. */
  total: number;
  change: number;
  /** Sorted by |high − low|, largest first. */
  rows: Array<{ criterion: string; weight: number; low: number; high: number }>;
}

/** Options of `rubric.monteCarlo` (every field optional). */
export interface MonteCarloOptions {
  /** Number of draws (default 10000). */
  draws?: number;
  /** Seed (default 0); a BigInt for seeds above 2^53. */
  seed?: number | bigint;
  /** Concentration of the weights around the rubric's (default 100); Infinity = fixed. */
  concentration?: number;
  /** Draw inputs given as ranges inside them (default true). */
  varyInputs?: boolean;
  /** The k of p_top_k (default 3). */
  topK?: number;
  perspective?: string;
}

/** What the draws say about one initiative. */
export interface MonteCarloSummary {
  mean: number;
  p5: number;
  p50: number;
  p95: number;
  /** Share of draws in which it passes its knock-outs and ranks top_k or better. */
  p_top_k: number;
  min: number;
  max: number;
  /** The total under the unchanged weights, ranges at their points. */
  point: number;
  knocked_out: boolean;
}

/** The result of `rubric.monteCarlo`. */
export interface MonteCarloResult {
  draws: number;
  seed: number | bigint;
  concentration: number;
  vary_inputs: boolean;
  top_k: number;
  summary: MonteCarloSummary[];
  /** ranks[i][r]: share of draws in which initiative i takes place r + 1; rows sum to 1. */
  ranks: number[][];
}
