// The monetised value (SROI) beside the score, when the rubric has a proxy table:
// `rubric.monetise(inputs)` — present value, the ratio and the payback — in one line
// (`data-testid="sroi-ratio"` holds the ratio). Hidden for rubrics without proxies. Every
// text goes in through textContent.

const TEXT = {
  en: {
    heading: "Monetised value (SROI)",
    line: (pv, inv) => `Present value ${pv} against an investment of ${inv}`,
    ratio: "value per euro invested",
    payback: (y) => (y === null ? "not paid back within the outcomes' years" : `paid back after ${y} years`),
    missing: (msg) => `No monetised value yet: ${msg}`,
    illustrative: "Illustrative proxies; see the rubric for their sources.",
  },
  nl: {
    heading: "Waarde in geld (SROI)",
    line: (pv, inv) => `Contante waarde ${pv} tegenover een investering van ${inv}`,
    ratio: "waarde per geïnvesteerde euro",
    payback: (y) => (y === null ? "niet terugverdiend binnen de looptijd" : `terugverdiend na ${y} jaar`),
    missing: (msg) => `Nog geen waarde in geld: ${msg}`,
    illustrative: "Illustratieve kengetallen; de rubriek noemt hun bronnen.",
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
  const box = el("section", { class: "sroi", "aria-live": "polite", "data-testid": "sroi" });
  const heading = el("h3");
  const ratioLine = el("p", { class: "sroi-ratio-line" });
  const ratio = el("strong", { "data-testid": "sroi-ratio", class: "sroi-ratio" });
  const ratioText = el("span");
  ratioLine.append(ratio, " ", ratioText);
  const detail = el("p", { class: "sroi-detail" });
  const note = el("p", { class: "note" });
  box.append(heading, ratioLine, detail, note);
  const summary = document.querySelector("#score .summary");
  summary.after(box);
  refs = { box, heading, ratio, ratioText, detail, note };
  return refs;
}

/** Hide the panel until the next complete score (e.g. while another rubric loads). */
export function hideSroi() {
  if (refs) refs.box.hidden = true;
}

/**
 * Show (or hide) the monetised value of `inputs` under `rubric` in `lang`.
 * @param {import("./pkg/civic_value.js").Rubric} rubric
 * @param {object} inputs
 * @param {string} lang
 */
export function showSroi(rubric, inputs, lang) {
  const ui = TEXT[lang] ?? TEXT.en;
  let m = null;
  let problem = null;
  try {
    m = rubric.monetise(inputs);
  } catch (e) {
    if (e.code === "input.no_monetisation") {
      if (refs) refs.box.hidden = true;
      return;
    }
    problem = e;
  }
  const r = ensure();
  r.box.hidden = false;
  r.heading.textContent = ui.heading;
  r.note.textContent = ui.illustrative;
  if (!m) {
    r.ratio.textContent = "–";
    r.ratio.dataset.value = "";
    r.ratioText.textContent = "";
    r.detail.textContent = ui.missing(problem?.detail ?? String(problem?.message ?? problem));
    return;
  }
  const money = new Intl.NumberFormat(lang, { style: "currency", currency: m.currency, maximumFractionDigits: 0 });
  const s = m.sroi;
  r.ratio.textContent = new Intl.NumberFormat(lang, { maximumFractionDigits: 2, minimumFractionDigits: 2 }).format(s.ratio);
  r.ratio.dataset.value = String(s.ratio);
  r.ratioText.textContent = ui.ratio;
  const payback = s.payback_years === null ? null : new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(s.payback_years);
  r.detail.textContent = `${ui.line(money.format(s.present_value), money.format(s.investment))}; ${ui.payback(payback)}.`;
}
