//! Writing an `f64` as text exactly as std's `{}`, `{:e}` and `{:.N}` write it, with much
//! less code in the browser module.
//!
//! std's formatting (Grisu with a Dragon4 fallback for the shortest digits, Dragon4 and its
//! big-number tables for a fixed number of decimals) was ≈ 20 KB of the scoring-only browser
//! module. In wasm the core writes numbers (every message's `format_number`, serde-style
//! `floating point` messages, `format_total`) with the functions here instead: the shortest
//! digits come from `zmij` (already in the module: serde_json writes the canonical JSON's
//! numbers with it), the exact ones from a few lines of integer arithmetic, and the text is
//! laid out as std lays it out. Natively they are std's own formatting. The tests check
//! that both give the same text on ≈ 150 000 doubles per run, each in seven ways (random
//! bit patterns, every power of two and its neighbours, powers of ten, integers,
//! subnormals, halfway cases of `{:.N}` and of the shortest digits, where zmij keeps the
//! even candidate and std the upper one). The core's own unit tests take the browser's
//! writers too (as with `float.rs`), so every message they check also checks these.

/// `x` as `format!("{x}")` writes it: the shortest digits that read back to `x`, without
/// an exponent (`0.1`, `12.5`, `1e21` as `1000000000000000000000`, `-0` for `-0.0`); `NaN`,
/// `inf`, `-inf`.
pub(crate) fn display(x: f64) -> String {
    #[cfg(any(target_arch = "wasm32", test))]
    return small::display(x);
    #[cfg(not(any(target_arch = "wasm32", test)))]
    format!("{x}")
}

/// `x` as `format!("{x:e}")` writes it: the shortest digits with an exponent (`1e300`,
/// `1.5e-7`, `0e0`); `NaN`, `inf`, `-inf`.
pub(crate) fn exp(x: f64) -> String {
    #[cfg(any(target_arch = "wasm32", test))]
    return small::exp(x);
    #[cfg(not(any(target_arch = "wasm32", test)))]
    format!("{x:e}")
}

/// `x` as `format!("{x:.decimals$}")` writes it: the exact value rounded to `decimals`
/// decimals, half to even (`2.5` → `2`, `0.125` → `0.12`), the sign kept (`-0.0`);
/// `NaN`, `inf`, `-inf`. The browser's writer works in time linear in `decimals` (the core
/// asks for at most nine).
pub(crate) fn fixed(x: f64, decimals: usize) -> String {
    #[cfg(any(target_arch = "wasm32", test))]
    return small::fixed(x, decimals);
    #[cfg(not(any(target_arch = "wasm32", test)))]
    format!("{x:.decimals$}")
}

/// serde's `Unexpected::Float` text (`floating point `1.5``, `floating point `2.0``: a
/// finite number always shows a decimal point).
pub(crate) fn unexpected(x: f64) -> String {
    let text = display(x);
    if x.is_finite() && !text.contains('.') {
        format!("floating point `{text}.0`")
    } else {
        format!("floating point `{text}`")
    }
}

/// The browser's writers (see the module docs): what [`display`], [`exp`] and [`fixed`] are
/// in wasm.
#[cfg(any(target_arch = "wasm32", test))]
pub(crate) mod small {
    use std::fmt::Write as _;

    /// NaN and the infinities as std writes them; `None` for finite numbers.
    fn special(x: f64) -> Option<String> {
        if x.is_nan() {
            Some("NaN".to_owned())
        } else if x.is_infinite() {
            Some(if x < 0.0 { "-inf" } else { "inf" }.to_owned())
        } else {
            None
        }
    }

