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
    out.extend_from_slice(number_text(x, &mut NumberText::default()));
}

/// Room for the text of one number ([`number_text`]): texts written into rooms of their
/// own and copied later do not wait (a text copied right after it is written waits for the
/// formatter's writes to reach the cache: ≈ 4 % of `score --columns id,total`'s time).
#[derive(Default)]
pub(crate) struct NumberText {
    itoa: itoa::Buffer,
    ryu: ryu::Buffer,
    zmij: zmij::Buffer,
}

/// The shortest text that reads back to `x` (ryu's text), whole numbers without a
/// fraction, never `-0` ([`push_number`] writes it), written in `room`.
pub(crate) fn number_text(x: f64, room: &mut NumberText) -> &[u8] {
    let x = x + 0.0;
    match whole(x) {
        Some(w) => room.itoa.format(w).as_bytes(),
        None => shortest(x, &mut room.ryu, &mut room.zmij),
    }
}

/// `x` as an integer when it is a whole number below 10^15 (written without a fraction).
fn whole(x: f64) -> Option<i64> {
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let w = x as i64;
    #[allow(clippy::cast_precision_loss, clippy::float_cmp)]
    (w as f64 == x && x.abs() < 1e15).then_some(w)
}

/// Slots per column of [`Repeats`] (a power of two: the slot is the top bits of a hash).
const SLOTS: usize = 256;
/// Lookups of a column between two decisions whether its texts are worth keeping.
const ROUND: u32 = 4096;

/// The longest text of a number (`-1.2345678901234567e-308`) and its length byte.
const TEXT: usize = 25;
/// The key of an empty slot: a NaN's bits; a number with these bits is never kept (`push`
/// skips it), so a lookup cannot mistake an empty slot for it.
const EMPTY: u64 = u64::MAX;

/// How often a column's numbers come back.
#[derive(Clone, Copy, Default)]
struct Seen {
    looked: u32,
    hits: u32,
    /// Too few came back in the last round: only one number in 8 is looked up (so that a
    /// column whose numbers start repeating is noticed), the others formatted directly.
    off: bool,
    tick: u32,
}

/// The texts of numbers already written, per column (a criterion's points), so that a
/// number that comes back — the points of a Likert, category or yes/no criterion, of a
/// share given to one decimal — is copied rather than formatted again (formatting the
/// shortest digits is the largest cost of the CSV and NDJSON outputs). A small
/// direct-mapped table per column; a column whose numbers rarely come back (continuous
/// inputs) is mostly left out after a round of lookups. The text is always
/// [`push_number`]'s. `Repeats::default()` keeps nothing (for a single line).
#[derive(Default)]
pub(crate) struct Repeats {
    /// The number in each slot (bits; [`EMPTY`] when empty): small enough to stay
    /// in the first-level cache, the texts are read only when the number is there.
    keys: Vec<u64>,
    /// The text of each slot, its length in the last byte.
    texts: Vec<[u8; TEXT]>,
    seen: Vec<Seen>,
}

impl Repeats {
    /// Tables for `columns` columns (≈ 8 KB each).
    pub(crate) fn new(columns: usize) -> Self {
        Self {
            keys: vec![EMPTY; columns * SLOTS],
            texts: vec![[0; TEXT]; columns * SLOTS],
            seen: vec![Seen::default(); columns],
        }
    }

    /// The number of columns kept.
    pub(crate) fn columns(&self) -> usize {
        self.seen.len()
    }

    /// Append `x` as [`push_number`] writes it, as a number of column `column` (one not
    /// kept is formatted directly).
    pub(crate) fn push(&mut self, out: &mut Vec<u8>, column: usize, x: f64) {
        let x = x + 0.0;
        let bits = x.to_bits();
        let Some(seen) = self.seen.get_mut(column).filter(|_| bits != EMPTY) else {
            return push_number(out, x);
        };
        seen.tick = seen.tick.wrapping_add(1);
        if seen.off && seen.tick % 8 != 0 {
            return push_number(out, x);
        }
        // Fibonacci hashing: the top 8 bits of the product pick the slot.
        #[allow(clippy::cast_possible_truncation)]
        let k = column * SLOTS + (bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize;
        let (Some(key), Some(text)) = (self.keys.get_mut(k), self.texts.get_mut(k)) else {
            return push_number(out, x);
        };
        seen.looked += 1;
        if *key == bits {
            seen.hits += 1;
        } else {
            // Formatted once into the slot (whole numbers too: a column whose numbers come
            // back is copied without asking whether they are whole).
            let (mut r, mut z, mut i) =
                (ryu::Buffer::new(), zmij::Buffer::new(), itoa::Buffer::new());
            let t = match whole(x) {
                Some(w) => i.format(w).as_bytes(),
                None => shortest(x, &mut r, &mut z),
            };
            let len = t.len();
            let Some(keep) = text.get_mut(..len).filter(|_| len < TEXT) else {
                return out.extend_from_slice(t); // longer than any shortest text
            };
            keep.copy_from_slice(t);
            #[allow(clippy::cast_possible_truncation)]
            let n = len as u8;
            text[TEXT - 1] = n;
            *key = bits;
        }
        // A copy of constant length (no call), cut to the text's.
        let (at, len) = (out.len(), usize::from(text[TEXT - 1]));
        out.extend_from_slice(&text[..TEXT - 1]);
        out.truncate(at + len);
        if seen.looked == ROUND / 8 || (!seen.off && seen.looked == ROUND) {
            // Off when fewer than 1 in 8 came back.
            seen.off = seen.hits * 8 < seen.looked;
            seen.looked = 0;
            seen.hits = 0;
        }
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

/// A CSV line; the points are written through `repeats` (column = criterion).
pub(crate) fn csv_line(
    out: &mut Vec<u8>,
    repeats: &mut Repeats,
    id: &str,
    name: &str,
    l: &Line<'_>,
) {
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
    for (k, p) in l.points.iter().enumerate() {
        out.push(b',');
        repeats.push(out, k, *p);
    }
    out.push(b'\n');
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// What `Repeats` writes is `push_number`'s text, number by number, whether the
    /// numbers of a column come back (a few values), never do, or start coming back later;
    /// and a column beyond those kept, and `Repeats::default()`, write it too.
    #[test]
    fn repeats_write_push_numbers_text() {
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let few = [2.0 / 3.0, 0.25, -1.5, 1e-7, 5.0, 12.345, 1e20 / 3.0];
        let mut repeats = Repeats::new(3);
        assert_eq!(repeats.columns(), 3);
        let mut none = Repeats::default();
        let (mut got, mut alone, mut want) = (Vec::new(), Vec::new(), Vec::new());
        for row in 0..60_000u64 {
            let r = next();
            #[allow(clippy::cast_precision_loss)]
            let continuous = (r % 1_000_000_007) as f64 / 1024.0 + 0.1;
            let later = if row < 20_000 {
                continuous
            } else {
                few[(r % 7) as usize]
            };
            for (k, x) in [few[(r % 7) as usize], continuous, later, -0.0, 7.5]
                .into_iter()
                .enumerate()
            {
                repeats.push(&mut got, k, x);
                none.push(&mut alone, k, x);
                push_number(&mut want, x);
                got.push(b',');
                alone.push(b',');
                want.push(b',');
            }
        }
        assert!(got == want, "Repeats::new");
        assert!(alone == want, "Repeats::default");
        // The continuous column was left out, the one that started repeating taken back.
        assert!(repeats.seen[1].off && !repeats.seen[0].off && !repeats.seen[2].off);
    }

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
