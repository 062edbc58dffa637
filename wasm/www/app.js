// The live web form: rendered from `rubric.describe(lang)`, scored with `rubric.score()`.
// Presentation only — every rule (parsing typed text, limits, value functions, weights,
// bands, knock-outs) lives in the engine; this file turns fields into inputs and a score
// into DOM.
// The first score comes from the scoring-only module (`civic-value/score`, ≈ 97 KB gzipped);
// the full one (levers, uncertainty, SROI: ≈ 207 KB) is fetched meanwhile and takes over.
import initScore, * as scoring from "./pkg/civic_value_score.js";
import { hideSroi, showSroi } from "./sroi.js";
import { showLevers } from "./levers.js";
import { showUncertainty } from "./uncertainty.js";

// ---- texts of the page itself (the rubric brings its own) ------------------------------

const UI = {
  en: {
    skip: "Skip to the score", language: "Language", perspective: "Perspective",
    ownWeights: "Rubric's own weights", tools: "Examples and rubric",
    example: "Example initiative", fill: "Fill in", clear: "Clear",
    rubric: "Rubric", loadRubric: "Load a rubric (JSON or TOML)…", defaultRubric: "Default rubric",
    loading: "Loading the scoring engine…", score: "Score", total: "Total", ofHundred: "of 100",
    band: "Band", sideBySide: "Through each perspective", breakdown: "Breakdown",
    earned: "points earned", open: "still available", details: "details",
    disclaimer: "The built-in rubric is an illustrative starting point, not an official municipal standard.",
    notAnswered: "— not answered —", notAnsweredShort: "—", yes: "Yes", no: "No",
    uncertain: "Uncertain: give a range", to: "to", highest: "highest estimate",
    evidence: "Evidence", noEvidence: "evidence: —", weightShare: "of the total",
    knockout: "knock-out", between: (lo, hi) => `Between ${lo} and ${hi}, depending on the ranges given`,
    knockedOut: (list) => `Knock-out failed: ${list}`,
    mayKnockOut: (list) => `May fail its knock-out within the range: ${list}`,
    invalidNote: (n) => (n === 1 ? "1 field is not counted until it is corrected."
      : `${n} fields are not counted until they are corrected.`),
    stale: "This is the last complete score; it is not updated until the fields marked are filled in.",
    points: (p, max) => `${p} of ${max} points`,
    loaded: (t, id, v) => `Loaded “${t}” (${id} ${v}).`,
    rubricError: (msg) => `This rubric cannot be used: ${msg}`,
    provenance: (id, v, fp, e) => `Rubric ${id} ${v} · fingerprint ${fp} · engine ${e}`,
    flags: { missing: "missing", defaulted: "default used", clamped: "beyond the scale",
      renormalised: "reweighted", ranged: "range", knocked_out: "knock-out" },
    noBand: "no band", engineFailed: "The scoring engine could not be loaded: ",
  },
  nl: {
    skip: "Naar de score", language: "Taal", perspective: "Perspectief",
    ownWeights: "Gewichten van de rubriek", tools: "Voorbeelden en rubriek",
    example: "Voorbeeldinitiatief", fill: "Invullen", clear: "Wissen",
    rubric: "Rubriek", loadRubric: "Rubriek laden (JSON of TOML)…", defaultRubric: "Standaardrubriek",
    loading: "De rekenmodule wordt geladen…", score: "Score", total: "Totaal", ofHundred: "van 100",
    band: "Oordeel", sideBySide: "Vanuit elk perspectief", breakdown: "Opbouw",
    earned: "behaalde punten", open: "nog te behalen", details: "details",
    disclaimer: "De ingebouwde rubriek is een illustratief vertrekpunt, geen officiële gemeentelijke norm.",
    notAnswered: "— niet ingevuld —", notAnsweredShort: "—", yes: "Ja", no: "Nee",
    uncertain: "Onzeker: geef een bandbreedte", to: "tot", highest: "hoogste schatting",
    evidence: "Onderbouwing", noEvidence: "onderbouwing: —", weightShare: "van het totaal",
    knockout: "knock-out", between: (lo, hi) => `Tussen ${lo} en ${hi}, afhankelijk van de opgegeven bandbreedtes`,
    knockedOut: (list) => `Knock-out niet gehaald: ${list}`,
    mayKnockOut: (list) => `Haalt binnen de bandbreedte mogelijk de knock-out niet: ${list}`,
    invalidNote: (n) => (n === 1 ? "1 veld telt pas mee als het verbeterd is."
      : `${n} velden tellen pas mee als ze verbeterd zijn.`),
    stale: "Dit is de laatste volledige score; die wordt pas bijgewerkt als de gemarkeerde velden zijn ingevuld.",
    points: (p, max) => `${p} van ${max} punten`,
    loaded: (t, id, v) => `“${t}” geladen (${id} ${v}).`,
    rubricError: (msg) => `Deze rubriek is niet bruikbaar: ${msg}`,
    provenance: (id, v, fp, e) => `Rubriek ${id} ${v} · vingerafdruk ${fp} · rekenmodule ${e}`,
    flags: { missing: "ontbreekt", defaulted: "standaardwaarde", clamped: "buiten de schaal",
      renormalised: "herwogen", ranged: "bandbreedte", knocked_out: "knock-out" },
    noBand: "geen oordeel", engineFailed: "De rekenmodule kon niet worden geladen: ",
  },
};

