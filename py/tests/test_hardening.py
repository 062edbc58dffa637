"""Hardening of the Python package (issue 11): bounded rubric files, rubrics that survive
pickling whatever their size, from_dict under the same limit, masked arrays, 0-column
matrices, any real numeric dtype, and HTML that escapes every text from a rubric or an
input."""

from __future__ import annotations

import copy
import os
import pickle
import re
import time
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest

from civic_value import InputError, Rubric, RubricError

LIMIT = 1024 * 1024  # MAX_RUBRIC_BYTES: the canonical form of a rubric
TEXT_LIMIT = 16 * LIMIT  # MAX_RUBRIC_TEXT_BYTES: the most text read for one


def big_rubric_doc(criteria: int, points: int = 300) -> Dict[str, Any]:
    """A valid rubric of ``criteria`` piecewise criteria: about 6.8 kB each in canonical
    form (150 of them: about 1 MB), whose pretty JSON is about three times that."""
    return {
        "id": "big",
        "version": "1",
        "themes": [{"id": "t", "weight": 1}],
        "criteria": [
            {
                "id": f"c{i}",
                "theme": "t",
                "weight": 1,
                "value_function": {"type": "piecewise", "points": [[float(j), j / points] for j in range(points)]},
                "label": {"en": f"Criterion {i}", "nl": f"Criterium {i}"},
            }
            for i in range(criteria)
        ],
    }


# ---- rubric files: a bound on the bytes read, RubricError for undecodable text ------------


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_from_file_stops_reading_a_device() -> None:
    t = time.perf_counter()
    with pytest.raises(RubricError) as info:
        Rubric.from_file("/dev/zero")
    # 16 MiB read, not the whole memory: well under a second even on a busy machine.
    assert time.perf_counter() - t < 5
    assert info.value.code == "rubric.too_large"
    assert str(TEXT_LIMIT) in info.value.message


def test_from_file_refuses_a_file_over_the_text_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as f:
        f.truncate(TEXT_LIMIT + 1)  # sparse: no disk used
    with pytest.raises(RubricError) as info:
        Rubric.from_file(path)
    assert info.value.code == "rubric.too_large"


def test_from_file_undecodable_text_is_a_rubric_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"id": "caf\u00e9"}'.encode("latin-1"))
    with pytest.raises(RubricError) as info:
        Rubric.from_file(path)
    assert info.value.code == "rubric.parse"
    assert "UTF-8" in info.value.message
    assert "offset 11" in info.value.message  # the byte 0xe9 after '{"id": "caf'
    # A missing file is still an OSError (it is not a rubric problem).
    with pytest.raises(FileNotFoundError):
        Rubric.from_file(tmp_path / "missing.json")


def test_from_file_accepts_a_byte_order_mark(tmp_path: Path, rubric: Rubric) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + rubric.to_json().encode())
    assert Rubric.from_file(path) == rubric


def test_from_json_and_from_toml_accept_a_byte_order_mark(rubric: Rubric) -> None:
    # Text read with encoding="utf-8" (not "utf-8-sig") keeps the mark: it is skipped.
    assert Rubric.from_json("\ufeff" + rubric.to_json()) == rubric
    assert Rubric.from_toml("\ufeff" + rubric.to_toml()) == rubric


# ---- round trips whatever the size --------------------------------------------------------


@pytest.fixture(scope="module")
def near_the_limit() -> Rubric:
    rubric = Rubric.from_dict(big_rubric_doc(150))
    assert 0.9 * LIMIT < len(rubric.to_json(compact=True)) <= LIMIT
    return rubric


def test_a_rubric_near_the_limit_survives_pickling(near_the_limit: Rubric) -> None:
    assert len(near_the_limit.to_json()) > 2 * LIMIT  # pretty: the old limit refused it
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        data = pickle.dumps(near_the_limit, protocol=protocol)
        assert len(data) < LIMIT + 1000  # the compact form
        assert pickle.loads(data) == near_the_limit


