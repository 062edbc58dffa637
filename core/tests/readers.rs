//! The input readers: CSV (dialects, decimal commas, duplicate columns, bounded lines),
//! JSON streams (arrays, objects, NDJSON, bounded items), duplicate keys in inputs and
//! rubrics, and the UTF-8 byte order mark. Expected values are written out by hand.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufReader, Cursor, Read};

use civic_value::{
    CsvOptions, CsvReader, CsvRow, Decimal, Initiative, InputValue, Inputs, JsonItems, Rubric,
    RubricDoc, parse_initiative,
};

/// Every row of a CSV text as an initiative (or its error), with the reader's dialect.
fn read_csv(
    rubric: &Rubric,
    text: &str,
    options: &CsvOptions,
) -> (
    civic_value::CsvDialect,
    Vec<Result<Initiative, civic_value::Error>>,
) {
    let mut reader = CsvReader::new(rubric, text.as_bytes(), options).unwrap();
    let dialect = reader.layout().dialect();
    let mut row = CsvRow::new();
    let mut out = Vec::new();
    while reader.read_row(&mut row).unwrap() {
        out.push(reader.layout().initiative(&row));
    }
    (dialect, out)
}

#[test]
fn dutch_spreadsheet_csv_with_semicolons_and_decimal_commas() {
    let rubric = Rubric::builtin();
    let text = "\u{feff}id;name;support_share;volunteer_hours;permit_secured\n\
                a;Park;72,5;2500..4000;ja\n\
                b;Tuin;\"60,25\";1,5..2,5;nee\n";
    let (dialect, rows) = read_csv(&rubric, text, &CsvOptions::default());
    assert_eq!(dialect.delimiter, b';');
    assert_eq!(dialect.decimal, Decimal::Comma);
    assert_eq!(dialect.to_string(), "CSV, delimiter ';', decimal comma");
    let a = rows[0].as_ref().unwrap();
    assert_eq!((a.id.as_str(), a.name.as_str()), ("a", "Park"));
    assert_eq!(
        a.inputs.get("support_share"),
        Some(&InputValue::Number(72.5))
    );
    assert_eq!(
        a.inputs.get("volunteer_hours"),
        Some(&InputValue::Range {
            low: 2500.0,
            high: 4000.0
        })
    );
    assert_eq!(
        a.inputs.get("permit_secured"),
        Some(&InputValue::Bool(true))
    );
    let b = rows[1].as_ref().unwrap();
    assert_eq!(
        b.inputs.get("support_share"),
        Some(&InputValue::Number(60.25))
    );
    assert_eq!(
        b.inputs.get("volunteer_hours"),
        Some(&InputValue::Range {
            low: 1.5,
            high: 2.5
        })
    );
    assert_eq!(
        b.inputs.get("permit_secured"),
        Some(&InputValue::Bool(false))
    );
}

#[test]
fn comma_files_keep_decimal_points_and_forced_dialects_apply() {
    let rubric = Rubric::builtin();
    // With ',' as delimiter a decimal comma cannot be meant: "72,5" (quoted) stays text.
    let (dialect, rows) = read_csv(
        &rubric,
        "id,support_share\na,72.5\nb,\"72,5\"\n",
        &CsvOptions::default(),
    );
    assert_eq!((dialect.delimiter, dialect.decimal), (b',', Decimal::Point));
    assert_eq!(
        rows[0].as_ref().unwrap().inputs.get("support_share"),
        Some(&InputValue::Number(72.5))
    );
    assert_eq!(
        rows[1].as_ref().unwrap().inputs.get("support_share"),
        Some(&InputValue::Text("72,5".into()))
    );
    // Forced: a decimal comma in a comma file (quoted), and a tab delimiter.
    let forced = CsvOptions {
        decimal: Some(Decimal::Comma),
        ..CsvOptions::default()
    };
    let (_, rows) = read_csv(&rubric, "id,support_share\nb,\"72,5\"\n", &forced);
    assert_eq!(
        rows[0].as_ref().unwrap().inputs.get("support_share"),
        Some(&InputValue::Number(72.5))
    );
    let tab = CsvOptions {
        delimiter: Some(b'\t'),
        ..CsvOptions::default()
    };
    let (dialect, rows) = read_csv(&rubric, "id\tsupport_share\na\t80\n", &tab);
    assert_eq!(dialect.to_string(), "CSV, delimiter tab, decimal comma");
    assert_eq!(
        rows[0].as_ref().unwrap().inputs.get("support_share"),
        Some(&InputValue::Number(80.0))
    );
    // A tab-separated header is detected too.
    let (dialect, _) = read_csv(&rubric, "id\tname\tsupport_share\n", &CsvOptions::default());
    assert_eq!(dialect.delimiter, b'\t');
}

