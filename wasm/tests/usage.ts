// A real usage of the npm package, type-checked with `tsc --noEmit -p wasm` against the
// generated .d.ts: if a shape there drifts from what a caller writes, this stops compiling.
import init, { Rubric, engineVersion, mcda, weights } from "../pkg/civic_value.js";
import type {
  AhpResult,
  CivicValueError,
  Lever,
  PathStep,
  PerspectiveComparison,
  ScoreWithMethods,
  CriterionDescription,
  Description,
  Flag,
  Inputs,
  RawInput,
  Score,
} from "../pkg/civic_value.js";

function isCivicValueError(e: unknown): e is CivicValueError {
  return e instanceof Error && "code" in e && "path" in e;
}

/** Render-side: one field per criterion, grouped by theme. */
function fields(d: Description): string[] {
  const out: string[] = [`${d.title} (${d.id} ${d.version}, ${d.aggregation}, missing: ${d.missing})`];
  for (const theme of d.themes) {
    out.push(`${theme.label} ${(theme.weight * 100).toFixed(0)}%`);
    for (const c of theme.criteria) out.push(describeField(c));
  }
  for (const b of d.bands) out.push(`${b.label} ≥ ${b.min.toFixed(0)}`);
  for (const p of d.perspectives) out.push(`${p.id}: ${p.label} — ${p.help}`);
  for (const g of d.evidence) out.push(`${g.label} ±${g.widen * 100}%`);
  return out;
}

function describeField(c: CriterionDescription): string {
  switch (c.kind) {
    case "number": {
      const limits = `${c.min ?? "−∞"}..${c.max ?? "∞"}`;
      return `${c.label} [${c.unit ?? ""}] ${limits}${c.knockout !== null ? ` knock-out ${c.knockout}` : ""}`;
    }
    case "likert":
      return `${c.label}: 1..${c.levels ?? 5}`;
    case "boolean":
      return `${c.label}: yes/no (default ${String(c.default)})`;
    case "category":
      return `${c.label}: ${c.options.map((o) => `${o.id}=${o.value.toFixed(2)} ${o.label}`).join(", ")}`;
  }
}

function report(s: Score): string {
  const band: string = s.band ?? "(no band)";
  const lines = [`${s.total.toFixed(1)} ${band} [${s.interval.low}, ${s.interval.high}]`];
  if (s.knocked_out) lines.push(s.knockouts.map((k) => `${k.criterion} ${k.rule} ${k.definite}`).join("; "));
  for (const t of s.themes) lines.push(`${t.id} ${t.points}/${t.points + t.available} (${t.weight})`);
  for (const c of s.criteria) {
    const flags: Flag[] = c.flags;
    const range = c.interval === null ? "" : ` ${c.interval.low}..${c.interval.high}`;
    lines.push(`${c.theme}/${c.id} ${show(c.raw)} → ${c.value} × ${c.weight} = ${c.points} (+${c.available})${range} ${flags.join(",")}`);
  }
  for (const w of s.warnings) lines.push(`${w.code} ${w.path} ${w.message}`);
  lines.push(`${s.rubric.id} ${s.rubric.version} ${s.rubric.fingerprint} ${s.engine} ${s.perspective ?? "own weights"} ${s.aggregation}`);
  return lines.join("\n");
}

function show(raw: RawInput): string {
  if (raw === null) return "—";
  if (Array.isArray(raw)) return `${raw[0]}..${raw[1]}`;
  if (typeof raw === "object") return `${raw.value} (${raw.evidence})`;
  return String(raw);
}