def test_a_rubric_near_the_limit_loads_from_its_pretty_json_and_toml(near_the_limit: Rubric, tmp_path: Path) -> None:
    assert Rubric.from_json(near_the_limit.to_json()) == near_the_limit
    assert Rubric.from_toml(near_the_limit.to_toml()) == near_the_limit
    path = tmp_path / "pretty.json"
    path.write_text(near_the_limit.to_json(), encoding="utf-8")
    assert Rubric.from_file(path) == near_the_limit


def test_from_dict_applies_the_size_limit() -> None:
    doc = big_rubric_doc(160)  # about 1.09 MB canonical
    with pytest.raises(RubricError) as info:
        Rubric.from_dict(doc)
    assert info.value.code == "rubric.too_large"
    assert "canonical" in info.value.message
    # The same document as JSON text: the same verdict.
    import json

    with pytest.raises(RubricError) as info:
        Rubric.from_json(json.dumps(doc))
    assert info.value.code == "rubric.too_large"
    # One long text inside: counted too.
    small = copy.deepcopy(big_rubric_doc(1))
    small["description"] = {"en": "x" * (LIMIT + 1)}
    with pytest.raises(RubricError) as info:
        Rubric.from_dict(small)
    assert info.value.code == "rubric.too_large"


def test_to_json_compact_is_the_canonical_form(rubric: Rubric) -> None:
    compact = rubric.to_json(compact=True)
    assert "\n" not in compact
    assert Rubric.from_json(compact) == rubric
    import hashlib

    assert hashlib.sha256(compact.encode()).hexdigest() == rubric.fingerprint


# ---- matrices -----------------------------------------------------------------------------

COLUMNS = ["support_share", "neighbour_contact", "permit_secured"]


def test_score_matrix_accepts_any_real_numeric_dtype(rubric: Rubric) -> None:
    x = np.array([[72, 4, 1], [45, 2, 0], [90, 5, 1]])
    expected = rubric.score_matrix(x.astype(np.float64), COLUMNS)
    for dtype in (np.int64, np.int32, np.int8, np.uint8, np.uint64, np.float32, np.float16):
        got = rubric.score_matrix(x.astype(dtype), COLUMNS)
        assert np.array_equal(got, expected), dtype
    # Non-native byte order and a non-contiguous view.
    assert np.array_equal(rubric.score_matrix(x.astype(">i4"), COLUMNS), expected)
    wide = np.zeros((3, 6), dtype=np.int64)
    wide[:, ::2] = x
    assert np.array_equal(rubric.score_matrix(wide[:, ::2], COLUMNS), expected)


@pytest.mark.parametrize("dtype", [np.complex128, object, "U3", "datetime64[s]"])
def test_score_matrix_refuses_what_is_not_a_real_number(rubric: Rubric, dtype: Any) -> None:
    with pytest.raises(InputError) as info:
        rubric.score_matrix(np.zeros((2, 3), dtype=dtype), COLUMNS)
    assert info.value.code == "input.parse"
    assert "real numbers" in info.value.message


def test_score_matrix_reads_masked_cells_as_missing(rubric: Rubric) -> None:
    data = np.array([[72.0, 4.0, 1.0], [45.0, 2.0, 0.0]])
    mask = np.array([[False, True, False], [True, False, False]])
    got = rubric.score_matrix(np.ma.masked_array(data, mask=mask), COLUMNS)
    expected = rubric.score_matrix(np.where(mask, np.nan, data), COLUMNS)
    assert np.array_equal(got, expected)
    # Not the unmasked values: the mask changes the totals.
    assert not np.array_equal(got, rubric.score_matrix(data, COLUMNS))
    # Masked integers too.
    got = rubric.score_matrix(np.ma.masked_array(data.astype(np.int64), mask=mask), COLUMNS)
    assert np.array_equal(got, expected)


