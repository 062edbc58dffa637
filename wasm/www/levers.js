// "What would raise this score most": the top three levers (`data-testid="levers"`, one item
// per lever with `data-criterion`), the path to the next band
// (`data-testid="path-to-next-band"`), and in the perspective panel one sentence on the
// biggest difference between the selected perspective and the rubric's own weights
// (`data-testid="perspective-difference"`). Every number comes from the engine
// (`score.levers()`, `score.pathTo(band)`, `rubric.comparePerspectives(inputs)`); every text
// goes in through textContent.

const TEXT = {
  en: {
    heading: "What would raise this score most",
    none: "Nothing: every criterion is at its best.",
    gain: (p) => `+${p} points`,
    to: "→",
    pathTo: (band, min) => `To reach ${band} (from ${min}): `,
    change: (label, value) => `${label} to ${value}`,
    and: " and ",
    top: "Already in the top band.",
    there: "Already there.",
    unreachable: (band, msg) => `${band} cannot be reached: ${msg}`,
    yes: "yes", no: "no",
    differs: (who, label, p, r, d) =>
      `Through the eyes of ${who}, “${label}” earns ${p} points instead of ${r} (${d}): the biggest difference from the rubric's own weights.`,
    same: "The perspectives agree with the rubric's own weights on every criterion.",
  },
  nl: {
    heading: "Wat deze score het meest zou verhogen",
    none: "Niets: elk criterium staat op zijn best.",
    gain: (p) => `+${p} punten`,
    to: "→",
    pathTo: (band, min) => `Naar ${band} (vanaf ${min}): `,
    change: (label, value) => `${label} naar ${value}`,
    and: " en ",
    top: "Al in het hoogste oordeel.",
    there: "Daar is het al.",
    unreachable: (band, msg) => `${band} is niet te halen: ${msg}`,
    yes: "ja", no: "nee",
    differs: (who, label, p, r, d) =>
      `Door de ogen van ${who} levert „${label}” ${p} punten op in plaats van ${r} (${d}): het grootste verschil met de gewichten van de rubriek.`,
    same: "De perspectieven zijn het op elk criterium eens met de gewichten van de rubriek.",
  },
};

let refs = null;

function el(tag, attrs = {}) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function ensure() {
  if (refs && refs.box.isConnected) return refs;
  const box = el("section", { class: "levers", "aria-live": "polite" });
  const heading = el("h3");
  const list = el("ol", { class: "lever-list", "data-testid": "levers" });
  const path = el("p", { class: "path", "data-testid": "path-to-next-band" });
  box.append(heading, list, path);
  document.querySelector("#score .summary").after(box);
  const sentence = el("p", { class: "perspective-difference", "data-testid": "perspective-difference" });
  document.querySelector("#perspective-list").after(sentence);
  refs = { box, heading, list, path, sentence };
  return refs;
}

function number(x, lang, digits = 1) {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(x);
}

/** An input as a person reads it: a number with its unit, yes/no, an option's label. */
function shown(c, value, lang) {
  const ui = TEXT[lang] ?? TEXT.en;
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? ui.yes : ui.no;
  if (typeof value === "string") return c?.options.find((o) => o.id === value)?.label ?? value;
  if (Array.isArray(value)) return `${number(value[0], lang, 2)}–${number(value[1], lang, 2)}${c?.unit ? ` ${c.unit}` : ""}`;
  if (typeof value === "object") return shown(c, value.value, lang);
  return `${number(value, lang, 2)}${c?.unit ? ` ${c.unit}` : ""}`;
}

/**
 * Show the top levers of `score`, the path to the next band and the perspective sentence.
 * @param {import("./pkg/civic_value.js").Rubric} rubric
 * @param {import("./pkg/civic_value.js").ScoreWithMethods} score
 * @param {object} inputs the inputs `score` was made from
 * @param {import("./pkg/civic_value.js").Description} desc
 * @param {string} lang
 * @param {string} perspective "" for the rubric's own weights
 */
export function showLevers(rubric, score, inputs, desc, lang, perspective) {
  const ui = TEXT[lang] ?? TEXT.en;
  const r = ensure();
  r.heading.textContent = ui.heading;
  const criteria = new Map(desc.themes.flatMap((t) => t.criteria.map((c) => [c.id, c])));
  const raw = new Map(score.criteria.map((c) => [c.id, c.raw]));
  const label = (id) => criteria.get(id)?.label ?? id;

  // Which levers are shown, what counts as a difference and how a path value is rounded are
  // the engine's rules (`shown`, `differs`), shared with the CLI's explain and compare.
  const top = score.levers().filter((l) => l.shown);
  r.list.replaceChildren(...top.map((l) => {
    const c = criteria.get(l.criterion);
    const li = el("li", { "data-criterion": l.criterion, "data-gain": String(l.gain) });
    const name = el("span", { class: "lever-name" });
    name.textContent = label(l.criterion);
    const change = el("span", { class: "lever-change" });
    change.textContent = ` ${shown(c, raw.get(l.criterion), lang)} ${ui.to} ${shown(c, l.best, lang)} `;
    const gain = el("strong", { class: "lever-gain" });
    // Two decimals, as the CLI prints them: every gain shown is at least 0.005 points.
    gain.textContent = ui.gain(number(l.gain, lang, 2));
    li.append(name, change, gain);
    return li;
  }));
  if (top.length === 0) {
    const li = el("li", { class: "lever-none" });
    li.textContent = ui.none;
    r.list.append(li);
  }

  // The band to aim for is the engine's (Rubric::next_band, as the CLI's explain).
  const rank = desc.bands.findIndex((b) => b.id === score.band);
  const next = score.nextBand();
  const target = next === null ? null : desc.bands.find((b) => b.id === next) ?? null;
  r.path.dataset.band = target?.id ?? "";
  if (!target) {
    r.path.textContent = rank === 0 ? ui.top : "";
  } else {
    try {
      const steps = score.pathTo(target.id);
      r.path.textContent = steps.length === 0 ? ui.there : ui.pathTo(target.label, number(target.min, lang))
        + steps.map((s) => ui.change(label(s.criterion),
          shown(criteria.get(s.criterion), s.shown, lang))).join(ui.and) + ".";
    } catch (e) {
      r.path.textContent = ui.unreachable(target.label, e.detail ?? e.message);
    }
  }

  // The biggest difference between the selected perspective (or, under the rubric's own
  // weights, any perspective) and the rubric's own weights.
  if (desc.perspectives.length === 0) {
    r.sentence.hidden = true;
    return;
  }
  r.sentence.hidden = false;
  const c = rubric.comparePerspectives(inputs);
  // The chosen perspective's difference, or the largest of all (the engine's `largest`).
  const pick = c.differences.find((d) => d.perspective === (perspective || c.largest));
  if (!pick || !pick.differs) {
    r.sentence.textContent = ui.same;
    r.sentence.dataset.criterion = "";
    return;
  }
  const who = desc.perspectives.find((p) => p.id === pick.perspective)?.label ?? pick.perspective;
  const sign = `${pick.delta > 0 ? "+" : "−"}${number(Math.abs(pick.delta), lang, 2)}`;
  r.sentence.dataset.criterion = pick.criterion;
  r.sentence.dataset.perspective = pick.perspective;
  r.sentence.textContent = ui.differs(who, label(pick.criterion), number(pick.points, lang, 2), number(pick.rubric_points, lang, 2), sign);
}

