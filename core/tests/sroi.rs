//! Monetised value (SROI): hand-derived multi-year examples (the arithmetic is in the
//! comments and written out as plain expressions, independent of the engine's loop), the
//! presets, the rubric's proxy table, bad input, and the laws of the chain.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use approx::assert_relative_eq;
use civic_value::analysis::discount::Discount;
use civic_value::analysis::sroi::{Outcome, Parameter, sensitivity, sroi};
use civic_value::{Inputs, Rubric};
use proptest::prelude::*;

fn outcome(quantity: f64, proxy: f64, duration: u32) -> Outcome {
    Outcome {
        name: None,
        quantity,
        proxy,
        deadweight: 0.0,
        displacement: 0.0,
        attribution: 0.0,
        drop_off: 0.0,
        duration,
    }
}

/// One outcome over three years with every deduction, at a round 20 % rate.
///
/// gross = 100 × 10 = 1000; net = 1000 × 0.8 × 0.9 × 0.5 = 360;
/// values with 50 % drop-off: 360, 180, 90;
/// discounted at 20 %: 360/1.2 = 300, 180/1.44 = 125, 90/1.728 = 52.083333…;
/// PV = 477.083333…; investment 400: NPV = 77.083333…, ratio = 1.192708333…,
/// net ratio = 0.192708333…; cumulative 300, 425, 477.08…: the investment is reached in
/// year 2, 100 of its 125 into it: payback = 1 + 100/125 = 1.8 years.
#[test]
fn three_years_with_drop_off_and_every_deduction() {
    let o = Outcome {
        deadweight: 0.2,
        displacement: 0.1,
        attribution: 0.5,
        drop_off: 0.5,
        ..outcome(100.0, 10.0, 3)
    };
    let r = sroi(&[o], 400.0, &Discount::rate(0.2).unwrap()).unwrap();
    let pv = 300.0 + 125.0 + 90.0 / 1.728;
    assert_relative_eq!(r.present_value, pv, max_relative = 1e-14);
    assert_relative_eq!(r.npv, pv - 400.0, max_relative = 1e-13);
    assert_relative_eq!(r.ratio, pv / 400.0, max_relative = 1e-14);
    assert_relative_eq!(r.net_ratio, (pv - 400.0) / 400.0, max_relative = 1e-13);
    assert_relative_eq!(r.payback_years.unwrap(), 1.8, max_relative = 1e-14);
    let rows: Vec<(u32, f64, f64, f64)> = r
        .table
        .iter()
        .map(|y| (y.year, y.gross, y.net, y.value))
        .collect();
    assert_eq!(
        rows,
        vec![
            (1, 1000.0, 360.0, 360.0),
            (2, 1000.0, 360.0, 180.0),
            (3, 1000.0, 360.0, 90.0)
        ]
    );
    // The waterfall: 3 000 gross; deadweight −600 (20 %), displacement −240 (10 % of 2 400),
    // attribution −1 080 (half of 2 160) → 1 080 net; drop-off −450 (1 080 − 630);
    // discounting 630 − PV.
    let steps: Vec<(&str, f64)> = r
        .waterfall
        .iter()
        .map(|s| (s.step.as_str(), s.amount))
        .collect();
    let want = [
        ("gross", 3000.0),
        ("deadweight", -600.0),
        ("displacement", -240.0),
        ("attribution", -1080.0),
        ("drop_off", -450.0),
        ("discounting", pv - 630.0),
        ("present_value", pv),
    ];
    for ((step, amount), (want_step, want_amount)) in steps.iter().zip(want) {
        assert_eq!(*step, want_step);
        assert_relative_eq!(*amount, want_amount, max_relative = 1e-12);
    }
}

/// Two outcomes at the Dutch MKBA rate of 2.25 %.
///
/// A: 1 000 × 2.5 = 2 500 gross, 10 % deadweight → 2 250 net, 20 % drop-off, 2 years:
///    2 250/1.0225 + 1 800/1.0225²;
/// B: 10 × 100 = 1 000 gross, 30 % attribution → 700, 1 year: 700/1.0225.
/// Investment 5 000: cumulative after year 1 = (2 250 + 700)/1.0225 = 2 885.085…, after
/// year 2 it adds 1 800/1.0225² = 1 721.65…: 4 606.7… < 5 000, so no payback.
#[test]
fn two_outcomes_under_the_dutch_preset() {
    let a = Outcome {
        name: Some("a".into()),
        deadweight: 0.1,
        drop_off: 0.2,
        ..outcome(1000.0, 2.5, 2)
    };
    let b = Outcome {
        name: Some("b".into()),
        attribution: 0.3,
        ..outcome(10.0, 100.0, 1)
    };
    let d = Discount::preset("nl-mkba-2021").unwrap();
    let r = sroi(&[a, b], 5000.0, &d).unwrap();
    let pv = 2250.0 / 1.0225 + 1800.0 / (1.0225 * 1.0225) + 700.0 / 1.0225;
    assert_relative_eq!(r.present_value, pv, max_relative = 1e-14);
    assert_relative_eq!(r.ratio, pv / 5000.0, max_relative = 1e-14);
    assert_eq!(r.payback_years, None);
    assert_relative_eq!(r.cumulative[0], 2950.0 / 1.0225, max_relative = 1e-14);
    assert_eq!(r.discount.name, "nl-mkba-2021");
    assert_eq!(r.table.len(), 3);
    assert_eq!(r.table[2].outcome, "b");
}

