//! `civic-value sroi`: the monetised value (SROI) of initiatives from the rubric's own
//! proxy table, as a readable table or JSON.

use std::fmt::Write as _;
use std::path::PathBuf;

use civic_value::analysis::discount::Discount;
use civic_value::analysis::monetise::Monetised;
use clap::ValueEnum;
use serde::Serialize;

use crate::Failure;
use crate::load::{InputArgs, collect_initiatives, load_rubric};

#[derive(clap::Args)]
pub(crate) struct SroiArgs {
    /// Rubric file (.json or .toml) with a `monetisation` table; the built-in default
    /// rubric (with its illustrative proxies) when omitted.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    /// Discounting: nl-mkba-2021 (2.25 %), uk-green-book-2022 (3.5 % → 3.0 % → …), or a
    /// rate such as 0.035 or 3.5%. Default: the rubric's own rate.
    #[arg(long, value_name = "PRESET|RATE")]
    discount: Option<String>,
    /// The investment to set the value against, in the rubric's currency. Default: the
    /// input of the criterion the rubric names (the municipal contribution in the default
    /// rubric).
    #[arg(long, value_name = "AMOUNT")]
    investment: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SroiFormat::Table)]
    format: SroiFormat,
    #[command(flatten)]
    input: InputArgs,
    /// Initiative files: JSON (one object or an array) or CSV, as for `score`.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum SroiFormat {
    /// A readable summary per initiative.
    Table,
    /// A JSON array: `{id, name, monetised}` per initiative.
    Json,
}

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    name: &'a str,
    monetised: &'a Monetised,
}

pub(crate) fn sroi(args: &SroiArgs) -> Result<(), Failure> {
    let rubric = load_rubric(args.rubric.as_deref())?;
    let discount = args
        .discount
        .as_deref()
        .map(Discount::parse)
        .transpose()
        .map_err(|e| Failure::Usage(format!("--discount: {}", e.message())))?;
    let (results, problems) = collect_initiatives(&args.inputs, &rubric, &args.input, |i| {
        let m = rubric.monetise(&i.inputs, args.investment, discount.as_ref())?;
        Ok((i, m))
    })?;
    let out = match args.format {
        SroiFormat::Json => {
            let items: Vec<Item<'_>> = results
                .iter()
                .map(|(i, m)| Item {
                    id: &i.id,
                    name: &i.name,
                    monetised: m,
                })
                .collect();
            serde_json::to_string_pretty(&items).unwrap_or_default() + "\n"
        }
        SroiFormat::Table => {
            let mut out = String::new();
            for (k, (initiative, m)) in results.iter().enumerate() {
                if k > 0 {
                    out.push('\n');
                }
                write_table(&mut out, &initiative.name, &initiative.id, m);
            }
            out
        }
    };
    print!("{out}");
    Failure::unless_problems(&problems)
}

/// An amount with thousands separated by a thin space, rounded to whole units.
fn money(currency: &str, x: f64) -> String {
    let symbol = if currency == "EUR" { "€" } else { currency };
    let rounded = x.round() + 0.0;
    let digits = format!("{:.0}", rounded.abs());
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    let sign = if rounded < 0.0 { "−" } else { "" };
    format!("{sign}{symbol}{grouped}")
}

fn write_table(out: &mut String, name: &str, id: &str, m: &Monetised) {
    let s = &m.sroi;
    let c = m.currency.as_str();
    let _ = writeln!(out, "{name} ({id})");
    let _ = writeln!(
        out,
        "  present value {}   investment {} ({})   net present value {}",
        money(c, s.present_value),
        money(c, s.investment),
        m.investment_source,
        money(c, s.npv)
    );
    let payback = s.payback_years.map_or_else(
        || "not within the outcomes' years".to_owned(),
        |p| format!("{p:.1} years"),
    );
    let _ = writeln!(
        out,
        "  ratio {:.2} (value per {c} invested; {})   net ratio {:.2}   payback {payback}",
        s.ratio, s.ratio, s.net_ratio
    );
    if m.present_value_interval.low < m.present_value_interval.high {
        let _ = writeln!(
            out,
            "  present value over the input ranges: {} – {}",
            money(c, m.present_value_interval.low),
            money(c, m.present_value_interval.high)
        );
    }
    let _ = writeln!(out, "  discount: {}", s.discount.description);
    if let (Some(date), Some(source)) = (&s.discount.in_force_from, &s.discount.source) {
        let _ = writeln!(out, "    in force from {date}; source: {source}");
    }
    let _ = writeln!(
        out,
        "  {:<14} {:>12} {:>12} {:>12} {:>6} {:>14}",
        "outcome", "quantity/yr", "gross/yr", "net/yr", "years", "present value"
    );
    for o in &m.outcomes {
        let rows: Vec<_> = s.table.iter().filter(|r| r.outcome == o.id).collect();
        let pv: f64 = rows.iter().map(|r| r.discounted).sum();
        let (gross, net) = rows.first().map_or((0.0, 0.0), |r| (r.gross, r.net));
        let quantity = if o.missing {
            "missing".to_owned()
        } else {
            format!("{}", o.quantity)
        };
        let _ = writeln!(
            out,
            "  {:<14} {:>12} {:>12} {:>12} {:>6} {:>14}",
            o.id,
            quantity,
            money(c, gross),
            money(c, net),
            rows.len(),
            money(c, pv)
        );
    }
    let _ = writeln!(out, "  proxies:");
    for o in &m.outcomes {
        let p = &o.proxy;
        let _ = writeln!(
            out,
            "    {}: {} per {} ({} prices). Source: {}. Licence: {}.",
            p.id,
            money_exact(c, p.value),
            p.unit,
            p.year,
            p.source,
            p.licence
        );
    }
}

/// A proxy value with its cents.
fn money_exact(currency: &str, x: f64) -> String {
    let symbol = if currency == "EUR" { "€" } else { currency };
    format!("{symbol}{x:.2}")
}