#[test]
fn duplicate_columns_are_refused_id_included() {
    let rubric = Rubric::builtin();
    for (text, path) in [
        (
            "id,support_share,support_share\na,80,10\n",
            "input.support_share",
        ),
        ("id,name,id\na,A,b\n", "input.id"),
    ] {
        let e = CsvReader::new(&rubric, text.as_bytes(), &CsvOptions::default()).unwrap_err();
        assert_eq!(e.code(), "input.duplicate_column", "{text}");
        assert_eq!(e.path(), path);
    }
}

#[test]
fn a_short_row_is_an_error_of_that_row_only() {
    let rubric = Rubric::builtin();
    let (_, rows) = read_csv(
        &rubric,
        "id,support_share,partners\na,80,1\nb,70\nc,60,2\n",
        &CsvOptions::default(),
    );
    assert_eq!(rows.len(), 3);
    assert!(rows[0].is_ok() && rows[2].is_ok());
    let e = rows[1].as_ref().unwrap_err();
    assert_eq!(e.code(), "input.shape");
    assert_eq!(e.message(), "expected 3 values, got 2");
}

#[test]
fn rows_without_an_id_are_numbered_and_ignored_columns_left_out() {
    let rubric = Rubric::builtin();
    let options = CsvOptions {
        ignore: vec!["district".into()],
        ..CsvOptions::default()
    };
    let (_, rows) = read_csv(
        &rubric,
        "support_share,district,notes\n80,Oost,\n70,West,hello\n",
        &options,
    );
    let a = rows[0].as_ref().unwrap();
    assert_eq!((a.id.as_str(), a.name.as_str()), ("row1", "row1"));
    assert_eq!(a.inputs.len(), 1);
    let b = rows[1].as_ref().unwrap();
    assert_eq!(b.id, "row2");
    // Not a criterion and not ignored: kept, so that scoring reports it.
    assert_eq!(
        b.inputs.get("notes"),
        Some(&InputValue::Text("hello".into()))
    );
    assert_eq!(
        rubric.score(&b.inputs, None).unwrap_err().code(),
        "input.unknown_criterion"
    );
}

#[test]
fn the_encoding_scores_as_the_general_path_does() {
    let rubric = Rubric::builtin();
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/initiatives.csv"
    ))
    .unwrap();
    let mut reader = CsvReader::new(&rubric, text.as_bytes(), &CsvOptions::default()).unwrap();
    let layout = reader.layout().clone();
    let columns = layout.criterion_columns();
    let batch = rubric.batch(&columns, None).unwrap();
    let n = columns.len();
    let (mut low, mut high, mut points) = (vec![0.0; n], vec![0.0; n], vec![0.0; 12]);
    let mut row = CsvRow::new();
    let mut count = 0;
    while reader.read_row(&mut row).unwrap() {
        assert!(layout.encode(&row, &mut low, &mut high));
        let fast = batch.score_row(&low, &high, &mut points).unwrap();
        let slow = rubric
            .score(&layout.initiative(&row).unwrap().inputs, None)
            .unwrap();
        assert_eq!(fast.total.to_bits(), slow.total.to_bits());
        assert_eq!(fast.low.to_bits(), slow.interval.low.to_bits());
        assert_eq!(fast.high.to_bits(), slow.interval.high.to_bits());
        assert_eq!(fast.knocked_out, slow.knocked_out);
        for (p, c) in points.iter().zip(&slow.criteria) {
            assert_eq!(p.to_bits(), c.points.to_bits());
        }
        count += 1;
    }
    assert_eq!(count, 3);
}

#[test]
fn cells_that_do_not_encode_take_the_general_path() {
    let rubric = Rubric::builtin();
    let text =
        "id,support_share,inclusion,notes\na,lots,one_group,\nb,80,nobody,\nc,80,one_group,x\n";
    let mut reader = CsvReader::new(&rubric, text.as_bytes(), &CsvOptions::default()).unwrap();
    let layout = reader.layout().clone();
    assert_eq!(layout.criterion_columns(), ["support_share", "inclusion"]);
    let (mut low, mut high) = ([0.0; 2], [0.0; 2]);
    let mut row = CsvRow::new();
    let mut encoded = Vec::new();
    while reader.read_row(&mut row).unwrap() {
        encoded.push(layout.encode(&row, &mut low, &mut high));
    }
    // "lots" is not a number, "nobody" not an option, and "notes" is not a criterion under
    // the built-in rubric's `error` policy for unknown inputs.
    assert_eq!(encoded, [false, false, false]);
}

#[test]
fn csv_lines_are_bounded_by_bytes_read() {
    let rubric = Rubric::builtin();
    // A device without line breaks (like /dev/zero): the header line is refused.
    let zeros = BufReader::new(std::io::repeat(0));
    let e = CsvReader::new(&rubric, zeros, &CsvOptions::default()).unwrap_err();
    assert_eq!(e.code(), "input.too_large");
    // A good header, then an endless line.
    let endless =
        BufReader::new(Cursor::new(b"id,support_share\n".to_vec()).chain(std::io::repeat(b'7')));
    let mut reader = CsvReader::new(&rubric, endless, &CsvOptions::default()).unwrap();
    let e = reader.read_row(&mut CsvRow::new()).unwrap_err();
    assert_eq!(e.code(), "input.too_large");
    assert!(e.to_string().contains("line 2"), "{e}");
}