/// The UK Green Book's step at year 30: 1 000 a year for 32 years.
///
/// Years 1–30 at 3.5 %: Σ 1000·v^t = 1000 · (1 − v^30)/0.035 with v = 1/1.035 (the annuity
/// formula); years 31 and 32 at 3.0 % on top: 1000 · v^30/1.03 and 1000 · v^30/1.03².
#[test]
fn green_book_steps_down_after_year_thirty() {
    let d = Discount::preset("uk-green-book-2022").unwrap();
    let r = sroi(&[outcome(1.0, 1000.0, 32)], 10_000.0, &d).unwrap();
    let v30 = 1.035_f64.powi(-30);
    let pv = 1000.0 * (1.0 - v30) / 0.035 + 1000.0 * v30 / 1.03 + 1000.0 * v30 / (1.03 * 1.03);
    assert_relative_eq!(r.present_value, pv, max_relative = 1e-12);
    // Payback: 10 000 is reached in year 13 (annuity factor a(12) = 9.663 after 12 years,
    // a(13) = 10.303 after 13): 12 + (10 000 − 1000·a(12)) / (1000·v^13) ≈ 12.53.
    let a = |n: i32| (1.0 - 1.035_f64.powi(-n)) / 0.035;
    let want = 12.0 + (10_000.0 - 1000.0 * a(12)) / (1000.0 * 1.035_f64.powi(-13));
    assert_relative_eq!(r.payback_years.unwrap(), want, max_relative = 1e-12);
}

#[test]
fn a_term_structure_discounts_year_by_year() {
    // 5 % for years 1–2, then 10 %: 100/1.05 + 100/1.05² + 100/(1.05²·1.1).
    let d = Discount::terms(&[(2, 0.05), (10, 0.10)]).unwrap();
    let r = sroi(&[outcome(1.0, 100.0, 3)], 100.0, &d).unwrap();
    let pv = 100.0 / 1.05 + 100.0 / 1.1025 + 100.0 / (1.1025 * 1.1);
    assert_relative_eq!(r.present_value, pv, max_relative = 1e-14);
}

#[test]
fn bad_input_names_the_row_and_field() {
    let d = Discount::rate(0.0).unwrap();
    let cases: Vec<(Outcome, &str, &str)> = vec![
        (
            Outcome {
                deadweight: 1.5,
                ..outcome(1.0, 1.0, 1)
            },
            "input.not_a_fraction",
            "outcomes[1].deadweight",
        ),
        (
            Outcome {
                drop_off: -0.1,
                ..outcome(1.0, 1.0, 1)
            },
            "input.not_a_fraction",
            "outcomes[1].drop_off",
        ),
        (
            outcome(-3.0, 1.0, 1),
            "input.negative",
            "outcomes[1].quantity",
        ),
        (outcome(3.0, -1.0, 1), "input.negative", "outcomes[1].proxy"),
        (
            outcome(f64::NAN, 1.0, 1),
            "input.not_finite",
            "outcomes[1].quantity",
        ),
        (
            outcome(1.0, 1.0, 0),
            "input.invalid_duration",
            "outcomes[1].duration",
        ),
    ];
    for (bad, code, path) in cases {
        let e = sroi(&[outcome(1.0, 1.0, 1), bad], 10.0, &d).unwrap_err();
        assert_eq!((e.code(), e.path()), (code, path), "{e}");
    }
    let e = sroi(&[outcome(1.0, 1.0, 1)], 0.0, &d).unwrap_err();
    assert_eq!(e.code(), "input.no_investment");
    assert!(e.to_string().contains("no SROI ratio"), "{e}");
    assert_eq!(
        sroi(&[outcome(1.0, 1.0, 1)], -5.0, &d).unwrap_err().code(),
        "input.negative"
    );
}