// ---- small helpers ---------------------------------------------------------------------

const $ = (selector, root = document) => root.querySelector(selector);

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  el.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

const formats = new Map();
function fmt(x, digits = 1) {
  const key = `${app.lang}/${digits}`;
  if (!formats.has(key)) {
    formats.set(key, new Intl.NumberFormat(app.lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }));
  }
  return formats.get(key).format(x);
}
const pct = (share) => `${fmt(share * 100, 0)}%`;
const t = () => UI[app.lang] ?? UI.en;

// ---- state -----------------------------------------------------------------------------

const app = {
  rubric: null,      // the Rubric in use
  api: scoring,      // the module it comes from: scoring-only first, then the full one
  full: false,       // whether the full module (the analysis panels) is in use
  source: null,      // how the rubric was made: null (built-in) or { toml, text } of a file
  desc: null,        // rubric.describe(lang)
  lang: "en",
  perspective: "",   // "" = the rubric's own weights
  perspRefs: new Map(),
  values: new Map(), // criterion id → what is typed/chosen (kept across re-renders)
  examples: [],
  refs: new Map(),   // criterion id → DOM nodes updated on every score
  themeRefs: new Map(),
  criteria: [],      // flat list of criterion descriptions
  shown: false,      // a score has been shown
};

function blankValue(c) {
  if (c.kind === "boolean") return { checked: c.default === true };
  return { text: "", high: "", ranged: false, evidence: "" };
}

function valueOf(c) {
  if (!app.values.has(c.id)) app.values.set(c.id, blankValue(c));
  return app.values.get(c.id);
}

/** What a field currently says, as an engine input (the engine decides what it means). */
function inputOf(c) {
  const v = valueOf(c);
  if (c.kind === "boolean") return v.checked;
  if (c.kind === "number" && v.ranged && v.high.trim() !== "") {
    return app.rubric.parseText(c.id, `${v.text.trim()}..${v.high.trim()}`);
  }
  const input = app.rubric.parseText(c.id, v.text);
  if (c.kind === "number" && v.evidence && typeof input === "number") {
    return { value: input, evidence: v.evidence };
  }
  return input;
}

/** The example's input written back into the fields. */
function setFromInput(c, input) {
  const v = blankValue(c);
  if (c.kind === "boolean") v.checked = input === true;
  else if (Array.isArray(input)) Object.assign(v, { text: String(input[0]), high: String(input[1]), ranged: true });
  else if (input !== null && typeof input === "object") {
    if ("low" in input) Object.assign(v, { text: String(input.low), high: String(input.high), ranged: true });
    else Object.assign(v, { text: String(input.value), evidence: input.evidence ?? "" });
  } else if (input !== null && input !== undefined) v.text = String(input);
  app.values.set(c.id, v);
}

// ---- scoring ---------------------------------------------------------------------------

