//! Text shown on a terminal: control characters escaped, numbers in a short form, never
//! `-0`.

use std::fmt::Write as _;

/// Whether a character must not reach a terminal as it is: C0 and C1 controls (ESC starts
/// escape sequences, CSI is U+009B), DEL, and the bidirectional overrides and isolates that
/// reorder what is shown.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The text with control characters written as escapes (`\e` → `\u{1b}`, a newline as
/// `\n`), so that an id or name from an input cannot move the cursor, recolour the
/// terminal or break a line of the table.
pub(crate) fn escape(s: &str) -> String {
    if !s.chars().any(unsafe_char) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// `x` without a negative zero (`-0.0 + 0.0` is `+0.0`; every other value is unchanged).
pub(crate) fn no_negative_zero(x: f64) -> f64 {
    x + 0.0
}

/// A number as a person reads it: whole numbers without decimals, others as the shortest
/// text that reads back the same, and very large or very small magnitudes in scientific
/// notation (`1e308`, not 309 digits). Never `-0`.
pub(crate) fn short(x: f64) -> String {
    let x = no_negative_zero(x);
    let a = x.abs();
    if !x.is_finite() {
        format!("{x}")
    } else if x.fract() == 0.0 && a < 1e15 {
        format!("{x:.0}")
    } else if !(1e-6..1e15).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// `x` with `decimals` decimals, never `-0.0` (a negative value that rounds to zero is
/// shown as zero), and in scientific notation when too large for a column.
pub(crate) fn fixed(x: f64, decimals: usize) -> String {
    if x.is_finite() && x.abs() >= 1e12 {
        return format!("{:.2e}", no_negative_zero(x));
    }
    let s = format!("{:.*}", decimals, no_negative_zero(x));
    match s.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_owned(),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(escape("Park"), "Park");
        assert_eq!(escape("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape("x\ny\tz"), "x\\ny\\tz");
        assert_eq!(escape("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escape("abc\u{202e}def"), "abc\\u{202e}def");
        assert_eq!(escape("Café ✓"), "Café ✓");
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short(-0.0), "0");
        assert_eq!(short(12.0), "12");
        assert_eq!(short(72.5), "72.5");
        assert_eq!(short(1e308), "1e308");
        assert_eq!(short(-1.5e20), "-1.5e20");
        assert_eq!(short(1e-300), "1e-300");
        assert_eq!(short(f64::MAX).len(), 22);
        assert_eq!(fixed(-0.0, 1), "0.0");
        assert_eq!(fixed(-0.004, 2), "0.00");
        assert_eq!(fixed(-0.006, 2), "-0.01");
        assert_eq!(fixed(80.86, 1), "80.9");
        assert_eq!(fixed(1e300, 2), "1.00e300");
    }
}