/// Sensitivity: with one outcome the default ends are the value × 0.5 and × 1.5.
/// Deadweight 0.2 → 0.1 and 0.3: net 90 % or 70 % of gross instead of 80 %, so at rate 0
/// the ratio moves from 1000·0.8/400 = 2 to 2.25 and 1.75.
#[test]
fn sensitivity_moves_each_parameter_to_its_ends() {
    let o = Outcome {
        deadweight: 0.2,
        ..outcome(100.0, 10.0, 1)
    };
    let d = Discount::rate(0.0).unwrap();
    let rows = sensitivity(std::slice::from_ref(&o), 400.0, &d, &[]).unwrap();
    let dw = rows
        .iter()
        .find(|r| r.parameter == Parameter::Deadweight)
        .unwrap();
    assert_relative_eq!(dw.ratio, 2.0);
    assert_relative_eq!(dw.low.unwrap(), 0.1);
    assert_relative_eq!(dw.ratio_low, 2.25, max_relative = 1e-14);
    assert_relative_eq!(dw.ratio_high, 1.75, max_relative = 1e-14);
    // Attribution 0 stays 0 at both ends: no change.
    let attr = rows
        .iter()
        .find(|r| r.parameter == Parameter::Attribution)
        .unwrap();
    assert_eq!((attr.ratio_low, attr.ratio_high), (2.0, 2.0));
    // Given ends: drop-off has no effect on a one-year outcome; a 50 % discount rate
    // halves the ratio's 1000·0.8/1.5/400 = 1.3333….
    let rows = sensitivity(&[o], 400.0, &d, &[(Parameter::DiscountRate, 0.0, 0.5)]).unwrap();
    let rate = rows
        .iter()
        .find(|r| r.parameter == Parameter::DiscountRate)
        .unwrap();
    assert_eq!(rate.rule, "given");
    assert_relative_eq!(rate.ratio_high, 800.0 / 1.5 / 400.0, max_relative = 1e-14);
}

/// The built-in rubric's illustrative proxy table with the Oosterspoorbaan inputs:
/// volunteering: 3 250 h (the middle of 2 500..4 000) × €14.06 = €45 695 gross a year,
/// × 0.9 (deadweight) × 0.75 (attribution) = €30 844.125 net, 10 % drop-off, 3 years;
/// greening: 18 000 m² × €3 = €54 000, × 0.95 × 0.9 = €46 170 net, 2 % drop-off, 15 years;
/// all at 2.25 % against the €180 000 municipal contribution.
#[test]
fn the_builtin_rubric_monetises_the_oosterspoorbaan() {
    let rubric = Rubric::builtin();
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/oosterspoorbaan.json"
    ))
    .unwrap();
    let initiative: civic_value::Initiative = serde_json::from_str(&text).unwrap();
    let m = rubric.monetise(&initiative.inputs, None, None).unwrap();
    let pv_of = |net: f64, drop: f64, years: i32| -> f64 {
        (1..=years)
            .map(|t| net * (1.0 - drop).powi(t - 1) / 1.0225_f64.powi(t))
            .sum()
    };
    let pv = pv_of(30_844.125, 0.1, 3) + pv_of(46_170.0, 0.02, 15);
    assert_relative_eq!(m.sroi.present_value, pv, max_relative = 1e-12);
    assert_eq!(m.sroi.investment, 180_000.0);
    assert_eq!(m.investment_source, "municipal_contribution");
    assert_relative_eq!(m.sroi.ratio, pv / 180_000.0, max_relative = 1e-12);
    assert_eq!(m.currency, "EUR");
    assert_eq!(m.sroi.discount.name, "rubric");
    // The range 2 500..4 000 h gives the interval of the present value.
    let low = pv_of(2500.0 * 14.06 * 0.675, 0.1, 3) + pv_of(46_170.0, 0.02, 15);
    let high = pv_of(4000.0 * 14.06 * 0.675, 0.1, 3) + pv_of(46_170.0, 0.02, 15);
    assert_relative_eq!(m.present_value_interval.low, low, max_relative = 1e-12);
    assert_relative_eq!(m.present_value_interval.high, high, max_relative = 1e-12);
    // An explicit investment and discount win over the rubric's.
    let uk = Discount::preset("uk-green-book-2022").unwrap();
    let m = rubric
        .monetise(&initiative.inputs, Some(100_000.0), Some(&uk))
        .unwrap();
    assert_eq!(m.investment_source, "given");
    assert_eq!(m.sroi.discount.name, "uk-green-book-2022");
}

