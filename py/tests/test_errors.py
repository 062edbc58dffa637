"""Bad input raises the right exception class with .code and .path, never a crash or a
Rust panic (pyo3's PanicException derives from BaseException, so `except Exception` would
not catch it: every test here would fail loudly if one escaped)."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict

import numpy as np
import pandas as pd
import pytest

from civic_value import CivicValueError, InputError, Rubric, RubricError

COLUMNS = [
    "volunteer_hours",
    "neighbour_contact",
    "inclusion",
    "green_area_m2",
    "biodiversity",
    "residents_reached",
    "support_share",
    "partners",
    "plan_maturity",
    "permit_secured",
    "municipal_contribution",
    "cofunding_share",
]


def test_exception_hierarchy() -> None:
    assert issubclass(CivicValueError, ValueError)
    assert issubclass(RubricError, CivicValueError) and issubclass(InputError, CivicValueError)
    assert not issubclass(RubricError, InputError) and not issubclass(InputError, RubricError)
    assert RubricError.__module__ == "civic_value" and RubricError.__name__ == "RubricError"


@pytest.mark.parametrize(
    "inputs,code,path",
    [
        ({"volunteer_hours": math.nan}, "input.not_finite", "input.volunteer_hours"),
        ({"volunteer_hours": np.float64("inf")}, "input.not_finite", "input.volunteer_hours"),
        ({"volunteer_hours": (math.nan, 3.0)}, "input.not_finite", "input.volunteer_hours"),
        ({"volunteer_hours": "lots"}, "input.not_a_number", "input.volunteer_hours"),
        ({"volunteer_hours": True}, "input.not_a_number", "input.volunteer_hours"),
        ({"volunteer_hours": -1}, "input.below_min", "input.volunteer_hours"),
        ({"support_share": 101}, "input.above_max", "input.support_share"),
        ({"support_share": (80, 60)}, "input.range_inverted", "input.support_share"),
        ({"neighbour_contact": 6}, "input.likert_out_of_range", "input.neighbour_contact"),
        ({"neighbour_contact": 2.5}, "input.likert_out_of_range", "input.neighbour_contact"),
        ({"neighbour_contact": (2, 3)}, "input.range_not_allowed", "input.neighbour_contact"),
        ({"permit_secured": 1}, "input.not_a_boolean", "input.permit_secured"),
        ({"permit_secured": "yes"}, "input.not_a_boolean", "input.permit_secured"),
        ({"inclusion": "everyone"}, "input.unknown_option", "input.inclusion"),
        ({"inclusion": 2}, "input.unknown_option", "input.inclusion"),
        ({"bogus": 1}, "input.unknown_criterion", "input.bogus"),
        ({"support_share": {"value": 80, "evidence": "rumour"}}, "input.unknown_evidence", "input.support_share"),
        ({"support_share": {"lo": 1}}, "input.parse", "input.support_share"),
        ({"support_share": (1, 2, 3)}, "input.parse", "input.support_share"),
        ({"support_share": ("a", "b")}, "input.parse", "input.support_share"),
        ({"support_share": object()}, "input.parse", "input.support_share"),
        ({"support_share": 1 + 2j}, "input.parse", "input.support_share"),
        ({"support_share": 10**400}, "input.parse", "input.support_share"),
        ({1: 2}, "input.parse", "input"),
    ],
)
def test_bad_inputs(rubric: Rubric, inputs: Dict[Any, Any], code: str, path: str) -> None:
    with pytest.raises(InputError) as info:
        rubric.score(inputs)
    e = info.value
    assert (e.code, e.path) == (code, path)
    assert str(e) == f"{path}: {e.message}"
    assert e.errors and e.errors[0].code == code


def test_not_a_mapping(rubric: Rubric) -> None:
    with pytest.raises(InputError) as info:
        rubric.score([("support_share", 50)])  # type: ignore[arg-type]
    assert (info.value.code, info.value.path) == ("input.parse", "input")


def test_numbers_of_other_types_are_numbers(rubric: Rubric) -> None:
    plain = rubric.score({"support_share": 72, "neighbour_contact": 4}).total
    for x, level in [(np.int64(72), np.int32(4)), (Decimal("72"), 4.0), (np.float32(72), np.int8(4))]:
        assert rubric.score({"support_share": x, "neighbour_contact": level}).total == plain
    assert rubric.score({"permit_secured": np.bool_(True)}) == rubric.score({"permit_secured": True})


def test_unknown_perspective(rubric: Rubric) -> None:
    with pytest.raises(InputError) as info:
        rubric.score({}, perspective="mayor")
    assert (info.value.code, info.value.path) == ("input.unknown_perspective", "perspective")
    with pytest.raises(InputError):
        rubric.weights("mayor")


def test_score_many_names_the_row(rubric: Rubric) -> None:
    with pytest.raises(InputError) as info:
        rubric.score_many([{"support_share": 50}, {"support_share": "many"}])
    assert (info.value.code, info.value.path) == ("input.not_a_number", "rows[1].input.support_share")
    with pytest.raises(InputError) as info:
        rubric.score_many([{}, 3])  # type: ignore[list-item]
    assert info.value.path == "rows[1].input"


def test_score_frame_names_the_row(rubric: Rubric) -> None:
    df = pd.DataFrame({"support_share": [50.0, 120.0, np.nan]})
    with pytest.raises(InputError) as info:
        rubric.score_frame(df)
    assert (info.value.code, info.value.path) == ("input.above_max", "rows[1].input.support_share")
    df = pd.DataFrame({"inclusion": ["none", "all of them"]})
    with pytest.raises(InputError) as info:
        rubric.score_frame(df)
    assert (info.value.code, info.value.path) == ("input.unknown_option", "rows[1].input.inclusion")


@pytest.mark.parametrize(
    "df,code,path",
    [
        (pd.DataFrame({"name": ["a"], "support_share": [50]}), "input.unknown_criterion", "input.name"),
        (pd.DataFrame([[1.0, 2.0]], columns=["support_share", "support_share"]), "input.duplicate_column", "input.support_share"),
        (pd.DataFrame({"inclusion": [0.0]}), "input.unknown_option", "rows[0].input.inclusion"),
        (pd.DataFrame({"permit_secured": [1.0]}), "input.not_a_boolean", "rows[0].input.permit_secured"),
        (pd.DataFrame({"support_share": [True]}), "input.not_a_number", "rows[0].input.support_share"),
        (pd.DataFrame({"support_share": ["50"]}), "input.not_a_number", "rows[0].input.support_share"),
        (pd.DataFrame({"support_share": [(math.nan, math.nan)]}), "input.not_finite", "rows[0].input.support_share"),
        (pd.DataFrame({"support_share": [math.inf]}), "input.not_finite", "rows[0].input.support_share"),
        (pd.DataFrame({"support_share": pd.to_datetime(["2026-01-01"])}), "input.parse", "rows[0].input.support_share"),
    ],
)
def test_bad_frames(rubric: Rubric, df: pd.DataFrame, code: str, path: str) -> None:
    with pytest.raises(InputError) as info:
        rubric.score_frame(df)
    assert (info.value.code, info.value.path) == (code, path)


def test_score_frame_needs_a_frame(rubric: Rubric) -> None:
    with pytest.raises(TypeError):
        rubric.score_frame({"support_share": [1]})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "x,columns,code",
    [
        (np.zeros(12), COLUMNS, "input.parse"),  # 1-D
        (np.zeros((2, 3, 12)), COLUMNS, "input.parse"),  # 3-D
        (np.zeros((2, 11)), COLUMNS, "input.shape"),  # too few columns
        (np.zeros((2, 12), dtype=np.complex128), COLUMNS, "input.parse"),  # not a real number
        (np.zeros((2, 12), dtype=object), COLUMNS, "input.parse"),
        (np.array([["a"] * 12]), COLUMNS, "input.parse"),
        ([[0.0] * 12], COLUMNS, "input.parse"),  # a list, not an array
        (np.zeros((2, 1)), ["nope"], "input.unknown_criterion"),
        (np.zeros((2, 2)), ["support_share", "support_share"], "input.duplicate_column"),
    ],
)
def test_bad_matrices(rubric: Rubric, x: Any, columns: Any, code: str) -> None:
    with pytest.raises(InputError) as info:
        rubric.score_matrix(x, columns)
    assert info.value.code == code
    assert info.value.path.startswith("input")


def test_bad_matrix_values_name_the_row(rubric: Rubric) -> None:
    x = np.full((5, 1), 60.0)
    x[3, 0] = -4
    with pytest.raises(InputError) as info:
        rubric.score_matrix(x, ["support_share"])
    assert (info.value.code, info.value.path) == ("input.below_min", "rows[3].input.support_share")
    # Also in a matrix big enough to be split over threads.
    big = np.full((300_001, 1), 60.0)
    big[250_000, 0] = np.inf
    big[290_000, 0] = -1
    for threads in [None, 1, 2, 5]:
        with pytest.raises(InputError) as info:
            rubric.score_matrix(big, ["support_share"], threads=threads)
        assert (info.value.code, info.value.path) == ("input.not_finite", "rows[250000].input.support_share")
    with pytest.raises(InputError) as info:
        rubric.score_matrix(np.array([[7.0]]), ["neighbour_contact"])
    assert info.value.code == "input.likert_out_of_range"


def test_columns_must_be_names(rubric: Rubric) -> None:
    with pytest.raises(TypeError):
        rubric.score_matrix(np.zeros((1, 1)), "support_share")


# ---- rubrics ----------------------------------------------------------------------------


def minimal() -> Dict[str, Any]:
    return {
        "id": "r",
        "version": "1",
        "themes": [{"id": "t", "weight": 1}],
        "criteria": [{"id": "a", "theme": "t", "weight": 1, "value_function": {"type": "boolean"}}],
    }


@pytest.mark.parametrize(
    "text,loader,code,path",
    [
        ("{", "json", "rubric.parse", ""),
        ("not json at all", "json", "rubric.parse", ""),
        ('{"id": "r"}', "json", "rubric.parse", ""),
        ("[1, 2]", "json", "rubric.parse", ""),
        ("id = ", "toml", "rubric.parse", ""),
        ('id = "r"\nversion = 1', "toml", "rubric.parse", "version"),
        ("", "json", "rubric.parse", ""),
        (" " * (16 * 1024 * 1024 + 1), "json", "rubric.too_large", ""),  # MAX_RUBRIC_TEXT_BYTES
    ],
)
def test_malformed_rubric_text(text: str, loader: str, code: str, path: str) -> None:
    load = Rubric.from_json if loader == "json" else Rubric.from_toml
    with pytest.raises(RubricError) as info:
        load(text)
    assert (info.value.code, info.value.path) == (code, path)


def test_every_problem_is_listed() -> None:
    doc = minimal()
    doc["criteria"][0]["weight"] = -1
    doc["themes"].append({"id": "t", "weight": 1})
    with pytest.raises(RubricError) as info:
        Rubric.from_dict(doc)
    found = {(e.code, e.path) for e in info.value.errors}
    assert ("rubric.negative_weight", "criteria[0].weight") in found
    assert ("rubric.duplicate_id", "themes[1].id") in found
    assert (info.value.code, info.value.path) in found
    assert all(isinstance(e, RubricError) for e in info.value.errors)


@pytest.mark.parametrize(
    "change,code,path",
    [
        (lambda d: d["criteria"][0].update(weight="heavy"), "rubric.parse", "criteria[0].weight"),
        (lambda d: d["criteria"][0].update(weight=math.nan), "rubric.not_finite", "criteria[0].weight"),
        (lambda d: d["criteria"][0].update(weight=math.inf), "rubric.not_finite", "criteria[0].weight"),
        (lambda d: d["criteria"][0].update(weigth=1), "rubric.parse", "criteria[0].weigth"),
        (lambda d: d["criteria"][0].update({3: "x"}), "rubric.parse", "criteria[0]"),
        (lambda d: d["criteria"][0].update(label={"en": object()}), "rubric.parse", "criteria[0].label.en"),
        (lambda d: d.update(criteria=[]), "rubric.empty", "criteria"),
        (lambda d: d["themes"][0].update(weight=10**30), "rubric.out_of_bounds", "themes[0].weight"),
        (lambda d: d["themes"][0].update(weight=10**400), "rubric.parse", "themes[0].weight"),
    ],
)
def test_malformed_rubric_dict(change: Any, code: str, path: str) -> None:
    doc = minimal()
    change(doc)
    with pytest.raises(RubricError) as info:
        Rubric.from_dict(doc)
    assert (info.value.code, info.value.path) == (code, path)


def test_rubric_dict_that_contains_itself() -> None:
    doc = minimal()
    doc["criteria"][0]["label"] = doc
    with pytest.raises(RubricError) as info:
        Rubric.from_dict(doc)
    assert info.value.code == "rubric.parse"
    assert info.value.path.startswith("criteria[0].label")


def test_not_a_dict() -> None:
    with pytest.raises(RubricError):
        Rubric.from_dict([1, 2])  # type: ignore[arg-type]


def test_rubric_files(tmp_path: Path) -> None:
    good = tmp_path / "r.JSON"
    good.write_text(json.dumps(minimal()))
    assert Rubric.from_file(good).id == "r"
    bad = tmp_path / "r.toml"
    bad.write_text('id = "r"\nversion = "1"\nthemes = 3\n')
    with pytest.raises(RubricError) as info:
        Rubric.from_file(bad)
    assert (info.value.code, info.value.path) == ("rubric.parse", "themes")
    other = tmp_path / "r.yaml"
    other.write_text("id: r")
    with pytest.raises(RubricError) as info:
        Rubric.from_file(other)
    assert info.value.code == "rubric.parse"
    with pytest.raises(FileNotFoundError):
        Rubric.from_file(tmp_path / "missing.json")


def test_no_panic_on_garbage(rubric: Rubric) -> None:
    """A sweep of odd values through every entry point: only documented exceptions."""
    odd: list[Any] = [
        None, True, 0, -0.0, 1e308, -1e308, 5e-324, math.nan, math.inf, -math.inf, "", "x" * 10_000,
        "\u0000", "é", (), (1,), (1, 2), (2, 1), [1, 2, 3], {}, {"value": 1}, {"low": 1, "high": 2},
        {"value": math.nan, "evidence": "claimed"}, {"value": 1, "evidence": 3}, np.nan, np.int64(-5),
        b"bytes", object(), [[1, 2]], {"low": "a", "high": 2}, 2**63, -(2**63) - 1,
    ]
    for c in COLUMNS:
        for v in odd:
            try:
                rubric.score({c: v})
            except CivicValueError:
                pass
            try:
                rubric.score_frame(pd.DataFrame({c: pd.Series([v], dtype=object)}))
            except CivicValueError:
                pass
    for v in odd:
        for key in ["id", "themes", "criteria", "weight"]:
            doc: Dict[str, Any] = minimal()
            doc[key] = v
            try:
                Rubric.from_dict(doc)
            except RubricError:
                pass
        try:
            rubric.score_matrix(np.array([[v]], dtype=object), ["support_share"])
        except InputError:
            pass