    /// The sign std writes: `-` for every negative number, `-0.0` included.
    fn sign(x: f64) -> &'static str {
        if x.is_sign_negative() { "-" } else { "" }
    }

    /// The shortest digits of a finite, non-zero `|x|` that read back to it (no leading or
    /// trailing zeros) and the power of ten of the place before the first digit:
    /// `|x| = 0.d1d2… × 10^point`. zmij writes them (its text is taken apart here, whatever
    /// its layout: `1.5e-7`, `123.0`, `0.001`).
    pub(super) fn shortest(x: f64) -> (Vec<u8>, i32) {
        let mut buffer = zmij::Buffer::new();
        let text = buffer.format_finite(x.abs());
        let (mantissa, exponent) = match text.split_once(['e', 'E']) {
            Some((m, e)) => (m, e.trim_start_matches('+').parse::<i32>().unwrap_or(0)),
            None => (text, 0),
        };
        let mut digits = Vec::with_capacity(20);
        let mut point = exponent;
        let mut in_fraction = false;
        for b in mantissa.bytes() {
            match b {
                b'.' => in_fraction = true,
                b'0'..=b'9' => {
                    if digits.is_empty() && b == b'0' {
                        // A leading zero: after the point it moves the first digit down.
                        if in_fraction {
                            point -= 1;
                        }
                    } else {
                        digits.push(b);
                        if !in_fraction {
                            point += 1;
                        }
                    }
                }
                _ => {}
            }
        }
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        if halfway_above(x.abs(), &digits, point) {
            round_up(&mut digits, &mut point);
        }
        (digits, point)
    }

    /// Whether `x` lies exactly halfway between `0.digits × 10^point` and the next number
    /// of as many digits. Both then read back to `x`: zmij takes the even one, std the
    /// upper one. Only possible with 16 or more digits (two candidates must fit in one ulp).
    fn halfway_above(x: f64, digits: &[u8], point: i32) -> bool {
        if digits.len() < 16 {
            return false;
        }
        // 2·digits + 1 (at most 2·10^17 + 1: fits u64).
        let odd = digits
            .iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'))
            * 2
            + 1;
        // (2·digits + 1) × 10^q == 2x = m × 2^(e+1), all powers moved to positive sides.
        let q = point - i32::try_from(digits.len()).unwrap_or(0);
        let (m, e) = parts(x);
        let mut lhs = Big::from(odd);
        let mut rhs = Big::from(m);
        for _ in 0..q.max(0) {
            lhs.mul_small(10);
        }
        for _ in 0..(-q).max(0) {
            rhs.mul_small(10);
        }
        rhs.shl((e + 1).max(0).unsigned_abs());
        lhs.shl((-(e + 1)).max(0).unsigned_abs());
        lhs.trim();
        rhs.trim();
        lhs.0 == rhs.0
    }

    /// The next number of as many digits (`0.129` → `0.13`, `0.99` → `1`).
    fn round_up(digits: &mut Vec<u8>, point: &mut i32) {
        while let Some(last) = digits.pop() {
            if last != b'9' {
                digits.push(last + 1);
                return;
            }
        }
        digits.push(b'1');
        *point += 1;
    }

    /// `|x| = m × 2^e` exactly (finite `x`).
    fn parts(x: f64) -> (u64, i32) {
        let bits = x.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i32;
        let fraction = bits & ((1u64 << 52) - 1);
        if biased == 0 {
            (fraction, -1074)
        } else {
            (fraction | (1u64 << 52), biased - 1075)
        }
    }

    /// `0.digits × 10^point` in positional notation with at least `decimals` decimals (std's
    /// `digits_to_dec_str`; zeros pad both sides as needed).
    fn positional(out: &mut String, digits: &[u8], point: i32, decimals: usize) {
        let n = digits.len();
        if point <= 0 {
            out.push_str("0.");
            let zeros = point.unsigned_abs() as usize;
            out.extend(std::iter::repeat_n('0', zeros));
            out.extend(digits.iter().map(|&d| char::from(d)));
            let written = zeros + n;
            out.extend(std::iter::repeat_n('0', decimals.saturating_sub(written)));
        } else {
            let int = point.unsigned_abs() as usize;
            if int < n {
                let (whole, fraction) = digits.split_at(int);
                out.extend(whole.iter().map(|&d| char::from(d)));
                out.push('.');
                out.extend(fraction.iter().map(|&d| char::from(d)));
                out.extend(std::iter::repeat_n('0', decimals.saturating_sub(n - int)));
            } else {
                out.extend(digits.iter().map(|&d| char::from(d)));
                out.extend(std::iter::repeat_n('0', int - n));
                if decimals > 0 {
                    out.push('.');
                    out.extend(std::iter::repeat_n('0', decimals));
                }
            }
        }
    }

    pub(crate) fn display(x: f64) -> String {
        if let Some(s) = special(x) {
            return s;
        }
        let mut out = sign(x).to_owned();
        if x == 0.0 {
            out.push('0');
        } else {
            let (digits, point) = shortest(x);
            positional(&mut out, &digits, point, 0);
        }
        out
    }

    pub(crate) fn exp(x: f64) -> String {
        if let Some(s) = special(x) {
            return s;
        }
        let mut out = sign(x).to_owned();
        if x == 0.0 {
            out.push_str("0e0");
            return out;
        }
        let (digits, point) = shortest(x);
        let mut rest = digits.iter().map(|&d| char::from(d));
        out.extend(rest.next());
        let rest: String = rest.collect();
        if !rest.is_empty() {
            out.push('.');
            out.push_str(&rest);
        }
        let _ = write!(out, "e{}", point - 1);
        out
    }

    pub(crate) fn fixed(x: f64, decimals: usize) -> String {
        if let Some(s) = special(x) {
            return s;
        }
        let mut out = sign(x).to_owned();
        // |x| = m × 2^e exactly.
        let (m, e) = parts(x);
        // round(|x| × 10^decimals), half to even, as decimal digits.
        let mut n = Big::from(m);
        for _ in 0..decimals {
            n.mul_small(10);
        }
        if e >= 0 {
            n.shl(e.unsigned_abs());
        } else {
            n.shr_round_even(e.unsigned_abs());
        }
        let digits = n.decimal();
        // The digits are round(|x| × 10^decimals): the point goes `decimals` from the end.
        let point = i32::try_from(digits.len()).unwrap_or(i32::MAX)
            - i32::try_from(decimals).unwrap_or(i32::MAX);
        if digits == b"0" {
            out.push('0');
            if decimals > 0 {
                out.push('.');
                out.extend(std::iter::repeat_n('0', decimals));
            }
        } else {
            positional(&mut out, &digits, point, decimals);
        }
        out
    }

    /// A natural number in base 2^32, least significant limb first.
    struct Big(Vec<u32>);

    impl Big {
        fn from(m: u64) -> Big {
            Big(vec![m as u32, (m >> 32) as u32])
        }

        fn mul_small(&mut self, k: u32) {
            let mut carry = 0u64;
            for limb in &mut self.0 {
                let v = u64::from(*limb) * u64::from(k) + carry;
                *limb = v as u32;
                carry = v >> 32;
            }
            if carry > 0 {
                self.0.push(carry as u32);
            }
        }

        /// `self × 2^k`.
        fn shl(&mut self, k: u32) {
            let bits = k % 32;
            if bits > 0 {
                let mut carry = 0u32;
                for limb in &mut self.0 {
                    let v = (*limb << bits) | carry;
                    carry = *limb >> (32 - bits);
                    *limb = v;
                }
                self.0.push(carry);
            }
            let words = (k / 32) as usize;
            self.0.splice(0..0, std::iter::repeat_n(0, words));
        }

        /// Without high zero limbs (so that equal numbers have equal limbs).
        fn trim(&mut self) {
            while self.0.last() == Some(&0) {
                self.0.pop();
            }
        }

        fn bit(&self, i: u32) -> bool {
            let limb = self.0.get((i / 32) as usize).copied().unwrap_or(0);
            (limb >> (i % 32)) & 1 == 1
        }

        /// Any bit below `i` set.
        fn any_below(&self, i: u32) -> bool {
            let whole = (i / 32) as usize;
            let part = i % 32;
            self.0.iter().take(whole).any(|&l| l != 0)
                || (part > 0
                    && self
                        .0
                        .get(whole)
                        .is_some_and(|&l| l & ((1u32 << part) - 1) != 0))
        }

        /// `self / 2^k` rounded half to even.
        fn shr_round_even(&mut self, k: u32) {
            let half = k.checked_sub(1).is_some_and(|h| self.bit(h));
            let sticky = k.checked_sub(1).is_some_and(|h| self.any_below(h));
            let words = (k / 32) as usize;
            let bits = k % 32;
            let mut limbs: Vec<u32> = self.0.iter().skip(words).copied().collect();
            if bits > 0 {
                for i in 0..limbs.len() {
                    let high = limbs.get(i + 1).copied().unwrap_or(0);
                    if let Some(l) = limbs.get_mut(i) {
                        *l = (*l >> bits) | (high << (32 - bits));
                    }
                }
            }
            self.0 = limbs;
            let odd = self.bit(0);
            if half && (sticky || odd) {
                self.add_one();
            }
        }

        fn add_one(&mut self) {
            for limb in &mut self.0 {
                let (v, overflow) = limb.overflowing_add(1);
                *limb = v;
                if !overflow {
                    return;
                }
            }
            self.0.push(1);
        }

        /// The decimal digits (ASCII), `0` for zero.
        fn decimal(mut self) -> Vec<u8> {
            let mut chunks = Vec::new();
            while self.0.iter().any(|&l| l != 0) {
                let mut rem = 0u64;
                for limb in self.0.iter_mut().rev() {
                    let v = (rem << 32) | u64::from(*limb);
                    *limb = (v / 1_000_000_000) as u32;
                    rem = v % 1_000_000_000;
                }
                chunks.push(rem as u32);
                while self.0.last() == Some(&0) {
                    self.0.pop();
                }
            }
            let mut out = String::new();
            for (i, chunk) in chunks.iter().rev().enumerate() {
                if i == 0 {
                    let _ = write!(out, "{chunk}");
                } else {
                    let _ = write!(out, "{chunk:09}");
                }
            }
            if out.is_empty() {
                out.push('0');
            }
            out.into_bytes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::small;

    fn same(x: f64) {
        assert_eq!(small::display(x), format!("{x}"), "{{}} of {:e}", x);
        assert_eq!(small::exp(x), format!("{x:e}"), "{{:e}} of {:e}", x);
        for d in [0, 1, 2, 3, 9] {
            assert_eq!(
                small::fixed(x, d),
                format!("{x:.d$}"),
                "{{:.{d}}} of {:e}",
                x
            );
        }
    }

    /// A small deterministic generator (xorshift64*), so the test needs no crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    #[test]
    fn special_values_and_signs() {
        for x in [
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            1.0,
            -1.0,
            0.1,
            0.5,
            1.5,
            2.5,
            -2.5,
            0.125,
            0.375,
            -0.04,
            1e15,
            1e21,
            1e22,
            1e23,
            123456789.0,
            9007199254740993.0,
            1e300,
            1e-300,
            49.999_999_999_999_99,
            62.34,
            37.45,
            // Exactly halfway between two shortest candidates: std writes the upper one.
            1_394_865_425_023_536.0 + 0.25,
        ] {
            same(x);
        }
    }

    #[test]
    fn powers_of_two_and_ten_and_integers() {
        for e in 0..2098u64 {
            // 2^(e - 1074): subnormal powers, then normal ones (bits written out: exact).
            let x = if e < 52 {
                f64::from_bits(1 << e)
            } else {
                f64::from_bits((e - 51) << 52)
            };
            same(x);
            same(-x);
            same(f64::from_bits(x.to_bits() - 1));
            same(f64::from_bits(x.to_bits() + 1));
        }
        for e in -330..=308 {
            let x: f64 = format!("1e{e}").parse().unwrap();
            same(x);
            same(f64::from_bits(x.to_bits().wrapping_sub(1)));
        }
        for i in 0..3000 {
            same(f64::from(i));
            same(f64::from(i) / 8.0);
            same(f64::from(i) / 1000.0);
        }
    }

    #[test]
    fn halfway_cases_of_fixed_decimals() {
        // k / 2^j with few bits are exact: every `{:.d}` of them with d < j is a tie or
        // close to one.
        for j in 1..12 {
            for k in 0..600 {
                let x = f64::from(k) / f64::from(1u32 << j);
                same(x);
                same(-x);
            }
        }
    }

    #[test]
    fn random_doubles() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..60_000 {
            let x = f64::from_bits(rng.next());
            same(x);
        }
        // Numbers of everyday sizes, where messages and totals live.
        for _ in 0..60_000 {
            let bits = rng.next();
            let x = (bits >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi((bits % 12) as i32 - 4);
            same(x);
        }
    }

    #[test]
    fn serde_float_text() {
        use serde::de::Unexpected;
        for x in [1.5, 2.0, -0.0, 1e300, 5e-324, f64::NAN, f64::INFINITY, 1e21] {
            assert_eq!(
                super::unexpected(x),
                Unexpected::Float(x).to_string(),
                "{x:e}"
            );
        }
    }
}
