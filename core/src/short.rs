//! Short text for messages: numbers in a short form, echoed values, lists and paths capped,
//! control characters escaped. Every front end takes its messages from the core, so a 1 MB
//! key or a `1e308` comes back as a line a person can read in each of them.

use std::fmt::Write as _;

use crate::float_text;

/// Most characters of an echoed value (an input, a key, an id) in a message, `…` included.
pub const MAX_ECHO: usize = 80;
/// Most characters of an echoed list (the options or perspectives a rubric defines).
const MAX_LIST: usize = 200;
/// Most characters of a path; longer paths keep their first and last segments.
const MAX_PATH: usize = 2 * MAX_ECHO;
/// Most characters of a whole message.
const MAX_MESSAGE: usize = 400;

/// A number as a person writes it, never longer than 24 characters: whole numbers below
/// 1e15 without a fraction (`12`), others in the shortest form that reads back to the same
/// double (`0.1`, `12.5`), very large or very small magnitudes with an exponent (`1e308`,
/// `5e-324`); `0` for `-0.0`; `NaN`, `inf` and `-inf` as words.
pub fn format_number(x: f64) -> String {
    let x = x + 0.0; // −0 → 0; every other value unchanged.
    let a = x.abs();
    if !x.is_finite() {
        float_text::display(x)
    } else if a >= 1e15 || (a != 0.0 && a < 1e-5) {
        float_text::exp(x)
    } else if x.fract() == 0.0 {
        float_text::fixed(x, 0)
    } else {
        float_text::display(x)
    }
}

/// `x` exactly as `format!("{x}")` writes it (`0.1`, `1e21` in full, `-0`, `NaN`, `inf`),
/// with the core's own writer: a binding echoing a number in a message uses it so that the
/// browser module carries no std float formatting. Never fails.
pub fn display_number(x: f64) -> String {
    float_text::display(x)
}

/// A number as `{}` writes it (`0.1`, `1e21` in full), for the `thiserror` attributes
/// (`plain(.got)`): the core's writer ([`float_text`]), so the browser module carries no
/// std float formatting.
pub(crate) fn plain(x: &f64) -> String {
    float_text::display(*x)
}

/// [`format_number`] for the `thiserror` attributes (`num(.value)`).
pub(crate) fn num(x: &f64) -> String {
    format_number(*x)
}

/// `text` with control characters escaped (`\n`, `\u{1b}`), cut to at most `max`
/// characters with a trailing `…`. Reads at most `max + 1` characters of `text`.
pub(crate) fn capped(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    // Where to cut (a byte length of `out`) if the text turns out too long.
    let mut cut = None;
    for c in text.chars() {
        let mut piece = String::new();
        if c.is_control() {
            let _ = write!(piece, "{}", c.escape_debug());
        } else {
            piece.push(c);
        }
        let n = piece.chars().count();
        if cut.is_none() && count + n > max.saturating_sub(1) {
            cut = Some(out.len());
        }
        if count + n > max {
            out.truncate(cut.unwrap_or(out.len()));
            out.push('…');
            return out;
        }
        out.push_str(&piece);
        count += n;
    }
    out
}

/// An echoed value (an input, a key, an id): at most [`MAX_ECHO`] characters.
pub(crate) fn value(s: &str) -> String {
    capped(s, MAX_ECHO)
}

/// An echoed list: at most 200 characters.
pub(crate) fn list(s: &str) -> String {
    capped(s, MAX_LIST)
}

/// A string as a quoted literal (`"lots"`, escapes as Rust's `{:?}`), at most [`MAX_ECHO`]
/// characters: a longer one is cut and ends in `…"`. Reads only what it prints, so a
/// 200 MB string costs no more than a short one.
pub(crate) fn quoted(s: &str) -> String {
    if s.chars().nth(MAX_ECHO).is_none() {
        let whole = format!("{s:?}");
        if whole.chars().count() <= MAX_ECHO {
            return whole;
        }
    }
    let mut inner = String::new();
    let mut count = 0;
    let mut cut = false;
    for c in s.chars() {
        let piece: String = if c == '\'' {
            "'".to_owned()
        } else {
            c.escape_debug().collect()
        };
        let n = piece.chars().count();
        // Two quotes and, when cut, an ellipsis must still fit.
        if count + n > MAX_ECHO - 3 {
            cut = true;
            break;
        }
        inner.push_str(&piece);
        count += n;
    }
    if cut {
        format!("\"{inner}…\"")
    } else {
        format!("\"{inner}\"")
    }
}

/// A path such as `rows[12].input.support_share`, short: each segment at most
/// [`MAX_ECHO`] characters and, when the whole is still longer than 160, its first segments
/// (as many as fit) and its last one around `…` (`a.b.c.….z`). Paths of real fields are
/// never changed.
pub(crate) fn path(p: String) -> String {
    if p.chars().count() <= MAX_PATH && !p.chars().any(char::is_control) {
        return p;
    }
    let segments: Vec<String> = p.split('.').map(|s| capped(s, MAX_ECHO)).collect();
    let joined = segments.join(".");
    if joined.chars().count() <= MAX_PATH {
        return joined;
    }
    let (Some(last), Some(first)) = (segments.last(), segments.first()) else {
        return capped(&joined, MAX_PATH);
    };
    // Room for the leading segments: all but ".….last".
    let budget = MAX_PATH.saturating_sub(last.chars().count() + 3);
    let mut head = first.clone();
    for s in segments
        .iter()
        .skip(1)
        .take(segments.len().saturating_sub(2))
    {
        if head.chars().count() + 1 + s.chars().count() > budget {
            break;
        }
        head.push('.');
        head.push_str(s);
    }
    format!("{head}.….{last}")
}