def test_score_matrix_with_no_columns_is_refused_clearly(rubric: Rubric) -> None:
    with pytest.raises(InputError) as info:
        rubric.score_matrix(np.zeros((5, 0)), [])
    assert info.value.code == "input.parse"
    assert "no columns" in info.value.message
    assert "expected 0" not in str(info.value)


# ---- HTML ---------------------------------------------------------------------------------

MARKUP = '<b onmouseover="x()">&amp;</b><script>alert(1)</script>'


def hostile_rubric() -> Rubric:
    """Every text a person writes in a rubric holds markup and a script."""
    label = {"en": "L " + MARKUP}
    return Rubric.from_dict(
        {
            "id": "hostile",
            "version": "1 " + MARKUP,
            "title": label,
            "themes": [{"id": "t", "weight": 1, "label": label}],
            "criteria": [
                {
                    "id": "amount",
                    "theme": "t",
                    "weight": 1,
                    "unit": "U " + MARKUP,
                    "min": 0,
                    "value_function": {"type": "linear", "worst": 0, "best": 10},
                    "knockout": {"at_least": 5},
                    "label": label,
                },
                {
                    "id": "kind",
                    "theme": "t",
                    "weight": 1,
                    "value_function": {
                        "type": "category",
                        "options": [
                            {"id": "a", "value": 1, "label": {"en": "O " + MARKUP}},
                            {"id": "b", "value": 0, "label": label},
                        ],
                    },
                    "label": label,
                },
            ],
            "bands": [{"id": "good", "min": 50, "label": label}, {"id": "bad", "min": 0, "label": label}],
            "perspectives": [{"id": "p", "label": label, "criteria": {"amount": 2}}],
        }
    )


def assert_no_markup_from_data(html: str) -> None:
    assert "<script" not in html
    assert "<b on" not in html
    assert 'onmouseover="' not in html
    # The escaped text is there, so the test looks at the right places.
    assert "&lt;script&gt;" in html
    # Every tag in the output is one the package writes itself.
    tags = set(re.findall(r"<([a-zA-Z]+)", html))
    assert tags <= {"style", "div", "span", "b", "table", "tr", "th", "td", "code", "svg", "text", "rect", "title", "line"}, tags


def test_rubric_html_escapes_every_text() -> None:
    html = hostile_rubric()._repr_html_()
    assert_no_markup_from_data(html)
    assert "U &lt;b" in html  # the unit
    assert "1 &lt;b" in html  # the version


def test_score_html_escapes_every_text_from_the_rubric_and_the_inputs() -> None:
    rubric = hostile_rubric()
    for inputs in ({"amount": 2, "kind": "a"}, {"amount": (1, 8), "kind": "b"}):
        html = rubric.score(inputs, perspective="p")._repr_html_()
        assert_no_markup_from_data(html)
        assert "&lt;script&gt;" in html


def test_score_html_of_a_knockout_escapes_the_label() -> None:
    s = hostile_rubric().score({"amount": 1, "kind": "a"})
    assert s.knocked_out
    html = s._repr_html_()
    assert_no_markup_from_data(html)
    assert "Knocked out: L &lt;b" in html


def test_html_escapes_option_ids_given_as_raw_input(rubric: Rubric) -> None:
    # An unknown option never scores, but an input echoed anywhere must not become markup.
    texts: List[str] = [rubric._repr_html_(), rubric.score({"inclusion": "none"})._repr_html_()]
    for html in texts:
        assert "<script" not in html


def test_result_arrays_that_cannot_be_made_raise_not_panic() -> None:
    """A row count whose result arrays cannot be allocated (2**62 float64s: more bytes than
    an address space holds) is numpy's own error, raised as a Python exception, not a
    panic across the boundary (rust-numpy's `PyArray::zeros` panicked on it)."""
    native = Rubric.default()._native
    with pytest.raises((MemoryError, ValueError)) as e:
        native.score_columns([], [], 2**62, None)
    assert "PanicException" not in type(e.value).__name__