/** The criterion an error is about (`input.volunteer_hours` → `volunteer_hours`). */
function fieldOf(path) {
  const m = /^input\.([^.[]+)/.exec(path ?? "");
  return m && app.refs.has(m[1]) ? m[1] : null;
}

/**
 * Score the form. A field the engine rejects gets the engine's message and counts as
 * missing (under the rubric's own missing-data policy) so that the rest stays live.
 */
function evaluate() {
  const inputs = {};
  for (const c of app.criteria) inputs[c.id] = inputOf(c);
  const fieldErrors = new Map();
  let general = null;
  let score = null;
  for (let attempt = 0; attempt <= app.criteria.length; attempt++) {
    try {
      score = app.rubric.score(inputs, app.perspective || undefined);
      break;
    } catch (e) {
      const id = fieldOf(e.path);
      if (id && !fieldErrors.has(id)) fieldErrors.set(id, e);
      if (id && inputs[id] !== null) {
        inputs[id] = null;
        continue;
      }
      general = e; // e.g. a required field is empty: no total can be computed
      break;
    }
  }
  let others = [];
  if (score) {
    const ids = ["", ...app.desc.perspectives.map((p) => p.id)];
    others = ids.map((id) => {
      try {
        return { id, total: app.rubric.score(inputs, id || undefined).total };
      } catch {
        return { id, total: null };
      }
    });
  }
  return { score, fieldErrors, general, others, inputs };
}

function update() {
  const { score, fieldErrors, general, others, inputs } = evaluate();
  const ui = t();
  for (const [id, ref] of app.refs) {
    const e = fieldErrors.get(id);
    const msg = e ? e.detail : "";
    if (ref.error.textContent !== msg) ref.error.textContent = msg;
    ref.field.classList.toggle("invalid", Boolean(e));
    for (const control of ref.controls) {
      if (e) control.setAttribute("aria-invalid", "true");
      else control.removeAttribute("aria-invalid");
    }
  }
  const panel = $("#score");
  const note = $("#score-note");
  if (!score) {
    // No total can be computed (e.g. a required field is empty): keep the last one shown.
    panel.classList.add("stale");
    const parts = [];
    if (app.shown) parts.push(ui.stale);
    if (general && !fieldOf(general.path)) parts.push(general.message);
    note.hidden = parts.length === 0;
    note.textContent = parts.join(" ");
    return;
  }
  panel.classList.remove("stale");
  note.hidden = fieldErrors.size === 0;
  note.textContent = fieldErrors.size ? ui.invalidNote(fieldErrors.size) : "";
  showScore(score);
  showPerspectives(others);
  if (app.full) {
    showSroi(app.rubric, inputs, app.lang);
    showLevers(app.rubric, score, inputs, app.desc, app.lang, app.perspective);
    showUncertainty(app.rubric, inputs, app.lang, app.perspective);
  }
  app.shown = true;
}

function bandOf(id) {
  const i = app.desc.bands.findIndex((b) => b.id === id);
  return { band: app.desc.bands[i], rank: i };
}

function bandColour(rank) {
  const n = Math.max(app.desc.bands.length, 1);
  // From green (best band) to red (lowest band).
  const hue = n === 1 ? 150 : 150 - (rank / (n - 1)) * 145;
  return `hsl(${hue.toFixed(0)} 62% 38%)`;
}

function showScore(s) {
  const ui = t();
  const total = $("#total");
  total.textContent = fmt(s.total);
  total.dataset.value = String(s.total);
  const { band, rank } = bandOf(s.band);
  const bandEl = $("#band");
  bandEl.textContent = band ? band.label : ui.noBand;
  bandEl.dataset.band = s.band ?? "";
  const colour = band ? bandColour(rank) : "var(--muted)";
  document.documentElement.style.setProperty("--band", colour);
  $("#mini-total").textContent = fmt(s.total);
  $("#mini-band").textContent = band ? band.label : "";

  $("#gauge-value").setAttribute("d", arc(0, s.total, 78));
  const ranged = s.interval.high - s.interval.low > 1e-9;
  $("#gauge-interval").setAttribute("d", ranged ? arc(s.interval.low, s.interval.high, 78) : "");
  const interval = $("#interval");
  interval.hidden = !ranged;
  interval.textContent = ranged ? ui.between(fmt(s.interval.low), fmt(s.interval.high)) : "";

  const label = (id) => app.criteria.find((c) => c.id === id)?.label ?? id;
  const definite = s.knockouts.filter((k) => k.definite).map((k) => `${label(k.criterion)} (${k.rule})`);
  const possible = s.knockouts.filter((k) => !k.definite).map((k) => `${label(k.criterion)} (${k.rule})`);
  const ko = $("#knockouts");
  const koText = [definite.length ? ui.knockedOut(definite.join(", ")) : "",
    possible.length ? ui.mayKnockOut(possible.join(", ")) : ""].filter(Boolean).join(" ");
  ko.hidden = !koText;
  ko.textContent = koText;
  ko.classList.toggle("definite", definite.length > 0);

  // Bars share one scale: the largest number of points any criterion can give.
  const scale = Math.max(...s.criteria.map((c) => c.points + c.available), 1e-9);
  const themeScale = Math.max(...s.themes.map((x) => x.points + x.available), 1e-9);
  for (const th of s.themes) {
    const ref = app.themeRefs.get(th.id);
    if (ref) setBar(ref, th.points, th.available, themeScale);
  }
  for (const c of s.criteria) {
    const ref = app.refs.get(c.id);
    if (!ref) continue;
    setBar(ref.bar, c.points, c.available, scale);
    const flags = c.flags.map((f) => ui.flags[f] ?? f).join(" · ");
    if (ref.flags.textContent !== flags) ref.flags.textContent = flags;
    ref.pts.textContent = ui.points(fmt(c.points), fmt(c.points + c.available));
  }
}

function setBar(ref, points, available, scale) {
  const max = points + available;
  const earned = Math.max(0, Math.min(points, max));
  ref.earned.style.width = `${(100 * earned / scale).toFixed(2)}%`;
  ref.open.style.width = `${(100 * Math.max(0, max - earned) / scale).toFixed(2)}%`;
  const text = t().points(fmt(points), fmt(max));
  if (ref.label.textContent !== text) {
    ref.label.textContent = text;
    ref.el.title = text;
  }
}

function renderPerspectiveList() {
  app.perspRefs = new Map();
  const ids = ["", ...app.desc.perspectives.map((p) => p.id)];
  $("#perspective-list").replaceChildren(...ids.map((id) => {
    const name = id ? app.desc.perspectives.find((p) => p.id === id).label : t().ownWeights;
    const value = h("span", { class: "value", text: "–" });
    const button = h("button", { type: "button", class: "persp", "aria-pressed": "false", dataset: { perspective: id } },
      h("span", { class: "name", text: name }), value);
    app.perspRefs.set(id, { button, value });
    return h("li", {}, button);
  }));
}

function showPerspectives(others) {
  for (const { id, total } of others) {
    const ref = app.perspRefs.get(id);
    if (!ref) continue;
    const text = total === null ? "–" : fmt(total);
    if (ref.value.textContent !== text) ref.value.textContent = text;
    ref.button.setAttribute("aria-pressed", String(id === app.perspective));
    ref.button.style.setProperty("--fill", `${total ?? 0}%`);
  }
}

/** An arc of the half-circle gauge from total `a` to total `b` (0–100). */
function arc(a, b, r) {
  const cx = 100;
  const cy = 100;
  const point = (v) => {
    const angle = Math.PI * (1 - Math.min(Math.max(v, 0), 100) / 100);
    return [cx + r * Math.cos(angle), cy - r * Math.sin(angle)];
  };
  const [x1, y1] = point(a);
  const [x2, y2] = point(b);
  if (b - a < 0.05) return "";
  return `M ${x1.toFixed(2)} ${y1.toFixed(2)} A ${r} ${r} 0 0 1 ${x2.toFixed(2)} ${y2.toFixed(2)}`;
}

// ---- rendering the form from describe() -----------------------------------------------

function renderAll() {
  app.desc = app.rubric.describe(app.lang);
  app.criteria = app.desc.themes.flatMap((th) => th.criteria);
  const ui = t();
  document.documentElement.lang = app.lang;
  for (const el of document.querySelectorAll("[data-i18n]")) {
    const text = ui[el.dataset.i18n];
    if (typeof text === "string") el.textContent = text;
  }
  $("#title").textContent = app.desc.title;
  $("#subtitle").textContent = app.desc.description;
  document.title = `${app.desc.title} — civic-value`;
  $("#provenance").textContent = ui.provenance(app.desc.id, app.desc.version, app.desc.fingerprint.slice(0, 12), app.api.engineVersion());
  renderPerspectiveSelect();
  renderPerspectiveList();
  renderExamples();
  renderForm();
  renderBreakdown();
  renderGaugeBands();
  update();
}

function renderPerspectiveSelect() {
  const select = $("#ui-perspective");
  if (!app.desc.perspectives.some((p) => p.id === app.perspective)) app.perspective = "";
  select.replaceChildren(
    h("option", { value: "", text: t().ownWeights }),
    ...app.desc.perspectives.map((p) => h("option", { value: p.id, text: p.label, title: p.help })),
  );
  select.value = app.perspective;
  select.disabled = app.desc.perspectives.length === 0;
}

function renderExamples() {
  const select = $("#ui-example");
  const current = select.value;
  select.replaceChildren(...app.examples.map((x) => h("option", { value: x.id, text: x.name })));
  if (current) select.value = current;
  $("#ui-fill").disabled = app.examples.length === 0;
}

function renderForm() {
  const form = $("#form");
  const focused = document.activeElement?.closest?.("#form") ? document.activeElement.name : null;
  app.refs.clear();
  form.replaceChildren(...app.desc.themes.map((th) => {
    const set = h("fieldset", { class: "theme", id: `theme-${th.id}` },
      h("legend", {}, h("span", { text: th.label }), h("span", { class: "chip", text: `${pct(th.weight)} ${t().weightShare}` })),
      th.help ? h("p", { class: "theme-help", text: th.help }) : null);
    for (const c of th.criteria) set.append(renderField(c));
    return set;
  }));
  if (focused) form.querySelector(`[name="${CSS.escape(focused)}"]`)?.focus();
}

function renderField(c) {
  const ui = t();
  const v = valueOf(c);
  const id = `f-${c.id}`;
  const helpId = `help-${c.id}`;
  const errorId = `error-${c.id}`;
  const describedBy = `${c.help ? helpId : ""} ${errorId}`.trim();
  const error = h("p", { class: "error", id: errorId, "data-testid": errorId, "aria-live": "polite" });
  const pts = h("span", { class: "pts" });
  const chips = [h("span", { class: "chip", title: ui.weightShare, text: pct(c.weight) })];
  if (c.knockout) chips.push(h("span", { class: "chip ko", text: `${ui.knockout} ${c.knockout}` }));
  const help = c.help ? h("p", { class: "help", id: helpId, text: c.help }) : null;
  const controls = [];
  let field;

  if (c.kind === "likert") {
    const levels = c.levels ?? 5;
    const seg = h("div", { class: "segmented likert" });
    for (let level = 0; level <= levels; level++) {
      const value = level === 0 ? "" : String(level);
      const rid = `${id}-${level}`;
      const radio = h("input", {
        type: "radio", id: rid, name: c.id, value, checked: v.text.trim() === value,
        "aria-describedby": describedBy,
      });
      radio.addEventListener("change", () => { valueOf(c).text = value; update(); });
      controls.push(radio);
      const text = level === 0
        ? [h("span", { "aria-hidden": "true", text: ui.notAnsweredShort }), h("span", { class: "sr-only", text: ui.notAnswered })]
        : [value];
      seg.append(radio, h("label", { for: rid, title: level === 0 ? ui.notAnswered : null }, ...text));
    }
    field = h("fieldset", { class: "field likert-field", id: `field-${c.id}`, dataset: { kind: c.kind } },
      h("legend", { class: "field-head" }, h("span", { class: "label", text: c.label }), ...chips),
      help, seg, error, pts);
  } else {
    let control;
    if (c.kind === "boolean") {
      const box = h("input", { type: "checkbox", id, name: c.id, role: "switch", checked: v.checked, "aria-describedby": describedBy });
      const state = h("span", { class: "switch-state", "aria-hidden": "true", text: v.checked ? ui.yes : ui.no });
      box.addEventListener("change", () => {
        valueOf(c).checked = box.checked;
        state.textContent = box.checked ? ui.yes : ui.no;
        update();
      });
      controls.push(box);
      control = h("div", { class: "switch" }, box, h("label", { for: id, class: "switch-label" }, state));
    } else if (c.kind === "category") {
      control = h("select", { id, name: c.id, "aria-describedby": describedBy },
        h("option", { value: "", text: ui.notAnswered }),
        ...c.options.map((o) => h("option", { value: o.id, text: o.label })));
      control.value = c.options.some((o) => o.id === v.text) ? v.text : "";
      control.addEventListener("change", () => { valueOf(c).text = control.value; update(); });
      controls.push(control);
    } else {
      control = renderNumber(c, v, id, describedBy, controls);
    }
    field = h("div", { class: "field", id: `field-${c.id}`, dataset: { kind: c.kind } },
      h("div", { class: "field-head" }, h("label", { for: id, class: "label", text: c.label }), ...chips),
      help, control, error, pts);
  }
  const bar = { earned: null, open: null, label: null };
  const flags = h("span", { class: "flags" });
  app.refs.set(c.id, { field, error, controls, pts, bar, flags });
  return field;
}

function renderNumber(c, v, id, describedBy, controls) {
  const ui = t();
  const limits = c.min !== null && c.max !== null ? `${c.min} – ${c.max}`
    : c.min !== null ? `≥ ${c.min}` : c.max !== null ? `≤ ${c.max}` : "";
  const unit = c.unit ? h("span", { class: "unit", "aria-hidden": "true", text: c.unit }) : null;
  const low = h("input", {
    type: "text", inputmode: "decimal", id, name: c.id, autocomplete: "off", spellcheck: "false",
    placeholder: limits, "aria-describedby": describedBy, value: v.text,
  });
  low.addEventListener("input", () => { valueOf(c).text = low.value; update(); });
  controls.push(low);

  const highId = `${id}-high`;
  const high = h("input", {
    type: "text", inputmode: "decimal", id: highId, name: `${c.id}.high`, autocomplete: "off",
    spellcheck: "false", placeholder: limits, value: v.high,
    "aria-label": `${c.label}: ${ui.highest}${c.unit ? ` (${c.unit})` : ""}`, "aria-describedby": describedBy,
  });
  high.addEventListener("input", () => { valueOf(c).high = high.value; update(); });
  controls.push(high);
  const highBox = h("span", { class: "high", hidden: !v.ranged },
    h("span", { class: "to", "aria-hidden": "true", text: ui.to }),
    h("span", { class: "num" }, high, unit ? unit.cloneNode(true) : null));

  const toggleId = `${id}-ranged`;
  const toggle = h("input", { type: "checkbox", id: toggleId, name: `${c.id}.ranged`, checked: v.ranged });
  let evidence = null;
  toggle.addEventListener("change", () => {
    valueOf(c).ranged = toggle.checked;
    highBox.hidden = !toggle.checked;
    if (evidence) evidence.disabled = toggle.checked;
    if (toggle.checked) high.focus();
    update();
  });

  if (app.desc.evidence.length) {
    evidence = h("select", {
      name: `${c.id}.evidence`, class: "evidence", "aria-label": `${c.label}: ${ui.evidence}`, disabled: v.ranged,
    }, h("option", { value: "", text: ui.noEvidence }),
    ...app.desc.evidence.map((g) => h("option", { value: g.id, text: `${g.label} (±${fmt(g.widen * 100, 0)}%)` })));
    evidence.value = app.desc.evidence.some((g) => g.id === v.evidence) ? v.evidence : "";
    evidence.addEventListener("change", () => { valueOf(c).evidence = evidence.value; update(); });
  }
  return h("div", { class: "number" },
    h("div", { class: "values" }, h("span", { class: "num" }, low, unit), highBox),
    h("div", { class: "extras" },
      h("span", { class: "check" }, toggle, h("label", { for: toggleId, text: ui.uncertain })), evidence));
}

function renderBreakdown() {
  const box = $("#breakdown");
  app.themeRefs.clear();
  const bar = () => {
    const earned = h("span", { class: "earned" });
    const open = h("span", { class: "open" });
    const label = h("span", { class: "sr-only" });
    return { el: h("span", { class: "bar" }, earned, open, label), earned, open, label };
  };
  box.replaceChildren(...app.desc.themes.map((th) => {
    const tb = bar();
    app.themeRefs.set(th.id, tb);
    const rows = th.criteria.map((c) => {
      const ref = app.refs.get(c.id);
      const cb = bar();
      Object.assign(ref.bar, cb);
      return h("li", { class: "crit" },
        h("span", { class: "name" }, h("span", { text: c.label }), ref.flags), cb.el);
    });
    return h("section", { class: "theme-score" },
      h("h4", {}, h("span", { text: th.label }), tb.el),
      h("ul", {}, ...rows));
  }));
}

function renderGaugeBands() {
  const g = $("#gauge-bands");
  $("#gauge-track").setAttribute("d", arc(0, 100, 78));
  const bands = app.desc.bands;
  g.replaceChildren(...bands.map((b, i) => {
    const top = i === 0 ? 100 : bands[i - 1].min;
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", arc(b.min, top, 94));
    path.setAttribute("class", "gauge-band");
    path.setAttribute("stroke", bandColour(i));
    return path;
  }));
}

// ---- the controls around the form -------------------------------------------------------

function setRubric(rubric, message = "", source = null) {
  app.rubric?.free();
  app.rubric = rubric;
  app.source = source;
  app.shown = false;
  hideSroi();
  const status = $("#rubric-status");
  status.textContent = message;
  status.classList.remove("bad");
  renderAll();
}

async function loadRubricFile(file) {
  const text = await file.text();
  const status = $("#rubric-status");
  const toml = /\.toml$/i.test(file.name) || (!/\.json$/i.test(file.name) && !/^\s*[{[]/.test(text));
  try {
    // TOML is read by a second, small module, fetched the first time a TOML file is chosen.
    if (toml) await app.api.initToml();
    const rubric = makeRubric(app.api, { toml, text });
    const d = rubric.describe(app.lang);
    setRubric(rubric, t().loaded(d.title, d.id, d.version), { toml, text });
  } catch (e) {
    status.textContent = t().rubricError(e.message);
    status.classList.add("bad");
  }
}

/** The rubric `source` stands for (null: the built-in one), made by module `api`. */
function makeRubric(api, source) {
  if (!source) return api.Rubric.default();
  return source.toml ? api.Rubric.fromToml(source.text) : api.Rubric.fromJson(source.text);
}

/** Load the full module and move the rubric in use over to it: the same rubric (the same
 * source), the same inputs; the analysis panels appear. */
async function loadFull() {
  const full = await import("./pkg/civic_value.js");
  await full.default();
  const rubric = makeRubric(full, app.source);
  app.rubric?.free();
  app.rubric = rubric;
  app.api = full;
  app.full = true;
  update();
}

function fillExample(id) {
  const example = app.examples.find((x) => x.id === id);
  if (!example) return;
  for (const c of app.criteria) setFromInput(c, example.inputs[c.id] ?? null);
  renderForm();
  renderBreakdown();
  update();
}

function clearForm() {
  app.values.clear();
  renderForm();
  renderBreakdown();
  update();
}

async function main() {
  try {
    await initScore();
  } catch (e) {
    $("#form").replaceChildren(h("p", { class: "status bad", role: "alert", text: t().engineFailed + e.message }));
    return;
  }
  try {
    const res = await fetch("examples.json");
    if (res.ok) app.examples = await res.json();
  } catch {
    app.examples = [];
  }
  const preferred = (navigator.language || "en").toLowerCase().startsWith("nl") ? "nl" : "en";
  app.lang = new URLSearchParams(location.search).get("lang") ?? preferred;
  if (!UI[app.lang]) app.lang = "en";
  for (const radio of document.querySelectorAll('input[name="ui-lang"]')) {
    radio.checked = radio.value === app.lang;
    radio.addEventListener("change", () => {
      app.lang = radio.value;
      renderAll();
    });
  }
  $("#ui-perspective").addEventListener("change", (e) => {
    app.perspective = e.target.value;
    update();
  });
  $("#perspective-list").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-perspective]");
    if (!button) return;
    app.perspective = button.dataset.perspective;
    $("#ui-perspective").value = app.perspective;
    update();
  });
  $("#ui-fill").addEventListener("click", () => fillExample($("#ui-example").value));
  $("#ui-clear").addEventListener("click", clearForm);
  $("#ui-rubric-file").addEventListener("change", (e) => {
    const file = e.target.files?.[0];
    if (file) loadRubricFile(file);
  });
  $("#ui-default-rubric").addEventListener("click", () => {
    $("#ui-rubric-file").value = "";
    setRubric(app.api.Rubric.default());
  });
  $("#form").addEventListener("submit", (e) => e.preventDefault());
  setRubric(app.api.Rubric.default());
  try {
    await loadFull();
  } catch (e) {
    $("#score-note").hidden = false;
    $("#score-note").textContent = t().engineFailed + e.message;
  }
  document.body.dataset.ready = "true";
}

main();
