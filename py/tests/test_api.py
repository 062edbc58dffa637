"""The documented API: loading, properties, scoring, conversions, pickling, equality and
the Jupyter representations."""

from __future__ import annotations

import json
import multiprocessing
import pickle
from pathlib import Path
from typing import Any, Dict, List

import pandas as pd
import pytest

import civic_value
from civic_value import Criterion, CriterionScore, Knockout, Rubric, Score, ThemeScore

from conftest import EXAMPLES_DIR, REPO


def test_default_rubric_contents(rubric: Rubric) -> None:
    assert rubric.id == "civic-value-default"
    assert rubric.version == "2026.2"
    assert len(rubric.fingerprint) == 64 and int(rubric.fingerprint, 16) >= 0
    assert rubric.aggregation == "weighted_sum"
    assert len(rubric.criteria) == 12
    assert [t.id for t in rubric.themes] == ["social_cohesion", "green_climate", "reach_support", "feasibility", "cost"]
    assert [p.id for p in rubric.perspectives] == ["municipality", "residents", "initiators"]
    assert [b.id for b in rubric.bands] == ["strong", "promising", "needs_work", "weak"]
    assert [b.min for b in rubric.bands] == [70, 50, 30, 0]
    assert "illustrative" in rubric.title().lower()
    assert rubric.title("nl") != rubric.title("en")


def test_criteria_properties(rubric: Rubric) -> None:
    hours = rubric.criterion("volunteer_hours")
    assert isinstance(hours, Criterion)
    assert (hours.id, hours.theme, hours.kind, hours.unit, hours.min, hours.max) == (
        "volunteer_hours", "social_cohesion", "number", "h/yr", 0, None,
    )
    assert hours.label() == "Volunteer hours per year"
    assert hours.label("nl") == "Vrijwilligersuren per jaar"
    assert hours.label("fr") == hours.label("en")  # falls back to English
    assert hours.help("nl")
    # Theme share 30/100, criterion share 2/5 within the theme.
    assert hours.weight == pytest.approx(0.3 * 2 / 5)
    assert rubric.criterion("neighbour_contact").levels == 5
    assert rubric.criterion("inclusion").options == ["none", "one_group", "several_groups"]
    assert rubric.criterion("support_share").knockout == ">= 50"
    assert rubric.criterion("permit_secured").kind == "boolean"
    assert sum(c.weight for c in rubric.criteria) == pytest.approx(1.0)
    with pytest.raises(KeyError):
        rubric.criterion("nope")
    assert "volunteer_hours" in repr(hours)


def test_themes_and_weights(rubric: Rubric) -> None:
    cohesion = rubric.themes[0]
    assert cohesion.criteria == ["volunteer_hours", "neighbour_contact", "inclusion"]
    assert cohesion.weight == pytest.approx(0.30)
    assert cohesion.label("nl") == "Sociale samenhang"
    own = rubric.weights()
    assert list(own) == [c.id for c in rubric.criteria]
    assert sum(own.values()) == pytest.approx(1.0)
    residents = rubric.weights("residents")
    # Residents: themes 35/30/20/10/5; within social cohesion still 2:2:1.
    assert residents["volunteer_hours"] == pytest.approx(0.35 * 2 / 5)
    assert residents["municipal_contribution"] == pytest.approx(0.05 * 2 / 3)
    assert rubric.perspectives[1].label("nl") == "Bewoners"


def test_round_trips(rubric: Rubric, tmp_path: Path) -> None:
    assert Rubric.from_json(rubric.to_json()) == rubric
    assert Rubric.from_toml(rubric.to_toml()) == rubric
    assert Rubric.from_dict(rubric.to_dict()) == rubric
    assert Rubric.from_dict(json.loads(rubric.to_json())) == rubric
    path = tmp_path / "rubric.toml"
    path.write_text(rubric.to_toml(), encoding="utf-8")
    assert Rubric.from_file(path) == rubric
    assert Rubric.from_file(str(path)).fingerprint == rubric.fingerprint
    custom = REPO / "examples" / "rubrics"
    for f in sorted(custom.glob("*.json")) + sorted(custom.glob("*.toml")):
        assert Rubric.from_file(f).criteria


