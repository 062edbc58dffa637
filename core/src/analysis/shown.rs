//! What a summary shows: which levers, what counts as a difference in points, and how a
//! path value is rounded for display. The command line's `explain` and `compare`, the web
//! form and the Python package read these rules from here (they travel in the data:
//! [`super::levers::Lever::shown`], [`super::perspectives::CriterionComparison::differs`],
//! [`super::perspectives::Difference::differs`], [`super::path_to_band::PathStep::shown`]),
//! so they never disagree on what they show.

use super::levers::Lever;
use crate::input::InputValue;

/// The smallest difference in points a summary reports: half a hundredth. Every difference
/// reported survives rounding to two decimals; a smaller one would print as `0.00` (or
/// `+0 points`), so it counts as none.
pub const SMALLEST_DIFFERENCE: f64 = 0.005;

/// How many levers a summary shows at most.
pub const TOP_LEVERS: usize = 3;

/// Whether `points` (a gain, a delta, a spread; either sign) is a difference a summary
/// reports: `|points| ≥ 0.005`. `false` for NaN.
pub fn is_difference(points: f64) -> bool {
    points.abs() >= SMALLEST_DIFFERENCE
}

/// Mark the levers a summary shows: of `levers` (highest gain first, as
/// [`crate::Rubric::levers`] sorts them), the first [`TOP_LEVERS`] whose gain is a positive
/// difference ([`is_difference`]). Every other lever's `shown` is set to `false`.
pub fn mark_shown(levers: &mut [Lever]) {
    let mut left = TOP_LEVERS;
    for l in levers {
        l.shown = left > 0 && l.gain > 0.0 && is_difference(l.gain);
        if l.shown {
            left -= 1;
        }
    }
}

/// A path value as a summary prints it: a fractional number rounded to two decimals
/// towards where the path goes (up when it rises from `from`, the current input's position,
/// down when it falls), so the printed value still reaches the band. Whole numbers, values
/// with at most two decimals already, other kinds of input, and a value with no known start
/// are returned unchanged.
pub fn towards(from: Option<f64>, to: &InputValue) -> InputValue {
    match (from, to) {
        (Some(a), InputValue::Number(b)) if b.fract() != 0.0 && b.is_finite() => {
            let scaled = b * 100.0;
            // A value with two decimals already (1.1, whose `× 100` is 110.00000000000001)
            // stays as it is: rounding it would move it a step past where the path goes.
            if (scaled.round() / 100.0).to_bits() == b.to_bits() {
                return to.clone();
            }
            let r = if *b >= a {
                scaled.ceil()
            } else {
                scaled.floor()
            };
            InputValue::Number(r / 100.0)
        }
        _ => to.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lever(gain: f64) -> Lever {
        Lever {
            criterion: format!("c{gain}"),
            gain,
            best: InputValue::Number(1.0),
            per_unit: None,
            total: 50.0 + gain,
            shown: false,
        }
    }

    #[test]
    fn a_difference_is_half_a_hundredth_or_more() {
        assert!(is_difference(0.005));
        assert!(is_difference(-0.005));
        assert!(!is_difference(0.004_999));
        assert!(!is_difference(f64::NAN));
    }

    #[test]
    fn shows_at_most_three_levers_that_make_a_difference() {
        // 0.001 points would print as "+0.00 points": not shown (the old rule, gain > 0,
        // showed it).
        let mut levers: Vec<Lever> = [4.0, 2.0, 0.001, 0.0].into_iter().map(lever).collect();
        mark_shown(&mut levers);
        let shown: Vec<bool> = levers.iter().map(|l| l.shown).collect();
        assert_eq!(shown, [true, true, false, false]);

        let mut levers: Vec<Lever> = [5.0, 4.0, 3.0, 2.0].into_iter().map(lever).collect();
        mark_shown(&mut levers);
        let shown: Vec<bool> = levers.iter().map(|l| l.shown).collect();
        assert_eq!(shown, [true, true, true, false]);
    }

    #[test]
    fn path_values_round_towards_where_they_go() {
        // 63.331 rising from 40 → 63.34 (ceil of 6333.1 / 100); falling from 80 → 63.33.
        assert_eq!(
            towards(Some(40.0), &InputValue::Number(63.331)),
            InputValue::Number(63.34)
        );
        assert_eq!(
            towards(Some(80.0), &InputValue::Number(63.331)),
            InputValue::Number(63.33)
        );
        assert_eq!(
            towards(Some(40.0), &InputValue::Number(63.0)),
            InputValue::Number(63.0)
        );
        assert_eq!(
            towards(None, &InputValue::Number(63.331)),
            InputValue::Number(63.331)
        );
        assert_eq!(
            towards(Some(0.0), &InputValue::Bool(true)),
            InputValue::Bool(true)
        );
        // Found by review: two-decimal values whose × 100 lands a hair off a whole number
        // (1.1 × 100 = 110.00000000000001, 0.07 × 100 = 7.000000000000001, 0.57 × 100 =
        // 56.99999999999999, 2.3 × 100 = 229.99999999999997) printed a step too far (1.11,
        // 0.08, 0.56, 2.29); they are already two decimals and stay as they are.
        for (from, b) in [(0.0, 1.1), (0.0, 0.07), (1.0, 0.57), (3.0, 2.3)] {
            assert_eq!(
                towards(Some(from), &InputValue::Number(b)),
                InputValue::Number(b)
            );
        }
    }
}
