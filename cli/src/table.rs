//! The readable breakdown printed by `civic-value score --format table`.

use std::fmt::Write as _;

use civic_value::{Flag, Initiative, InputValue, Rubric, Score};

fn flag_text(f: Flag) -> &'static str {
    match f {
        Flag::Missing => "missing",
        Flag::Defaulted => "default",
        Flag::Clamped => "clamped",
        Flag::Renormalised => "renormalised",
        Flag::Ranged => "range",
        Flag::KnockedOut => "KNOCK-OUT",
    }
}

pub(crate) fn raw_text(rubric: &Rubric, id: &str, raw: &InputValue, lang: &str) -> String {
    let c = rubric.criterion(id);
    let unit = c
        .and_then(|c| c.unit())
        .map(|u| format!(" {u}"))
        .unwrap_or_default();
    match raw {
        InputValue::Number(x) => format!("{}{unit}", num(*x)),
        InputValue::Range { low, high } => format!("{}..{}{unit}", num(*low), num(*high)),
        InputValue::Graded { value, evidence } => format!("{}{unit} ({evidence})", num(*value)),
        InputValue::Bool(true) => if lang == "nl" { "ja" } else { "yes" }.to_owned(),
        InputValue::Bool(false) => if lang == "nl" { "nee" } else { "no" }.to_owned(),
        InputValue::Text(t) => c
            .and_then(|c| c.options().iter().find(|o| o.id() == t))
            .map_or_else(|| t.clone(), |o| o.label(lang).to_owned()),
        InputValue::Missing => "—".to_owned(),
    }
}

/// A number in a short form (the core's): never `-0` or 309 digits.
pub(crate) fn num(x: f64) -> String {
    civic_value::format_number(x)
}

/// Text from a rubric or an input, safe to print on a terminal: control characters (escape
/// sequences, carriage returns, bells …) are shown escaped, not interpreted.
pub(crate) fn clean(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_owned();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The total with as few decimals (at least one) as show it in its own band: 49.96 under a
/// band starting at 50 prints as 49.96, not 50.0 (`Rubric::format_total`).
pub(crate) fn total_text(rubric: &Rubric, total: f64) -> String {
    rubric.format_total(total, 1)
}

/// Truncate to `width` characters (not bytes), with an ellipsis; control characters
/// escaped.
/// Every record as one pretty JSON array, or as tables (`write` per record) separated by
/// a blank line.
pub(crate) fn records<T: serde::Serialize>(
    items: &[T],
    json: bool,
    mut write: impl FnMut(&mut String, &T),
) -> String {
    if json {
        return serde_json::to_string_pretty(items).unwrap_or_default() + "\n";
    }
    let mut out = String::new();
    for (k, x) in items.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        write(&mut out, x);
    }
    out
}

/// `s` cleaned ([`clean`]) and cut to `width` characters, its last one `…` when cut.
pub(crate) fn fit(s: &str, width: usize) -> String {
    let s = &clean(s);
    if s.chars().count() <= width {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn pad(s: &str, width: usize) -> String {
    let s = fit(s, width);
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

/// Write one initiative's breakdown.
pub fn write(out: &mut String, rubric: &Rubric, initiative: &Initiative, s: &Score, lang: &str) {
    let band = s
        .band
        .as_deref()
        .and_then(|b| rubric.bands().iter().find(|x| x.id() == b))
        .map_or("—", |b| b.label(lang));
    let _ = writeln!(
        out,
        "{} ({})",
        clean(&initiative.name),
        clean(&initiative.id)
    );
    // The total as the bands read it: more decimals when one would show another band.
    let mut line = format!(
        "  total {} / 100   band: {}",
        total_text(rubric, s.total),
        clean(band)
    );
    if s.interval.low < s.interval.high {
        let _ = write!(
            line,
            "   interval {:.1} – {:.1}",
            s.interval.low, s.interval.high
        );
    }
    if let Some(p) = &s.perspective {
        let label = rubric
            .perspectives()
            .iter()
            .find(|x| x.id() == p)
            .map_or(p.as_str(), |x| x.label(lang));
        let _ = write!(line, "   perspective: {}", clean(label));
    }
    let _ = writeln!(out, "{line}");
    if s.knockouts.is_empty() {
        let _ = writeln!(out, "  knock-outs: none");
    }
    for k in &s.knockouts {
        let label = rubric
            .criterion(&k.criterion)
            .map_or(k.criterion.as_str(), |c| c.label(lang));
        let how = if k.definite {
            "FAILS"
        } else {
            "may fail (range)"
        };
        let _ = writeln!(out, "  knock-out {how}: {} {}", clean(label), k.rule);
    }
    let ignored: Vec<&str> = s
        .warnings
        .iter()
        .map(|w| w.path.strip_prefix("input.").unwrap_or(&w.path))
        .collect();
    if !ignored.is_empty() {
        let _ = writeln!(
            out,
            "  ignored (not in this rubric): {}",
            clean(&ignored.join(", "))
        );
    }
    let _ = writeln!(
        out,
        "  {}{}{:>6}{:>8}{:>8}{:>10}  flags",
        pad("theme / criterion", 36),
        pad("input", 22),
        "value",
        "weight",
        "points",
        "available"
    );
    for (t, ts) in rubric.themes().iter().zip(&s.themes) {
        let _ = writeln!(
            out,
            "  {}{}{:>6}{:>7.1}%{:>8.2}{:>10.2}",
            pad(t.label(lang), 36),
            pad("", 22),
            "",
            100.0 * ts.weight,
            ts.points,
            ts.available
        );
        for row in t.criteria().iter().filter_map(|&i| s.criteria.get(i)) {
            let label = rubric
                .criterion(&row.id)
                .map_or(row.id.as_str(), |c| c.label(lang));
            let flags: Vec<&str> = row.flags.iter().map(|f| flag_text(*f)).collect();
            let line = format!(
                "    {}{}{:>6.2}{:>7.1}%{:>8.2}{:>10.2}  {}",
                pad(label, 34),
                pad(&raw_text(rubric, &row.id, &row.raw, lang), 22),
                row.value,
                100.0 * row.weight,
                row.points,
                row.available,
                flags.join(", ")
            );
            // No trailing blanks when a row has no flags.
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
    let weight: f64 = s.themes.iter().map(|t| t.weight).sum();
    let available: f64 = s.criteria.iter().map(|c| c.available).sum();
    let _ = writeln!(
        out,
        "  {}{}{:>6}{:>7.1}%{:>8}{:>10.2}",
        pad("total", 36),
        pad("", 22),
        "",
        100.0 * weight,
        rubric.format_total(s.total, 2),
        available
    );
    let fp: String = s.rubric.fingerprint.chars().take(12).collect();
    let _ = writeln!(
        out,
        "  rubric {} {} (fingerprint {fp}…), engine {}",
        s.rubric.id, s.rubric.version, s.engine
    );
}
