//! What `score` writes per initiative, in each format: the explained forms (table, JSON)
//! from a [`Score`], and the compact rows (CSV, NDJSON) either from a [`Score`] or straight
//! from the batch path's [`RowScore`] and points, without allocating.

use std::fmt::Write as _;

use civic_value::{Initiative, RowScore, Rubric, Score};
use clap::ValueEnum;
use serde::Serialize;

use crate::table;
use crate::text::no_negative_zero;

/// Output format of `score`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A readable breakdown per initiative.
    Table,
    /// A JSON array with one explained object per initiative.
    Json,
    /// One CSV row per initiative, with the points of every criterion.
    Csv,
    /// One JSON object per line with the fields of the CSV row (`points` by criterion id).
    Ndjson,
}

impl Format {
    /// Whether the batch path can write this format (no per-criterion explanation).
    pub(crate) fn compact(self) -> bool {
        matches!(self, Self::Csv | Self::Ndjson)
    }

    /// What goes between two initiatives.
    pub(crate) fn separator(self) -> &'static [u8] {
        match self {
            Self::Table => b"\n",
            Self::Json => b",\n",
            Self::Csv | Self::Ndjson => b"",
        }
    }
}

/// One initiative's result in the JSON output.
#[derive(Serialize)]
pub(crate) struct Scored<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(flatten)]
    score: &'a Score,
}

/// The fields of a compact row.
pub(crate) struct Row<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub total: f64,
    pub band: &'a str,
    pub low: f64,
    pub high: f64,
    pub knocked_out: bool,
}

/// Writes initiatives in one format; holds a scratch buffer for numbers.
pub(crate) struct Writer<'r> {
    rubric: &'r Rubric,
    format: Format,
    lang: &'r str,
    scratch: String,
}

/// The CSV header: `id,name,total,band,low,high,knocked_out,points_<criterion>…`.
pub(crate) fn csv_header(rubric: &Rubric) -> Vec<u8> {
    let mut out = b"id,name,total,band,low,high,knocked_out".to_vec();
    for c in rubric.criteria() {
        out.extend_from_slice(b",points_");
        csv_field(&mut out, c.id().as_bytes());
    }
    out.push(b'\n');
    out
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(out: &mut Vec<u8>, field: &[u8]) {
    if field
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push(b'"');
        for &b in field {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field);
    }
}

/// `x` in the form of Rust's `Display` (no exponent, no `.0` on whole numbers), never
/// `-0`, with ryu's shortest round-trip digits (several times faster than `Display`; the
/// two may pick different last digits when two shortest texts are equally close). Falls
/// back to `Display` where ryu would use an exponent.
fn display_number(out: &mut Vec<u8>, scratch: &mut String, x: f64) {
    let x = no_negative_zero(x);
    if x.is_finite() {
        let mut buffer = ryu::Buffer::new();
        let s = buffer.format_finite(x);
        if !s.contains('e') {
            out.extend_from_slice(s.strip_suffix(".0").unwrap_or(s).as_bytes());
            return;
        }
    }
    scratch.clear();
    let _ = write!(scratch, "{x}");
    out.extend_from_slice(scratch.as_bytes());
}

/// A JSON string.
fn json_string(out: &mut Vec<u8>, s: &str) {
    let _ = serde_json::to_writer(&mut *out, s);
}

impl<'r> Writer<'r> {
    pub(crate) fn new(rubric: &'r Rubric, format: Format, lang: &'r str) -> Self {
        Self {
            rubric,
            format,
            lang,
            scratch: String::new(),
        }
    }

    /// A number (the shortest text that reads back the same), never `-0`.
    fn number(&mut self, out: &mut Vec<u8>, x: f64) {
        display_number(out, &mut self.scratch, x);
    }

    /// A number in JSON (`null` if it is not finite).
    fn json_number(out: &mut Vec<u8>, x: f64) {
        let _ = serde_json::to_writer(&mut *out, &no_negative_zero(x));
    }