/// A message from a parser or another layer: every quoted part (between `` ` `` or `"`)
/// capped to [`MAX_ECHO`] characters, control characters escaped, the whole at most 400
/// characters (its head and its tail, which often says where: `at line 3 column 9`).
pub(crate) fn message(m: &str) -> String {
    let short = m.chars().count() <= MAX_ECHO && !m.chars().any(char::is_control);
    if short {
        return m.to_owned();
    }
    let mut out = String::with_capacity(m.len().min(4 * MAX_MESSAGE));
    let mut chars = m.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '`' || c == '"' {
            // A quoted part: up to the matching quote (a backslash escapes inside "…").
            let mut inner = String::new();
            let mut closed = false;
            while let Some(d) = chars.next() {
                if d == c {
                    closed = true;
                    break;
                }
                inner.push(d);
                if d == '\\'
                    && c == '"'
                    && let Some(e) = chars.next()
                {
                    inner.push(e);
                }
            }
            out.push(c);
            out.push_str(&capped(&inner, MAX_ECHO));
            if closed {
                out.push(c);
            }
        } else if c.is_control() {
            let _ = write!(out, "{}", c.escape_debug());
        } else {
            out.push(c);
        }
    }
    let n = out.chars().count();
    if n <= MAX_MESSAGE {
        return out;
    }
    let head: String = out.chars().take(MAX_MESSAGE - 101).collect();
    let tail: String = out.chars().skip(n - 100).collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_number_writes_as_std_does() {
        // std's own `{}` is the reference (an independent writer: in tests `display_number`
        // takes the browser's one, core/src/float_text.rs).
        for x in [
            0.1,
            -0.0,
            1.5,
            1e21,
            2f64.powi(70),
            9_007_199_254_740_993.0,
            5e-324,
            f64::MAX,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(display_number(x), format!("{x}"));
        }
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(format_number(12.0), "12");
        assert_eq!(format_number(-3.0), "-3");
        assert_eq!(format_number(12.5), "12.5");
        assert_eq!(format_number(0.1), "0.1");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(1e308), "1e308");
        assert_eq!(format_number(f64::MAX), "1.7976931348623157e308");
        assert_eq!(format_number(-1e20), "-1e20");
        assert_eq!(format_number(5e-324), "5e-324");
        assert_eq!(format_number(1.5e-7), "1.5e-7");
        assert_eq!(format_number(0.00012), "0.00012");
        assert_eq!(format_number(999_999_999_999_999.0), "999999999999999");
        assert_eq!(format_number(f64::NAN), "NaN");
        assert_eq!(format_number(f64::NEG_INFINITY), "-inf");
        for x in [
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            1e15 + 0.5,
            123_456.789_012_345_6,
        ] {
            let s = format_number(x);
            assert!(s.len() <= 24, "{s}");
            assert_eq!(s.parse::<f64>().unwrap(), x, "{s} reads back");
        }
    }

    #[test]
    fn values_are_capped_at_80_characters() {
        let long = "é".repeat(1000);
        let v = value(&long);
        assert_eq!(v.chars().count(), MAX_ECHO);
        assert!(v.ends_with('…'));
        assert_eq!(value(&"x".repeat(80)), "x".repeat(80));
        assert_eq!(value("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        let q = quoted(&"\"".repeat(1_000_000));
        assert!(q.chars().count() <= MAX_ECHO, "{q}");
        assert!(q.ends_with("…\""));
        assert_eq!(quoted("lots"), "\"lots\"");
        assert_eq!(quoted("it's"), format!("{:?}", "it's"));
        assert_eq!(quoted("a\nb"), format!("{:?}", "a\nb"));
    }

    #[test]
    fn long_paths_keep_their_ends() {
        let p = format!("rows[12].input.{}", "k".repeat(1_000_000));
        let short = path(p);
        assert!(short.starts_with("rows[12].input.kkk"));
        assert!(short.chars().count() <= 12 + 6 + MAX_ECHO + 2);
        let deep = (0..100)
            .map(|i| format!("f{i}"))
            .collect::<Vec<_>>()
            .join(".");
        let short = path(deep);
        assert!(short.starts_with("f0.f1.f2."), "{short}");
        assert!(short.ends_with(".f40.….f99"), "{short}");
        assert!(short.chars().count() <= MAX_PATH);
        let real = "criteria[3].value_function.best".to_owned();
        assert_eq!(path(real.clone()), real);
    }

    #[test]
    fn messages_cap_what_they_quote() {
        let m = format!(
            "unknown field `{}`, expected one of `id`, `name`",
            "z".repeat(10_000)
        );
        let s = message(&m);
        assert!(s.starts_with("unknown field `zzz"));
        assert!(s.ends_with("…`, expected one of `id`, `name`"), "{s}");
        assert!(s.chars().count() < 140);
        let m = format!(
            "invalid type: string \"{}\", expected a number at line 1 column 9",
            "\\\"".repeat(500)
        );
        let s = message(&m);
        assert!(s.ends_with("expected a number at line 1 column 9"), "{s}");
        let long = "word ".repeat(1000);
        let s = message(&long);
        assert_eq!(s.chars().count(), MAX_MESSAGE);
    }
}
