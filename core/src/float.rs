//! Reading a decimal number into the nearest `f64`: exactly what `str::parse::<f64>` gives
//! (the same grammar, the same bits), with much less code in the browser module.
//!
//! std's reader keeps a 10 KB table of powers of five (Eisel–Lemire) that gzip cannot shrink:
//! ≈ 9 KB of the gzipped module. In wasm the core reads numbers (JSON rubrics, text typed
//! into the form, judgements, rates) with [`parse`] here instead: exact `f64` arithmetic when
//! that is exact (Clinger's fast path: up to 15 significant digits and a power of ten up to
//! 10^22), otherwise big-integer division with round half to even. Natively [`parse`] is
//! std's reader. The tests check that both give the same bits on ≈ 150 000 texts per run
//! (random ones, every double written in several ways, the halfway cases) and on long
//! numerals whose exponent std stops growing at 0x10000.

/// `text` as the nearest `f64` (ties to even), by the grammar of `str::parse::<f64>`:
/// an optional sign, then `inf`, `infinity` or `nan` (any case), or digits with an optional
/// `.` (a digit on at least one side) and an optional exponent (`e`/`E`, optional sign,
/// digits). `None` for anything else (std's `Err`).
///
/// The core's own unit tests take the browser's reader too, so that everything they check
/// natively (the JSON reader against serde_json, typed inputs, judgements, rates) also
/// checks [`small`] as the browser runs it; other crates and the integration tests get std's.
pub(crate) fn parse(text: &str) -> Option<f64> {
    #[cfg(any(target_arch = "wasm32", test))]
    return small(text);
    #[cfg(not(any(target_arch = "wasm32", test)))]
    text.parse().ok()
}

/// Significant digits kept: beyond 767 a double's rounding cannot depend on more than whether
/// any later digit is non-zero (kept as one more digit 1).
const KEEP: usize = 800;