#[test]
fn monetise_needs_proxies_and_an_investment() {
    let rubric = Rubric::builtin();
    let e = rubric
        .monetise(
            &Inputs::from_json(r#"{"volunteer_hours": 10}"#).unwrap(),
            None,
            None,
        )
        .unwrap_err();
    assert_eq!(
        (e.code(), e.path()),
        ("input.missing", "input.municipal_contribution")
    );
    let e = rubric
        .monetise(
            &Inputs::from_json(r#"{"volunteer_hours": "lots"}"#).unwrap(),
            Some(10.0),
            None,
        )
        .unwrap_err();
    assert_eq!(e.code(), "input.not_a_number");
    let plain = Rubric::from_toml(
        r#"
id = "plain"
version = "1"
[[themes]]
id = "t"
weight = 1
[[criteria]]
id = "x"
theme = "t"
weight = 1
value_function = { type = "linear", worst = 0, best = 10 }
"#,
    )
    .unwrap();
    let e = plain.monetise(&Inputs::new(), Some(1.0), None).unwrap_err();
    assert_eq!(e.code(), "input.no_monetisation");
}

fn arb_outcome() -> impl Strategy<Value = Outcome> {
    (
        0.0..1e6_f64,
        0.0..1e4_f64,
        0.0..=1.0_f64,
        0.0..=1.0_f64,
        0.0..=1.0_f64,
        0.0..=1.0_f64,
        1..40_u32,
    )
        .prop_map(|(q, p, dw, disp, attr, drop, years)| Outcome {
            name: None,
            quantity: q,
            proxy: p,
            deadweight: dw,
            displacement: disp,
            attribution: attr,
            drop_off: drop,
            duration: years,
        })
}

proptest! {
    /// With no deductions, no drop-off and a zero rate, PV = Σ quantity × proxy × duration.
    #[test]
    fn undiscounted_undeducted_is_gross_times_years(
        outcomes in prop::collection::vec((0.0..1e6_f64, 0.0..1e4_f64, 1..50_u32), 1..6),
    ) {
        let os: Vec<Outcome> = outcomes.iter().map(|&(q, p, y)| outcome(q, p, y)).collect();
        let r = sroi(&os, 1.0, &Discount::rate(0.0).unwrap()).unwrap();
        let want: f64 = outcomes.iter().map(|&(q, p, y)| q * p * f64::from(y)).sum();
        prop_assert!((r.present_value - want).abs() <= 1e-9 * want.max(1.0));
    }

    /// Raising any of the four fractions never raises the present value.
    #[test]
    fn more_deduction_never_more_value(
        o in arb_outcome(),
        which in 0..4_usize,
        more in 0.0..=1.0_f64,
        rate in 0.0..0.2_f64,
    ) {
        let d = Discount::rate(rate).unwrap();
        let mut raised = o.clone();
        let slot = match which {
            0 => &mut raised.deadweight,
            1 => &mut raised.displacement,
            2 => &mut raised.attribution,
            _ => &mut raised.drop_off,
        };
        *slot = (*slot + more).min(1.0);
        let before = sroi(&[o], 1.0, &d).unwrap().present_value;
        let after = sroi(&[raised], 1.0, &d).unwrap().present_value;
        prop_assert!(after <= before, "{after} > {before}");
    }

    /// A longer horizon never lowers the present value.
    #[test]
    fn longer_never_less(o in arb_outcome(), extra in 0..30_u32, rate in 0.0..0.2_f64) {
        let d = Discount::preset("uk-green-book-2022").unwrap();
        let d = if rate > 0.1 { d } else { Discount::rate(rate).unwrap() };
        let mut longer = o.clone();
        longer.duration += extra;
        let short = sroi(&[o], 1.0, &d).unwrap().present_value;
        let long = sroi(&[longer], 1.0, &d).unwrap().present_value;
        prop_assert!(long >= short);
    }

    /// The payback moment agrees with the cumulative table: the investment is reached in
    /// that year and not before, and interpolating the year's value gives it back.
    #[test]
    fn payback_agrees_with_the_cumulative_table(
        outcomes in prop::collection::vec(arb_outcome(), 1..4),
        investment in 1.0..1e8_f64,
        rate in 0.0..0.1_f64,
    ) {
        let r = sroi(&outcomes, investment, &Discount::rate(rate).unwrap()).unwrap();
        match r.payback_years {
            None => prop_assert!(r.cumulative.iter().all(|&c| c < investment)),
            Some(p) => {
                let year = p.ceil().max(1.0) as usize; // 1-based year of payback
                let before = if year >= 2 { r.cumulative[year - 2] } else { 0.0 };
                prop_assert!(before < investment);
                prop_assert!(r.cumulative[year - 1] >= investment);
                let value = r.cumulative[year - 1] - before;
                let interpolated = before + (p - (year - 1) as f64) * value;
                prop_assert!((interpolated - investment).abs() <= 1e-6 * investment);
            }
        }
    }
}