    /// One compact row (CSV or NDJSON) with the points of every criterion, in rubric order.
    pub(crate) fn row(&mut self, out: &mut Vec<u8>, row: &Row<'_>, points: &[f64]) {
        match self.format {
            Format::Csv => {
                csv_field(out, row.id.as_bytes());
                out.push(b',');
                csv_field(out, row.name.as_bytes());
                out.push(b',');
                self.number(out, row.total);
                out.push(b',');
                csv_field(out, row.band.as_bytes());
                out.push(b',');
                self.number(out, row.low);
                out.push(b',');
                self.number(out, row.high);
                out.extend_from_slice(if row.knocked_out { b",true" } else { b",false" });
                for &p in points {
                    out.push(b',');
                    self.number(out, p);
                }
                out.push(b'\n');
            }
            Format::Ndjson => {
                out.extend_from_slice(b"{\"id\":");
                json_string(out, row.id);
                out.extend_from_slice(b",\"name\":");
                json_string(out, row.name);
                out.extend_from_slice(b",\"total\":");
                Self::json_number(out, row.total);
                out.extend_from_slice(b",\"band\":");
                if row.band.is_empty() {
                    out.extend_from_slice(b"null");
                } else {
                    json_string(out, row.band);
                }
                out.extend_from_slice(b",\"low\":");
                Self::json_number(out, row.low);
                out.extend_from_slice(b",\"high\":");
                Self::json_number(out, row.high);
                out.extend_from_slice(if row.knocked_out {
                    b",\"knocked_out\":true,\"points\":{"
                } else {
                    b",\"knocked_out\":false,\"points\":{"
                });
                for (i, (c, &p)) in self.rubric.criteria().iter().zip(points).enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    json_string(out, c.id());
                    out.push(b':');
                    Self::json_number(out, p);
                }
                out.extend_from_slice(b"}}\n");
            }
            Format::Table | Format::Json => {}
        }
    }

    /// One initiative scored by the general path, in any format.
    pub(crate) fn scored(&mut self, out: &mut Vec<u8>, initiative: &Initiative, s: &Score) {
        match self.format {
            Format::Table => {
                let mut text = String::new();
                table::write(&mut text, self.rubric, initiative, s, self.lang);
                out.extend_from_slice(text.as_bytes());
            }
            Format::Json => {
                let item = Scored {
                    id: &initiative.id,
                    name: &initiative.name,
                    score: s,
                };
                // Indented as an element of the array the items make together.
                let text = serde_json::to_string_pretty(&item).unwrap_or_default();
                out.extend_from_slice(b"  ");
                out.extend_from_slice(text.replace('\n', "\n  ").as_bytes());
            }
            Format::Csv | Format::Ndjson => {
                let points: Vec<f64> = s.criteria.iter().map(|c| c.points).collect();
                let row = Row {
                    id: &initiative.id,
                    name: &initiative.name,
                    total: s.total,
                    band: s.band.as_deref().unwrap_or(""),
                    low: s.interval.low,
                    high: s.interval.high,
                    knocked_out: s.knocked_out,
                };
                self.row(out, &row, &points);
            }
        }
    }

    /// A row of the batch path.
    pub(crate) fn batch_row(
        &mut self,
        out: &mut Vec<u8>,
        id: &str,
        name: &str,
        r: &RowScore,
        points: &[f64],
    ) {
        let band = self.rubric.band_for(r.total).map_or("", |b| b.id());
        let row = Row {
            id,
            name,
            total: r.total,
            band,
            low: r.low,
            high: r.high,
            knocked_out: r.knocked_out,
        };
        self.row(out, &row, points);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every number reads back to the same bits, in `Display`'s form (checked on special
    /// values and on 200 000 pseudo-random bit patterns and decimals); the values that
    /// usually occur print exactly as `Display` prints them.
    #[test]
    fn numbers_read_back_the_same() {
        let text = |x: f64| {
            let (mut out, mut scratch) = (Vec::new(), String::new());
            display_number(&mut out, &mut scratch, x);
            String::from_utf8(out).unwrap_or_default()
        };
        let check = |x: f64| {
            let s = text(x);
            assert!(!s.contains('e') && !s.ends_with(".0") && s != "-0", "{s}");
            let back: f64 = s.parse().unwrap_or(f64::NAN);
            assert!(
                back.to_bits() == (x + 0.0).to_bits() || x.is_nan(),
                "{x:e} → {s}"
            );
        };
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            9.0,
            100.0,
            0.1,
            1e15,
            1e16,
            1e21,
            1e-5,
            1e-7,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            80.86450325003561,
            3.0000000000000004,
        ] {
            check(x);
            assert_eq!(text(x), format!("{}", x + 0.0));
        }
        assert_eq!(text(f64::NAN), "NaN");
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        for i in 0..200_000u32 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = f64::from_bits(state);
            if x.is_finite() {
                check(x);
            }
            check(f64::from(i) / 7.0);
            assert_eq!(text(f64::from(i) / 8.0), format!("{}", f64::from(i) / 8.0));
        }
    }
}