/// The table-free reader (see the module docs): what [`parse`] is in wasm.
#[cfg_attr(not(any(target_arch = "wasm32", test)), allow(dead_code))]
pub(crate) fn small(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let (negative, rest) = match bytes.first() {
        Some(b'-') => (true, bytes.get(1..)?),
        Some(b'+') => (false, bytes.get(1..)?),
        _ => (false, bytes),
    };
    let magnitude = if rest
        .first()
        .is_some_and(|b| b.is_ascii_digit() || *b == b'.')
    {
        decimal(rest)?
    } else {
        special(rest)?
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// `inf`, `infinity`, `nan` in any case.
fn special(rest: &[u8]) -> Option<f64> {
    let lower = rest.to_ascii_lowercase();
    match lower.as_slice() {
        b"inf" | b"infinity" => Some(f64::INFINITY),
        b"nan" => Some(f64::NAN),
        _ => None,
    }
}

/// Digits, an optional fraction and exponent, without a sign.
fn decimal(rest: &[u8]) -> Option<f64> {
    // The significant digits (leading zeros dropped), at most KEEP of them plus a sticky 1,
    // and the power of ten of the first digit's place: value = 0.d1d2… × 10^point.
    let mut digits: Vec<u8> = Vec::new();
    let mut point: i64 = 0;
    let mut seen_digit = false;
    let mut in_fraction = false;
    let mut i = 0;
    while let Some(&b) = rest.get(i) {
        match b {
            b'0'..=b'9' => {
                seen_digit = true;
                if digits.is_empty() && b == b'0' {
                    if in_fraction {
                        point -= 1;
                    }
                } else {
                    if !in_fraction {
                        point += 1;
                    }
                    if digits.len() < KEEP {
                        digits.push(b - b'0');
                    } else if b != b'0' && digits.len() == KEEP {
                        digits.push(1);
                    }
                }
            }
            b'.' if !in_fraction => in_fraction = true,
            _ => break,
        }
        i += 1;
    }
    if !seen_digit {
        return None;
    }
    if let Some(b'e' | b'E') = rest.get(i) {
        i += 1;
        let negative = match rest.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        let mut exp: i64 = 0;
        while let Some(&d @ b'0'..=b'9') = rest.get(i) {
            // std's rule exactly: the exponent stops growing once it reaches 0x10000 (so a
            // numeral of ≥ 650 000 digits with a matching exponent reads as std reads it).
            if exp < 0x10000 {
                exp = exp * 10 + i64::from(d - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        point += if negative { -exp } else { exp };
    }
    if i != rest.len() {
        return None;
    }
    // Trailing zeros are not significant.
    while digits.last() == Some(&0) {
        digits.pop();
    }
    if digits.is_empty() || point < -330 {
        // Below 10^-330 (< half the smallest subnormal): zero.
        return Some(0.0);
    }
    if point > 310 {
        return Some(f64::INFINITY);
    }
    // value = D × 10^e, D the digits as an integer.
    let e = point - digits.len() as i64;
    if let Some(x) = fast(&digits, e) {
        return Some(x);
    }
    Some(slow(&digits, e))
}

/// Clinger's fast path: D and 10^|e| both exact doubles, so one IEEE operation rounds once.
fn fast(digits: &[u8], e: i64) -> Option<f64> {
    if digits.len() > 15 || !(-22..=22).contains(&e) {
        return None;
    }
    let d = digits.iter().fold(0u64, |n, &x| n * 10 + u64::from(x));
    // 10^k for k <= 22 is exact: every product below is.
    let mut p = 1.0f64;
    for _ in 0..e.unsigned_abs() {
        p *= 10.0;
    }
    #[allow(clippy::cast_precision_loss)]
    let d = d as f64;
    Some(if e < 0 { d / p } else { d * p })
}

/// D × 10^e for any D and e in range: the quotient's first 64 bits by long division, then
/// rounding half to even at the double's precision (fewer bits for subnormals).
fn slow(digits: &[u8], e: i64) -> f64 {
    let mut num = Big::from_digits(digits);
    let mut den = Big::one();
    if e >= 0 {
        num.mul_pow10(e.unsigned_abs());
    } else {
        den.mul_pow10(e.unsigned_abs());
    }
    // Scale so that den <= num < 2 den: then the value is in [2^p, 2^(p+1)).
    let mut p = i64::from(num.bits()) - i64::from(den.bits());
    if p >= 0 {
        den.shl(p.unsigned_abs());
    } else {
        num.shl(p.unsigned_abs());
    }
    if num.lt(&den) {
        num.shl(1);
        p -= 1;
    }
    // 64 quotient bits, the first one 1; the remainder says whether anything follows.
    let mut q: u64 = 0;
    for _ in 0..64 {
        q <<= 1;
        if !num.lt(&den) {
            num.sub(&den);
            q |= 1;
        }
        num.shl(1);
    }
    let sticky = !num.is_zero();
    // value = q × 2^(p - 63): keep 53 bits (fewer below 2^-1022).
    let shift = if p >= -1022 { 11 } else { 11 + (-1022 - p) };
    let (mut m, rem, half) = if shift >= 128 {
        (0u128, u128::from(q), u128::MAX)
    } else {
        let q = u128::from(q);
        let half = 1u128 << (shift - 1);
        (q >> shift, q & ((half << 1) - 1), half)
    };
    if rem > half || (rem == half && (sticky || m & 1 == 1)) {
        m += 1;
    }
    if p < -1022 {
        // A subnormal: the bits are the mantissa (2^52 after rounding up is the smallest
        // normal number, which these bits also encode).
        #[allow(clippy::cast_possible_truncation)]
        return f64::from_bits(m as u64);
    }
    if m == 1 << 53 {
        m >>= 1;
        p += 1;
    }
    if p > 1023 {
        return f64::INFINITY;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let bits = ((p + 1023) as u64) << 52 | (m as u64 & ((1 << 52) - 1));
    f64::from_bits(bits)
}

/// A non-negative big integer, 32-bit limbs, least significant first, no leading zero limbs.
struct Big(Vec<u32>);

impl Big {
    fn one() -> Big {
        Big(vec![1])
    }

    fn from_digits(digits: &[u8]) -> Big {
        let mut n = Big(Vec::new());
        for chunk in digits.chunks(9) {
            let mut scale = 1u32;
            let mut add = 0u32;
            for &d in chunk {
                scale *= 10;
                add = add * 10 + u32::from(d);
            }
            n.mul_add(scale, add);
        }
        n
    }

    /// self = self × m + a.
    fn mul_add(&mut self, m: u32, a: u32) {
        let mut carry = u64::from(a);
        for limb in &mut self.0 {
            let x = u64::from(*limb) * u64::from(m) + carry;
            #[allow(clippy::cast_possible_truncation)]
            {
                *limb = x as u32;
            }
            carry = x >> 32;
        }
        if carry != 0 {
            #[allow(clippy::cast_possible_truncation)]
            self.0.push(carry as u32);
        }
    }

    fn mul_pow10(&mut self, mut k: u64) {
        while k >= 9 {
            self.mul_add(1_000_000_000, 0);
            k -= 9;
        }
        #[allow(clippy::cast_possible_truncation)]
        self.mul_add(10u32.pow(k as u32), 0);
    }

    fn bits(&self) -> u32 {
        match self.0.last() {
            None => 0,
            #[allow(clippy::cast_possible_truncation)]
            Some(top) => (self.0.len() as u32 - 1) * 32 + (32 - top.leading_zeros()),
        }
    }

    fn shl(&mut self, k: u64) {
        #[allow(clippy::cast_possible_truncation)]
        let (limbs, bits) = ((k / 32) as usize, (k % 32) as u32);
        if bits > 0 {
            let mut carry = 0u32;
            for limb in &mut self.0 {
                let next = *limb >> (32 - bits);
                *limb = *limb << bits | carry;
                carry = next;
            }
            if carry != 0 {
                self.0.push(carry);
            }
        }
        if limbs > 0 && !self.0.is_empty() {
            self.0.splice(0..0, std::iter::repeat_n(0, limbs));
        }
    }

    fn lt(&self, other: &Big) -> bool {
        if self.0.len() != other.0.len() {
            return self.0.len() < other.0.len();
        }
        self.0.iter().rev().lt(other.0.iter().rev())
    }

    /// self -= other, for other <= self.
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (k, limb) in self.0.iter_mut().enumerate() {
            let x = i64::from(*limb) - i64::from(other.0.get(k).copied().unwrap_or(0)) - borrow;
            borrow = i64::from(x < 0);
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            {
                *limb = (x + (borrow << 32)) as u32;
            }
        }
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn same(text: &str) {
        let want = text.parse::<f64>().ok().map(f64::to_bits);
        let got = small(text).map(f64::to_bits);
        assert_eq!(got, want, "text: {text:?}");
    }

    /// The exact decimal expansion of a double, as (digits, power of ten of the last digit).
    fn exact(x: f64) -> (Vec<u8>, i64) {
        let s = format!("{x:.1100e}");
        let (mantissa, exp) = s.split_once('e').unwrap();
        let digits: Vec<u8> = mantissa
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        let exp: i64 = exp.parse().unwrap();
        (digits.clone(), exp - (digits.len() as i64 - 1))
    }

    /// The exact midpoint of two adjacent positive doubles, as decimal text.
    fn midpoint(x: f64) -> String {
        let y = f64::from_bits(x.to_bits() + 1);
        let ((a, ea), (b, eb)) = (exact(x), exact(y));
        // Align both to the smaller power of ten, add, halve (digit arithmetic, most
        // significant first), and append the power.
        let e = ea.min(eb);
        let pad = |mut d: Vec<u8>, ed: i64| {
            d.extend(std::iter::repeat_n(0, (ed - e) as usize));
            d
        };
        let (a, b) = (pad(a, ea), pad(b, eb));
        let n = a.len().max(b.len()) + 1;
        let at = |d: &Vec<u8>, k: usize| if k < d.len() { d[d.len() - 1 - k] } else { 0 };
        let mut sum = vec![0u8; n];
        let mut carry = 0;
        for k in 0..n {
            let s = at(&a, k) + at(&b, k) + carry;
            sum[n - 1 - k] = s % 10;
            carry = s / 10;
        }
        // Halve: append a 0 digit first so that the result stays exact (x.5 → x5 / 10).
        sum.push(0);
        let mut half = Vec::with_capacity(sum.len());
        let mut r = 0;
        for d in sum {
            let v = r * 10 + d;
            half.push(v / 2);
            r = v % 2;
        }
        let text: String = half.iter().map(|d| char::from(b'0' + d)).collect();
        format!("{}e{}", text.trim_start_matches('0'), e - 1)
    }

    /// Just above and just below a midpoint written as `digits e power` (it ends in 5).
    fn around(mid: &str) -> [String; 2] {
        let (head, exp) = mid.split_once('e').unwrap();
        let exp: i64 = exp.parse().unwrap();
        let above = format!("{head}{}1e{}", "0".repeat(20), exp - 21);
        let head = head.trim_end_matches('0');
        let below = format!(
            "{}4{}e{}",
            &head[..head.len() - 1],
            "9".repeat(20),
            exp - 20 + (mid.split_once('e').unwrap().0.len() - head.len()) as i64
        );
        [above, below]
    }

    /// std stops growing an exponent at 0x10000, so a long numeral whose exponent cancels its
    /// length does not read as its value (the review's cases: std gives `inf`, `0`, `inf`,
    /// where the value is 1, 1 and 0.111…); the browser's reader must read them the same.
    #[test]
    fn long_numerals_with_large_exponents_as_std() {
        let zeros = "0".repeat(1_000_000);
        same(&format!("1{zeros}e-1000000"));
        same(&format!("0.{zeros}1e1000001"));
        same(&format!("{}e-700000", "1".repeat(700_000)));
        same(&format!("1{zeros}e-65535"));
        same("1e65535");
        same("1e-65536");
        same("0e999999999999999999999");
    }

    #[test]
    fn edge_cases_as_std() {
        for text in [
            "",
            "+",
            "-",
            ".",
            "e5",
            "1e",
            "1e+",
            "1.e5",
            ".5",
            "5.",
            "+.5",
            "-0",
            "0",
            "00",
            "0.0e-999999999999999",
            "1e999999999999999999999",
            "1e-999999999999999999999",
            "inf",
            "-inf",
            "+Infinity",
            "INF",
            "nan",
            "NaN",
            "-nan",
            "infin",
            "in",
            "1x",
            "1..2",
            "1e5.5",
            " 1",
            "1 ",
            "1_000",
            "0x10",
            "1e+5",
            "1E-5",
            "9007199254740993",
            "9007199254740992",
            "18446744073709551616",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "2e308",
            "4.9e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "123456789012345678901234567890e-50",
            "0.1",
            "0.3",
            "1e23",
            "8.98846567431158e307",
            "4.940656458412465441765687928682213723651e-324",
            "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124",
            "1.00000000000000011102230246251565404236316680908203126",
        ] {
            same(text);
        }
        let zeros = "0".repeat(900);
        same(&format!(
            "1.00000000000000011102230246251565404236316680908203125{zeros}1"
        ));
        same(&format!("0.{zeros}1e900"));
        same(&format!("1{zeros}e-900"));
        same(&format!("{}e-1000", "9".repeat(1200)));
    }

    #[test]
    fn the_midpoints_are_midpoints() {
        // 1 + 2^-53, exactly between 1 and the next double: ties to even (1), just above it
        // rounds up, just below rounds down.
        let mid = midpoint(1.0);
        assert_eq!(
            mid.split_once('e').unwrap().0.trim_end_matches('0'),
            "100000000000000011102230246251565404236316680908203125"
        );
        let [above, below] = around(&mid);
        assert_eq!(small(&mid), Some(1.0));
        assert_eq!(small(&above), Some(f64::from_bits(1.0f64.to_bits() + 1)));
        assert_eq!(small(&below), Some(1.0));
        assert!(below.starts_with("1000000000000000111022302462515654042363166809082031249"));
    }

    #[test]
    fn midpoints_of_powers_of_two_and_subnormals_as_std() {
        for bits in (0..2046u64)
            .map(|k| k << 52)
            .chain(0..64)
            .chain([(1 << 52) - 1])
        {
            let x = f64::from_bits(bits);
            let mid = midpoint(x);
            same(&mid);
            for text in around(&mid) {
                same(&text);
            }
            same(&format!("{x:e}"));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn every_double_as_std(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            same(&format!("{x}"));
            same(&format!("{x:e}"));
            same(&format!("{x:.17e}"));
            same(&format!("{x:.3e}"));
            if x.is_finite() && x > 0.0 && bits & 1 == 0 {
                let mid = midpoint(x);
                same(&mid);
                // Just above and just below the midpoint.
                for text in around(&mid) {
                    same(&text);
                }
            }
        }

        #[test]
        fn random_texts_as_std(text in r"[+-]?[0-9]{0,30}(\.[0-9]{0,30})?([eE][+-]?[0-9]{0,4})?") {
            same(&text);
        }

        #[test]
        fn random_junk_as_std(text in r"[+\-0-9.eEinfatyINFATY ]{0,12}") {
            same(&text);
        }
    }
}