def test_equality_and_hash(rubric: Rubric) -> None:
    other = rubric.to_dict()
    other["version"] = "2099.1"
    changed = Rubric.from_dict(other)
    assert changed != rubric
    assert changed.fingerprint != rubric.fingerprint
    assert Rubric.default() == rubric
    assert len({rubric, Rubric.from_json(rubric.to_json()), changed}) == 2
    assert rubric != "civic-value-default"


def test_no_public_constructor() -> None:
    with pytest.raises(TypeError):
        Rubric()


def test_pickle(rubric: Rubric) -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(rubric, protocol=protocol))
        assert back == rubric and back.fingerprint == rubric.fingerprint
        assert back.score({"support_share": 72}) == rubric.score({"support_share": 72})


def _total_in_worker(args: Any) -> float:
    rubric, inputs = args
    return rubric.score(inputs).total  # type: ignore[no-any-return]


def test_rubric_ships_to_worker_processes(rubric: Rubric, initiatives: List[Dict[str, Any]]) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        totals = pool.map(_total_in_worker, [(rubric, i["inputs"]) for i in initiatives])
    assert totals == [rubric.score(i["inputs"]).total for i in initiatives]


def test_score_object(rubric: Rubric, initiatives: List[Dict[str, Any]]) -> None:
    park = rubric.score(initiatives[0]["inputs"])
    assert isinstance(park, Score)
    assert 0 <= park.interval[0] <= park.total <= park.interval[1] <= 100
    assert park.band in {b.id for b in rubric.bands}
    assert park.rubric_fingerprint == rubric.fingerprint
    assert (park.rubric_id, park.rubric_version) == (rubric.id, rubric.version)
    assert park.engine == civic_value.__version__
    assert [c.id for c in park.criteria] == [c.id for c in rubric.criteria]
    assert all(isinstance(c, CriterionScore) for c in park.criteria)
    assert all(isinstance(t, ThemeScore) for t in park.themes)
    hours = park.criteria[0]
    assert hours.raw == (2500.0, 4000.0) and "ranged" in hours.flags and hours.interval is not None
    assert sum(c.points for c in park.criteria) == pytest.approx(park.total, abs=1e-9)
    assert sum(t.points for t in park.themes) == pytest.approx(park.total, abs=1e-9)
    for c in park.criteria:
        assert c.points + c.available == pytest.approx(100 * c.weight, abs=1e-12)
    garden = rubric.score(initiatives[2]["inputs"])
    assert garden.knockouts == [Knockout("support_share", ">= 50", True)]
    assert garden.knocked_out


def test_perspectives_change_the_weights(rubric: Rubric, initiatives: List[Dict[str, Any]]) -> None:
    inputs = initiatives[1]["inputs"]
    for p in rubric.perspectives:
        s = rubric.score(inputs, perspective=p.id)
        assert s.perspective == p.id
        weights = rubric.weights(p.id)
        for c in s.criteria:
            assert c.weight == pytest.approx(weights[c.id], abs=1e-15)


def test_to_dict_is_the_cli_json_shape(rubric: Rubric, initiatives: List[Dict[str, Any]]) -> None:
    d = rubric.score(initiatives[0]["inputs"]).to_dict()
    assert set(d) == {
        "total", "band", "interval", "knocked_out", "knockouts", "themes", "criteria", "warnings",
        "perspective", "aggregation", "rubric", "engine",
    }
    assert set(d["interval"]) == {"low", "high"}
    assert set(d["rubric"]) == {"id", "version", "fingerprint"}
    assert d["criteria"][0]["raw"] == [2500.0, 4000.0]
    assert set(d["criteria"][0]) == {"id", "theme", "raw", "value", "weight", "points", "available", "interval", "flags"}
    json.dumps(d)  # plain data
    d["total"] = -1  # a copy: the score is unchanged
    assert rubric.score(initiatives[0]["inputs"]).to_dict()["total"] != -1