#[test]
fn json_streams_are_bounded_by_bytes_read() {
    let mut zeros = JsonItems::new(BufReader::new(std::io::repeat(0)));
    assert_eq!(
        zeros.next_into(&mut Vec::new()).unwrap_err().code(),
        "input.parse"
    );
    let endless =
        BufReader::new(Cursor::new(b"[{\"id\": \"".to_vec()).chain(std::io::repeat(b'x')));
    let e = JsonItems::new(endless)
        .next_into(&mut Vec::new())
        .unwrap_err();
    assert_eq!(e.code(), "input.too_large");
    let spaces = BufReader::new(Cursor::new(b"[".to_vec()).chain(std::io::repeat(b' ')));
    assert!(JsonItems::new(spaces).next_into(&mut Vec::new()).is_err());
}

#[test]
fn a_json_array_is_read_one_item_at_a_time_and_bad_items_stay_local() {
    let text = r#"[
      {"id": "a", "name": "A", "inputs": {"support_share": 80}},
      {"id": "b", "name": "B", "inputs": {"support_share": [1, 2, 3]}},
      {"id": "c", "name": "C", "inputs": {"support_share": 70}}
    ]"#;
    let mut items = JsonItems::new(text.as_bytes());
    let mut buf = Vec::new();
    let mut got = Vec::new();
    while let Some(place) = items.next_into(&mut buf).unwrap() {
        got.push((place.index, place.line, parse_initiative(&buf, &place)));
        buf.clear();
    }
    assert_eq!(got.len(), 3);
    assert_eq!((got[1].0, got[1].1), (1, 3));
    let e = got[1].2.as_ref().unwrap_err();
    assert_eq!(e.path(), "inputs.support_share");
    assert_eq!(got[2].2.as_ref().unwrap().id, "c");
}

#[test]
fn duplicate_keys_in_inputs_are_errors() {
    // Before: the last value silently won (80 was scored as 10).
    let e = Inputs::from_json(r#"{"support_share": 80, "support_share": 10}"#).unwrap_err();
    assert_eq!(e.code(), "input.duplicate_key");
    assert_eq!(e.path(), "input.support_share");
    assert_eq!(
        e.to_string(),
        "input.support_share: key \"support_share\" given more than once"
    );
    let e = Initiative::list_from_json(
        r#"[{"id": "a", "name": "A", "inputs": {}},
            {"id": "b", "name": "B", "inputs": {"x": 1}, "inputs": {"x": 2}}]"#,
    )
    .unwrap_err();
    assert_eq!(e.code(), "input.duplicate_key");
    assert!(e.path().starts_with("[1]"), "{e}");
    let e = Initiative::list_from_json(
        r#"{"id": "a", "name": "A", "inputs": {"support_share": 80, "support_share": 10}}"#,
    )
    .unwrap_err();
    assert_eq!(e.path(), "inputs.support_share");
}

#[test]
fn a_perspective_weight_given_twice_is_an_error() {
    // Before: {"t1": -1, "t1": 1} kept 1, and the invalid -1 was never validated.
    let text = r#"{
      "id": "small", "version": "1",
      "themes": [{"id": "t1", "weight": 3}, {"id": "t2", "weight": 1}],
      "criteria": [
        {"id": "a", "theme": "t1", "weight": 1, "value_function": {"type": "linear", "worst": 0, "best": 10}},
        {"id": "c", "theme": "t2", "weight": 1, "value_function": {"type": "boolean"}}
      ],
      "perspectives": [{"id": "flat", "themes": {"t1": -1, "t1": 1}}]
    }"#;
    let e = RubricDoc::from_json(text).unwrap_err();
    assert_eq!(e.code(), "rubric.parse");
    assert_eq!(e.path(), "perspectives[0].themes.t1");
    assert!(e.message().contains("\"t1\" given more than once"), "{e}");
    assert!(Rubric::from_json(&text.replace(r#""t1": -1, "#, "")).is_ok());
}

#[test]
fn a_byte_order_mark_is_accepted_in_json_inputs_and_rubrics() {
    let inputs = Inputs::from_json("\u{feff}{\"support_share\": 80}").unwrap();
    assert_eq!(inputs.get("support_share"), Some(&InputValue::Number(80.0)));
    let list =
        Initiative::list_from_json("\u{feff}[{\"id\": \"a\", \"name\": \"A\", \"inputs\": {}}]")
            .unwrap();
    assert_eq!(list.len(), 1);
    let json = Rubric::builtin().to_json();
    let with_bom = Rubric::from_json(&format!("\u{feff}{json}")).unwrap();
    assert_eq!(with_bom.fingerprint(), Rubric::builtin().fingerprint());
    let toml = Rubric::builtin().to_toml().unwrap();
    assert!(Rubric::from_toml(&format!("\u{feff}{toml}")).is_ok());
}
