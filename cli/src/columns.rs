//! `score --columns`: which columns the CSV and NDJSON outputs carry, in the order given
//! (`--columns id,total`, `--columns id,total,band`). Without the option every column is
//! written, as before: id, name, total, band, low, high, knocked_out and the points.

use crate::text::{Line, Repeats, push_csv_field, push_number};

/// One output column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    Id,
    Name,
    Total,
    Band,
    Low,
    High,
    KnockedOut,
    /// Every criterion's points: `points_<criterion>` columns in CSV, a `points` object in
    /// NDJSON.
    Points,
}

/// Every column, in the order of the default output.
const ALL: [(Field, &str); 8] = [
    (Field::Id, "id"),
    (Field::Name, "name"),
    (Field::Total, "total"),
    (Field::Band, "band"),
    (Field::Low, "low"),
    (Field::High, "high"),
    (Field::KnockedOut, "knocked_out"),
    (Field::Points, "points"),
];

/// The columns chosen, in order, each at most once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Fields(Vec<Field>);

impl Default for Fields {
    fn default() -> Self {
        Self(ALL.iter().map(|(f, _)| *f).collect())
    }
}

impl Fields {
    /// Read `--columns`: names separated by commas (spaces around them ignored). An error
    /// naming the valid ones for an unknown name, and for a name given twice or none.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let valid = || ALL.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", ");
        let mut fields = Vec::new();
        for name in text.split(',').map(str::trim) {
            let Some((field, _)) = ALL.iter().find(|(_, n)| *n == name) else {
                let shown = format!("{:?}", name.chars().take(40).collect::<String>());
                return Err(if name.is_empty() {
                    format!("an empty column name; valid columns: {}", valid())
                } else {
                    format!("unknown column {shown}; valid columns: {}", valid())
                });
            };
            if fields.contains(field) {
                return Err(format!("column {name} named twice"));
            }
            fields.push(*field);
        }
        Ok(Self(fields))
    }

    /// Whether these are every column in the default order (the default output).
    pub(crate) fn is_all(&self) -> bool {
        *self == Self::default()
    }

    /// Whether a total (and band) per row is all the scoring these columns need: no
    /// interval, knock-out or points.
    pub(crate) fn totals_only(&self) -> bool {
        self.0
            .iter()
            .all(|f| matches!(f, Field::Id | Field::Name | Field::Total | Field::Band))
    }

    /// Whether a row's id or name is written (a row without an `id` cell is named by its
    /// number).
    pub(crate) fn names_a_row(&self) -> bool {
        self.0.iter().any(|f| matches!(f, Field::Id | Field::Name))
    }

    /// Whether these are `id,total`, in that order.
    pub(crate) fn is_id_total(&self) -> bool {
        self.0 == [Field::Id, Field::Total]
    }

    /// Whether the band is written.
    pub(crate) fn has_band(&self) -> bool {
        self.0.contains(&Field::Band)
    }

    /// The CSV header (`points` as a `points_<criterion>` column per criterion).
    pub(crate) fn csv_header<'a>(&self, criteria: impl Iterator<Item = &'a str> + Clone) -> String {
        let mut out = Vec::new();
        for (k, field) in self.0.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            if *field == Field::Points {
                for (j, c) in criteria.clone().enumerate() {
                    if j > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(b"points_");
                    push_csv_field(&mut out, c);
                }
            } else {
                out.extend_from_slice(name(*field).as_bytes());
            }
        }
        out.push(b'\n');
        String::from_utf8(out).unwrap_or_default()
    }

    /// A CSV line of these columns (numbers written as the full line writes them).
    pub(crate) fn csv_line(
        &self,
        out: &mut Vec<u8>,
        repeats: &mut Repeats,
        id: &str,
        name: &str,
        l: &Line<'_>,
    ) {
        for (k, field) in self.0.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            match field {
                Field::Id => push_csv_field(out, id),
                Field::Name => push_csv_field(out, name),
                Field::Total => push_number(out, l.total),
                Field::Band => push_csv_field(out, l.band),
                Field::Low => push_number(out, l.low),
                Field::High => push_number(out, l.high),
                Field::KnockedOut => {
                    out.extend_from_slice(if l.knocked_out { b"true" } else { b"false" });
                }
                Field::Points => {
                    for (j, p) in l.points.iter().enumerate() {
                        if j > 0 {
                            out.push(b',');
                        }
                        repeats.push(out, j, *p);
                    }
                }
            }
        }
        out.push(b'\n');
    }

    /// An NDJSON line of these columns; `keys` are `,"<criterion>":` per criterion and
    /// `json_str` writes a JSON string.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn ndjson_line(
        &self,
        out: &mut Vec<u8>,
        repeats: &mut Repeats,
        keys: &[Vec<u8>],
        json_str: fn(&mut Vec<u8>, &str),
        id: &str,
        name_: &str,
        l: &Line<'_>,
    ) {
        out.push(b'{');
        for (k, field) in self.0.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(name(*field).as_bytes());
            out.extend_from_slice(b"\":");
            match field {
                Field::Id => json_str(out, id),
                Field::Name => json_str(out, name_),
                Field::Total => push_number(out, l.total),
                Field::Band if l.band.is_empty() => out.extend_from_slice(b"null"),
                Field::Band => json_str(out, l.band),
                Field::Low => push_number(out, l.low),
                Field::High => push_number(out, l.high),
                Field::KnockedOut => {
                    out.extend_from_slice(if l.knocked_out { b"true" } else { b"false" });
                }
                Field::Points => {
                    out.push(b'{');
                    for (j, (key, p)) in keys.iter().zip(l.points).enumerate() {
                        // The keys start with a comma, which the first one leaves out.
                        out.extend_from_slice(key.get(usize::from(j == 0)..).unwrap_or(&[]));
                        repeats.push(out, j, *p);
                    }
                    out.push(b'}');
                }
            }
        }
        out.extend_from_slice(b"}\n");
    }
}

/// A column's name in `--columns`, the CSV header and the NDJSON keys.
fn name(field: Field) -> &'static str {
    ALL.iter().find(|(f, _)| *f == field).map_or("", |(_, n)| n)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_in_order_and_checked() {
        let f = Fields::parse("id, total,band").unwrap();
        assert_eq!(f.0, [Field::Id, Field::Total, Field::Band]);
        assert!(f.totals_only() && f.names_a_row() && !f.is_all() && !f.is_id_total());
        assert!(Fields::parse("id,total").unwrap().is_id_total());
        assert!(!Fields::parse("total,id").unwrap().is_id_total());
        assert!(!Fields::parse("id,points").unwrap().totals_only());
        assert!(!Fields::parse("total,band").unwrap().names_a_row());
        assert!(
            Fields::parse("id,name,total,band,low,high,knocked_out,points")
                .unwrap()
                .is_all()
        );
        let e = Fields::parse("id,score").unwrap_err();
        assert!(e.contains("unknown column \"score\""), "{e}");
        assert!(
            e.contains("id, name, total, band, low, high, knocked_out, points"),
            "{e}"
        );
        assert!(Fields::parse("id,,total").unwrap_err().contains("empty"));
        assert!(
            Fields::parse("total,total")
                .unwrap_err()
                .contains("named twice")
        );
    }

    #[test]
    fn header_expands_points() {
        let f = Fields::parse("total,points,id").unwrap();
        assert_eq!(
            f.csv_header(["a", "b"].into_iter()),
            "total,points_a,points_b,id\n"
        );
    }
}
