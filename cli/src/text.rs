//! The text of a scored row in the CSV and NDJSON outputs: CSV fields, and numbers as the
//! shortest text that reads back to them. Shared by `score.rs` and the floor benchmark
//! (`benches/rust/csv_floor.rs` includes this file), so that both format the same way.

/// A CSV field, quoted when it holds a comma, a quote or a line break.
pub(crate) fn push_csv_field(out: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// A number as the shortest text that reads back to it (ryu's text), whole numbers without
/// a fraction; never `-0`.
pub(crate) fn push_number(out: &mut Vec<u8>, x: f64) {
    let x = x + 0.0;
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let whole = x as i64;
    #[allow(clippy::cast_precision_loss, clippy::float_cmp)]
    if whole as f64 == x && x.abs() < 1e15 {
        out.extend_from_slice(itoa::Buffer::new().format(whole).as_bytes());
    } else {
        out.extend_from_slice(shortest(
            x,
            &mut ryu::Buffer::new(),
            &mut zmij::Buffer::new(),
        ));
    }
}

/// The shortest text of a number that is not whole, as ryu writes it. Between 1e-5 and 1e15
/// ryu and zmij both write the same shortest, closest digits in plain decimal notation
/// (`0.00012`, `72.5`; `shortest_is_ryus_text` checks it), and zmij is faster; outside that
/// range ryu's own text (its exponent notation, `1e300`, differs from zmij's `1e+300`).
fn shortest<'a>(x: f64, ryu: &'a mut ryu::Buffer, zmij: &'a mut zmij::Buffer) -> &'a [u8] {
    if (1e-5..1e15).contains(&x.abs()) {
        zmij.format_finite(x).as_bytes()
    } else {
        ryu.format(x).as_bytes()
    }
}

/// `low` and `high` after `total`: the same text again when the same number (the common
/// case of an exact input), without formatting it twice.
pub(crate) fn push_again(out: &mut Vec<u8>, x: f64, same_as: f64, text: std::ops::Range<usize>) {
    if (x + 0.0).to_bits() == (same_as + 0.0).to_bits() {
        out.extend_from_within(text);
    } else {
        push_number(out, x);
    }
}

/// What a line of CSV or NDJSON output says about one initiative.
pub(crate) struct Line<'a> {
    pub(crate) total: f64,
    pub(crate) band: &'a str,
    pub(crate) low: f64,
    pub(crate) high: f64,
    pub(crate) knocked_out: bool,
    pub(crate) points: &'a [f64],
}

pub(crate) fn csv_line(out: &mut Vec<u8>, id: &str, name: &str, l: &Line<'_>) {
    push_csv_field(out, id);
    out.push(b',');
    push_csv_field(out, name);
    out.push(b',');
    let at = out.len();
    push_number(out, l.total);
    let total = at..out.len();
    out.push(b',');
    push_csv_field(out, l.band);
    for x in [l.low, l.high] {
        out.push(b',');
        push_again(out, x, l.total, total.clone());
    }
    out.extend_from_slice(if l.knocked_out { b",true" } else { b",false" });
    for p in l.points {
        out.push(b',');
        push_number(out, *p);
    }
    out.push(b'\n');
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// zmij's text is ryu's wherever `shortest` uses it: random bit patterns over the whole
    /// range, and short decimals (`k / 10^j`, the common points), both signs.
    fn text(x: f64) -> String {
        let (mut r, mut z) = (ryu::Buffer::new(), zmij::Buffer::new());
        String::from_utf8_lossy(shortest(x, &mut r, &mut z)).into_owned()
    }

    #[test]
    fn shortest_is_ryus_text() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut checked = 0;
        for k in 0..400_000u64 {
            let r = next();
            #[allow(clippy::cast_precision_loss)]
            let x = if k % 2 == 0 {
                // An exponent between 2^-20 and 2^52, any mantissa, any sign.
                f64::from_bits((r & 0x800F_FFFF_FFFF_FFFF) | ((1003 + (r >> 52) % 73) << 52))
            } else {
                (r % 100_000_000) as f64 / 10f64.powi((r >> 40) as i32 % 10)
            };
            if (1e-5..1e15).contains(&x.abs()) && x.fract() != 0.0 {
                let want = ryu::Buffer::new().format(x).to_owned();
                assert_eq!(text(x), want, "{x:e}");
                checked += 1;
            }
        }
        assert!(checked > 300_000, "{checked}");
        for x in [
            1e-5,
            0.1,
            0.3,
            2.0 / 3.0,
            72.5,
            999_999_999_999_999.9,
            1e-5 + 1e-20,
        ] {
            for x in [x, -x] {
                assert_eq!(text(x), ryu::Buffer::new().format(x), "{x:e}");
            }
        }
    }
}