export async function main(): Promise<void> {
  await init();
  const rubric: Rubric = Rubric.default();
  const custom: Rubric = Rubric.fromToml(`id = "x"\nversion = "1"`);
  const again: Rubric = Rubric.fromJson(JSON.stringify({ id: "x" }));
  const id: string = rubric.id + rubric.version + rubric.fingerprint + engineVersion();
  console.log(id, fields(rubric.describe("nl")), fields(rubric.describe()));
  const inputs: Inputs = {
    volunteer_hours: [2500, 4000],
    green_area_m2: { low: 600, high: 800 },
    support_share: { value: 85, evidence: "estimated" },
    partners: undefined,
    neighbour_contact: 4,
    permit_secured: true,
    inclusion: "several_groups",
    biodiversity: null,
    plan_maturity: rubric.parseText("plan_maturity", "4") as number,
  };
  console.log(report(rubric.score(inputs)), report(rubric.score(inputs, "residents")));
  try {
    rubric.score({ volunteer_hours: "lots" }, null);
  } catch (e) {
    if (isCivicValueError(e)) console.log(e.name, e.code, e.path, e.detail, e.message);
  }
  // Weigh and decide (issue 7).
  const judged: AhpResult = weights.ahp([[1, 3], [1 / 3, 1]], { method: "geometric_mean", ri: "saaty" });
  const plainAhp: AhpResult = weights.ahp([[1]]);
  const ranked: number[] = weights.roc(3).concat(weights.rankSum(3), weights.swing([100, 50]));
  const closeness: number[] = mcda.topsis([[1, 2], [2, 1]], [1, 1], [1, -1]);
  const byWsum: number[] = mcda.wsum([[1, 2], [2, 1]], [1, 1], [1, -1], { normalization: "max" });
  const scored: ScoreWithMethods = rubric.score(inputs);
  const levers: Lever[] = scored.levers();
  const next: string | null = scored.nextBand();
  const path: PathStep[] = scored.pathTo("strong");
  const compared: PerspectiveComparison = rubric.comparePerspectives(inputs);
  const reweighted: Rubric = rubric.withWeights({ volunteer_hours: 1 });
  const first: Lever | undefined = levers[0];
  const top: string = first ? `${first.criterion} +${first.gain} ${show(first.best)} ${first.per_unit ?? "-"}` : "";
  console.log(judged.cr, plainAhp.consistent, ranked, closeness, byWsum, top, next, path.map((s) => `${s.criterion}=${show(s.value)}`),
    compared.columns, compared.differences.map((d) => `${d.perspective}: ${d.criterion} ${d.delta}`), report(scored));
  reweighted.free();
  custom.free();
  again.free();
}

// Monetised value: outcomes valued directly, and an initiative through the rubric's proxies.
import { sroi, sroiSensitivity } from "../pkg/civic_value.js";
import type { Monetised, Outcome, SroiResult, SensitivityRow } from "../pkg/civic_value.js";

export function monetisedSummary(rubric: Rubric, inputs: Inputs): string {
  const outcomes: Outcome[] = [{ name: "volunteering", quantity: 3250, proxy: 14.06, attribution: 0.25, duration: 3 }];
  const direct: SroiResult = sroi(outcomes, 180000, { discount: "uk-green-book-2022" });
  const rows: SensitivityRow[] = sroiSensitivity(outcomes, 180000, { ends: { deadweight: [0, 0.3] } });
  const m: Monetised = rubric.monetise(inputs, { discount: [[30, 0.035], [75, 0.03]] });
  const payback = m.sroi.payback_years === null ? "never" : m.sroi.payback_years.toFixed(1);
  return `${direct.ratio.toFixed(2)} ${rows[0]?.ratio_low ?? NaN} ${m.currency} ${m.sroi.present_value} ${payback} ${m.present_value_interval.low}`;
}

// Sensitivity: the tornado of one initiative and Monte Carlo over several.
import type { MonteCarloOptions, MonteCarloResult, MonteCarloSummary, Tornado } from "../pkg/civic_value.js";

export function sensitivitySummary(rubric: Rubric, items: Inputs[]): string {
  const t: Tornado = rubric.tornado(items[0] ?? {}, 0.2, null);
  const options: MonteCarloOptions = { draws: 500, seed: 7n, concentration: Infinity, varyInputs: false, topK: 2 };
  const mc: MonteCarloResult = rubric.monteCarlo(items, options);
  const first: MonteCarloSummary | undefined = mc.summary[0];
  const rows: number[][] = mc.ranks;
  return `${t.rows[0]?.criterion ?? ""} ${t.total} ${first?.p5 ?? NaN}–${first?.p95 ?? NaN} ${rows.length} ${String(mc.seed)}`;
}

// Optional arguments may be left out (the defaults of the docs): tsc fails if the .d.ts
// makes any of them required again.
import { initToml } from "../pkg/civic_value.js";

export async function defaults(rubric: Rubric, inputs: Inputs, outcomes: Outcome[]): Promise<string> {
  await initToml();
  const t: Tornado = rubric.tornado(inputs);
  const mc: MonteCarloResult = rubric.monteCarlo([inputs]);
  const direct: SroiResult = sroi(outcomes, 1000);
  const rows: SensitivityRow[] = sroiSensitivity(outcomes, 1000);
  const m: Monetised = rubric.monetise(inputs);
  return `${t.change} ${mc.draws} ${direct.ratio} ${rows.length} ${m.currency}`;
}
