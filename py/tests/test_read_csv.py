"""Rubric.read_csv reads a CSV exactly as the command line does (the core's reader): the
delimiter detected, decimal commas, ranges, yes/no/ja/nee, duplicate columns refused, and
the frame it returns is what score_frame takes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from civic_value import InputError, Rubric

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"


def test_the_example_csv_scores_as_the_json_example(rubric: Rubric) -> None:
    frame = rubric.read_csv(EXAMPLES_DIR / "initiatives.csv")
    assert list(frame.index) == ["oosterspoorbaan", "repair-cafe", "vegetable-garden"]
    assert frame.index.name == "id"
    assert "name" not in frame.columns
    assert frame.loc["oosterspoorbaan", "volunteer_hours"] == (2500.0, 4000.0)
    assert frame["permit_secured"].tolist() == [True, True, False]
    assert frame.loc["repair-cafe", "inclusion"] == "several_groups"
    scored = rubric.score_frame(frame)
    # initiatives.json holds the same initiatives (the repair café's support is graded
    # there, which changes its interval, not its total).
    items = json.loads((EXAMPLES_DIR / "initiatives.json").read_text(encoding="utf-8"))
    for item in items:
        assert scored.loc[item["id"], "total"] == rubric.score(item["inputs"]).total


def test_dutch_spreadsheet_csv_from_a_buffer(rubric: Rubric) -> None:
    text = "\ufeffid;name;support_share;volunteer_hours;permit_secured\na;Park;72,5;2500..4000;ja\nb;Tuin;60;1,5..2,5;nee\n"
    for source in (text.encode("utf-8"), io.BytesIO(text.encode("utf-8")), io.StringIO(text)):
        frame = rubric.read_csv(source)
        assert list(frame.index) == ["a", "b"]
        assert list(frame.columns) == ["support_share", "volunteer_hours", "permit_secured"]
        assert frame["support_share"].tolist() == [72.5, 60.0]
        assert frame["volunteer_hours"].tolist() == [(2500.0, 4000.0), (1.5, 2.5)]
        assert frame["permit_secured"].tolist() == [True, False]
    # 72.5 % support, linear from 30 (worst) to 90 (best): value 42.5 / 60. Its effective
    # weight in default.toml: theme reach_support 25 of 100, the criterion 2 of the theme's
    # 5 (residents_reached 2, support_share 2, partners 1): 0.25 × 0.4 = 0.1. Points:
    # 100 × 0.1 × 42.5 / 60 = 7.0833…
    scored = rubric.score_frame(rubric.read_csv(text.encode()))
    assert scored.loc["a", "points_support_share"] == pytest.approx(100 * 0.1 * 42.5 / 60, abs=1e-12)


def test_forced_dialects(rubric: Rubric) -> None:
    frame = rubric.read_csv(b'id,support_share\na,"72,5"\n', decimal=",")
    assert frame["support_share"].tolist() == [72.5]
    frame = rubric.read_csv(b"id,support_share\na,\"72,5\"\n")
    assert frame["support_share"].tolist() == ["72,5"]
    frame = rubric.read_csv(b"id|support_share\na|80\n", delimiter="|")
    assert frame["support_share"].tolist() == [80.0]
    # A bad name is an InputError (a CivicValueError, so still a ValueError) with a code and
    # the option's name as its path, like every other input error.
    with pytest.raises(InputError) as e:
        rubric.read_csv(b"id\n", delimiter="x")
    assert (e.value.code, e.value.path) == ("input.invalid_parameter", "delimiter")  # type: ignore[attr-defined]
    assert str(e.value) == 'delimiter: expected , ; tab or |, got "x"'
    with pytest.raises(InputError) as e:
        rubric.read_csv(b"id\n", decimal=";")
    assert (e.value.code, e.value.path) == ("input.invalid_parameter", "decimal")  # type: ignore[attr-defined]
    # The command line's names for the delimiter work here too (one parser, in the core).
    for name in ["tab", "\t"]:
        frame = rubric.read_csv(b"id\tsupport_share\na\t80\n", delimiter=name)
        assert frame["support_share"].tolist() == [80.0]
    frame = rubric.read_csv(b"id;support_share\na;72,5\n", delimiter="semicolon")
    assert frame["support_share"].tolist() == [72.5]


def test_missing_cells_and_rows_without_ids(rubric: Rubric) -> None:
    frame = rubric.read_csv(b"support_share,partners,district\n80,,Oost\n,2,West\n", ignore=["district"])
    assert list(frame.index) == ["row1", "row2"]
    assert list(frame.columns) == ["support_share", "partners"]
    assert np.isnan(frame.loc["row2", "support_share"])
    scored = rubric.score_frame(frame)
    assert list(scored.index) == ["row1", "row2"]


def test_duplicate_columns_and_short_rows_are_errors(rubric: Rubric) -> None:
    with pytest.raises(InputError) as e:
        rubric.read_csv(b"id,support_share,id\na,80,b\n")
    assert e.value.code == "input.duplicate_column"
    assert e.value.path == "columns.id"
    with pytest.raises(InputError) as e:
        rubric.read_csv(b"id,support_share,partners\na,80,1\nb,70\n")
    assert e.value.code == "input.shape"
    assert e.value.path == "line 3"


@pytest.mark.parametrize(
    ("data", "line"),
    [
        # Counted by hand: header on line 1, "a" on 2, the short row "b" on 3.
        (b"id,support_share,partners\r\na,80,1\r\nb,70\r\n", "line 3"),
        # A blank line 2 pushes "a" to line 3 and "b" to line 4.
        (b"id,support_share,partners\n\na,80,1\nb,70\n", "line 4"),
    ],
)
def test_errors_name_the_line_a_row_is_on_with_crlf_and_blank_lines(
    rubric: Rubric, data: bytes, line: str
) -> None:
    with pytest.raises(InputError) as e:
        rubric.read_csv(data)
    assert e.value.code == "input.shape"
    assert e.value.path == line


def test_the_frame_is_a_plain_dataframe(rubric: Rubric) -> None:
    frame = rubric.read_csv(EXAMPLES_DIR / "initiatives.csv")
    assert isinstance(frame, pd.DataFrame)
    assert frame["support_share"].dtype == np.float64
    with pytest.raises(TypeError):
        rubric.read_csv(42)
