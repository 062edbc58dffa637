// "How sure is this score": the p5–p95 band of the total when the weights vary around the
// rubric's (Dirichlet, the default concentration 100) and ranges are drawn inside them —
// `rubric.monteCarlo([inputs], {draws: 2000, seed: 0})`, the same numbers as Python and the
// CLI (`civic-value sensitivity --draws 2000`). The run is deferred to its own task, after
// typing pauses for a moment, and a newer keystroke cancels a pending one, so typing stays
// smooth (one run of 2000 draws for one initiative takes a few milliseconds). The strip
// (`data-testid="uncertainty"`) holds the band in `data-p5` / `data-p95`; every text goes in
// through textContent.

/** Draws per run and the pause (ms) after the last change before it runs. */
export const DRAWS = 2000;
const PAUSE_MS = 120;

const TEXT = {
  en: {
    heading: "How sure is this score?",
    line: (a, b) => `90% of plausible weightings and inputs give ${a} – ${b}`,
    note: (n) => `Monte Carlo: ${n} draws, weights around the rubric's, ranges drawn inside them.`,
    busy: "Computing…",
  },
  nl: {
    heading: "Hoe zeker is deze score?",
    line: (a, b) => `90% van de aannemelijke wegingen en invoer geeft ${a} – ${b}`,
    note: (n) => `Monte Carlo: ${n} trekkingen, gewichten rond die van de rubriek, bereiken binnen hun grenzen.`,
    busy: "Bezig…",
  },
};

let refs = null;
let pending = null;
let generation = 0;

function el(tag, attrs = {}) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function ensure() {
  if (refs && refs.box.isConnected) return refs;
  const box = el("section", { class: "uncertainty", "aria-live": "polite", "data-testid": "uncertainty" });
  const heading = el("h3");
  const line = el("p", { class: "uncertainty-line" });
  const track = el("div", { class: "uncertainty-track", "aria-hidden": "true" });
  const band = el("div", { class: "uncertainty-band" });
  const mark = el("div", { class: "uncertainty-mark" });
  track.append(band, mark);
  const note = el("p", { class: "note" });
  box.append(heading, line, track, note);
  document.querySelector("#score .summary").after(box);
  refs = { box, heading, line, band, mark, note };
  return refs;
}

/**
 * Schedule the strip for `inputs` under `rubric` (and `perspective`) in `lang`.
 * @param {import("./pkg/civic_value.js").Rubric} rubric
 * @param {object} inputs
 * @param {string} lang
 * @param {string | undefined} perspective
 */
export function showUncertainty(rubric, inputs, lang, perspective) {
  const r = ensure();
  const text = TEXT[lang] ?? TEXT.en;
  r.heading.textContent = text.heading;
  r.box.dataset.state = "busy";
  r.box.hidden = false;
  const mine = ++generation;
  if (pending !== null) clearTimeout(pending);
  pending = setTimeout(() => {
    pending = null;
    if (mine !== generation) return;
    let mc;
    try {
      mc = rubric.monteCarlo([inputs], { draws: DRAWS, seed: 0, perspective: perspective || undefined });
    } catch {
      r.box.hidden = true; // the score itself reports what is wrong
      return;
    }
    const s = mc.summary[0];
    const fmt = (x) => x.toFixed(1);
    r.line.textContent = text.line(fmt(s.p5), fmt(s.p95));
    r.note.textContent = text.note(DRAWS);
    r.band.style.left = `${s.p5}%`;
    r.band.style.width = `${Math.max(s.p95 - s.p5, 0.4)}%`;
    r.mark.style.left = `${s.point}%`;
    r.box.dataset.p5 = String(s.p5);
    r.box.dataset.p95 = String(s.p95);
    r.box.dataset.state = "ready";
  }, PAUSE_MS);
}