def test_score_many(rubric: Rubric, initiatives: List[Dict[str, Any]]) -> None:
    many = rubric.score_many(i["inputs"] for i in initiatives)
    assert many == [rubric.score(i["inputs"]) for i in initiatives]
    assert rubric.score_many([], perspective="residents") == []
    residents = rubric.score_many([i["inputs"] for i in initiatives], perspective="residents")
    assert all(s.perspective == "residents" for s in residents)


def test_to_pandas(rubric: Rubric, initiatives: List[Dict[str, Any]]) -> None:
    s = rubric.score(initiatives[0]["inputs"])
    df = s.to_pandas()
    assert list(df.index) == [c.id for c in rubric.criteria]
    assert df.index.name == "criterion"
    assert {"theme", "label", "raw", "value", "weight", "points", "available", "low", "high", "flags"} <= set(df.columns)
    assert df["points"].sum() == pytest.approx(s.total, abs=1e-9)
    assert df.loc["volunteer_hours", "low"] < df.loc["volunteer_hours", "high"]
    assert s.to_pandas("nl").loc["volunteer_hours", "label"] == "Vrijwilligersuren per jaar"


def test_parse_text(rubric: Rubric) -> None:
    assert rubric.criterion("volunteer_hours").parse_text(" 12.5 ") == 12.5
    assert rubric.criterion("volunteer_hours").parse_text("10..20") == (10.0, 20.0)
    assert rubric.criterion("volunteer_hours").parse_text("") is None
    assert rubric.criterion("volunteer_hours").parse_text("lots") == "lots"
    assert rubric.criterion("permit_secured").parse_text("ja") is True
    assert rubric.criterion("permit_secured").parse_text("no") is False
    assert rubric.criterion("inclusion").parse_text("one_group") == "one_group"


def test_describe(rubric: Rubric) -> None:
    d = rubric.describe("nl")
    assert d["lang"] == "nl" and d["fingerprint"] == rubric.fingerprint
    assert [t["id"] for t in d["themes"]] == [t.id for t in rubric.themes]


def test_reprs(rubric: Rubric, initiatives: List[Dict[str, Any]]) -> None:
    assert repr(rubric).startswith("Rubric(id='civic-value-default'")
    s = rubric.score(initiatives[2]["inputs"])
    r = repr(s)
    assert r.startswith(f"Score(total={s.total:.2f}, band='{s.band}'")
    assert "support_share" in r  # the knock-out


def test_rubric_html(rubric: Rubric) -> None:
    html = rubric._repr_html_()
    for c in rubric.criteria:
        assert c.label() in html
    for t in rubric.themes:
        assert t.label() in html
    assert "Residents" in html  # a perspective column
    assert "30.0%" in html  # social cohesion's weight


def test_score_html(rubric: Rubric, initiatives: List[Dict[str, Any]]) -> None:
    s = rubric.score(initiatives[2]["inputs"])
    html = s._repr_html_()
    assert f"{s.total:.2f}" in html
    assert "<svg" in html and "</svg>" in html
    assert "Knocked out" in html
    assert "Support among neighbours" in html
    assert html.count("<rect") >= 2 * len(s.criteria)
    # Text from the rubric is escaped.
    doc = rubric.to_dict()
    doc["criteria"][0]["label"] = {"en": "<script>alert(1)</script>"}
    evil = Rubric.from_dict(doc)
    assert "<script>" not in evil.score({})._repr_html_()
    assert "<script>" not in evil._repr_html_()


def test_examples_csv_through_score_frame(rubric: Rubric) -> None:
    """The example CSV read as text and parsed cell by cell as the command line does."""
    df = pd.read_csv(EXAMPLES_DIR / "initiatives.csv", dtype=str).set_index("id").drop(columns="name")
    for column in df.columns:
        df[column] = df[column].map(rubric.criterion(column).parse_text).astype(object)
    assert df.loc["oosterspoorbaan", "volunteer_hours"] == (2500.0, 4000.0)
    assert df.loc["repair-cafe", "permit_secured"] is True
    out = rubric.score_frame(df)
    for initiative_id, row in df.iterrows():
        expected = rubric.score({k: v for k, v in row.items()})
        assert out.loc[initiative_id, "total"] == pytest.approx(expected.total, abs=1e-12)
