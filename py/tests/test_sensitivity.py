"""Tornado, exact weight stability and Monte Carlo from Python: the hand-derived example of
core/tests/sensitivity.rs (three initiatives and one knocked out), the DataFrames' shapes,
progress (callable, tqdm, an exception or Ctrl-C in the callback), reproducibility and bad
arguments."""

from __future__ import annotations

import math
from typing import Any, Dict, List, Tuple

import numpy as np
import pandas as pd
import pytest

import civic_value as cv

RUBRIC = {
    "id": "three",
    "version": "1",
    "themes": [{"id": "t", "weight": 1}],
    "criteria": [
        {"id": f"c{i}", "theme": "t", "weight": w, "min": 0, "max": 10,
         "value_function": {"type": "linear", "worst": 0, "best": 10},
         **({"knockout": {"at_least": 2}} if i == 2 else {})}
        for i, w in enumerate([0.5, 0.3, 0.2])
    ],
}


@pytest.fixture()
def three() -> Tuple[cv.Rubric, pd.DataFrame]:
    # A = (8, 2, 5) -> 56, B = (4, 9, 6) -> 59, C = (6, 5, 3) -> 51, D = (10, 10, 1) -> 82 but
    # knocked out (c2 >= 2): see core/tests/sensitivity.rs for the arithmetic.
    frame = pd.DataFrame(
        {"c0": [8.0, 4.0, 6.0, 10.0], "c1": [2.0, 9.0, 5.0, 10.0], "c2": [5.0, 6.0, 3.0, 1.0]},
        index=pd.Index(["A", "B", "C", "D"], name="id"),
    )
    return cv.Rubric.from_dict(RUBRIC), frame


def test_tornado_by_hand(three: Tuple[cv.Rubric, pd.DataFrame]) -> None:
    rubric, frame = three
    t = rubric.tornado({"c0": 8, "c1": 2, "c2": 5})
    assert list(t.index) == ["c0", "c1", "c2"]  # swings 9.6, 6.17, 0.6
    assert list(t.columns) == ["weight", "low", "high"]
    # c0: 100·(0.4·0.8 + 1.2·0.16) = 51.2 and 100·(0.6·0.8 + 0.8·0.16) = 60.8.
    assert t.loc["c0", "low"] == pytest.approx(51.2, abs=1e-9)
    assert t.loc["c0", "high"] == pytest.approx(60.8, abs=1e-9)
    # c1: 100·(0.24·0.2 + 0.76/0.7·0.5) and 100·(0.36·0.2 + 0.64/0.7·0.5).
    assert t.loc["c1", "low"] == pytest.approx(100 * (0.048 + 0.76 / 0.7 * 0.5), abs=1e-9)
    assert t.loc["c1", "high"] == pytest.approx(100 * (0.072 + 0.64 / 0.7 * 0.5), abs=1e-9)
    assert (t.loc["c2", "low"], t.loc["c2", "high"]) == pytest.approx((56.3, 55.7), abs=1e-9)
    assert t.attrs["total"] == pytest.approx(56.0, abs=1e-12)
    html = t._repr_html_()
    assert html.startswith("<svg") and html.count("<rect") == 6
    # Operations give plain DataFrames.
    assert type(t.head(1)) is pd.DataFrame


def test_tornado_svg_escapes_ids() -> None:
    doc = {**RUBRIC, "criteria": [dict(c) for c in RUBRIC["criteria"]]}
    rubric = cv.Rubric.from_dict(doc)
    t = rubric.tornado({"c0": 8, "c1": 2, "c2": 5})
    t.index = ["<b>x</b>", "c1", "c2"]
    assert "<b>" not in t._repr_html_() and "&lt;b&gt;" in t._repr_html_()


def test_stability_by_hand(three: Tuple[cv.Rubric, pd.DataFrame]) -> None:
    rubric, frame = three
    s = rubric.stability(frame)
    assert list(s.columns) == ["weight", "lower", "upper", "first_swap"]
    assert s.attrs["ranking"] == ["B", "A", "C"] and s.attrs["knocked_out"] == ["D"]
    # c0: A = 0.32 + 0.48t, B = 0.78 − 0.38t, C = 0.42 + 0.18t: A=C at 1/3, A=B at 0.46/0.86.
    assert (s.loc["c0", "lower"], s.loc["c0", "upper"]) == pytest.approx((1 / 3, 0.46 / 0.86), abs=1e-12)
    assert s.loc["c0", "first_swap"] == ("B", "A")
    # c1: A=B at 18/67, A=C at 0.4.
    assert (s.loc["c1", "lower"], s.loc["c1", "upper"]) == pytest.approx((18 / 67, 0.4), abs=1e-12)
    assert s.loc["c1", "first_swap"] == ("B", "A")
    assert (s.loc["c2", "lower"], s.loc["c2", "upper"], s.loc["c2", "first_swap"]) == (0.0, 1.0, None)
    # A list of input mappings works too (initiatives named by position).
    s2 = rubric.stability(frame.to_dict("records"))
    assert s2.loc["c0", "first_swap"] == (1, 0)


def test_monte_carlo_fixed_weights_reproduce_the_score(three: Tuple[cv.Rubric, pd.DataFrame]) -> None:
    rubric, frame = three
    mc = rubric.monte_carlo(frame, draws=500, concentration=math.inf)
    totals = rubric.score_frame(frame)["total"]
    for field in ("p5", "p50", "p95"):
        assert (mc.summary[field] == totals).all()
    np.testing.assert_allclose(mc.summary["mean"], totals, atol=1e-12)
    # B always first, A second, C third; D (knocked out) last; top 3 = B, A, C.
    assert mc.ranks.loc["B", 1] == 1.0 and mc.ranks.loc["D", 4] == 1.0
    assert list(mc.summary["p_top_k"]) == [1.0, 1.0, 1.0, 0.0]


def fund(rubric: cv.Rubric) -> pd.DataFrame:
    rows: List[Dict[str, Any]] = []
    for i in range(15):
        rows.append(
            {
                "volunteer_hours": (100 + 300 * i, 400 + 350 * i),
                "neighbour_contact": 1 + i % 5,
                "support_share": (45 + 3 * i, 52 + 3 * i),
                "permit_secured": i % 3 != 0,
                "inclusion": "several_groups",
            }
        )
    return pd.DataFrame(rows, index=[f"i{i}" for i in range(15)])


def test_monte_carlo_shapes_reproducible_and_threads(rubric: cv.Rubric) -> None:
    frame = fund(rubric)
    mc = rubric.monte_carlo(frame, draws=700, seed=11, threads=1)
    assert list(mc.summary.columns) == ["mean", "p5", "p50", "p95", "p_top_k"]
    assert list(mc.summary.index) == list(frame.index) == list(mc.ranks.index)
    assert list(mc.ranks.columns) == list(range(1, 16))
    np.testing.assert_allclose(mc.ranks.sum(axis=1), 1.0, atol=1e-12)
    assert (mc.summary["p5"] <= mc.summary["p50"]).all() and (mc.summary["p50"] <= mc.summary["p95"]).all()
    assert mc.summary["p_top_k"].sum() <= 3 + 1e-12
    assert (mc.draws, mc.seed, mc.top_k) == (700, 11, 3)
    for threads in (2, 3):
        other = rubric.monte_carlo(frame, draws=700, seed=11, threads=threads)
        pd.testing.assert_frame_equal(mc.summary, other.summary, check_exact=True)
        pd.testing.assert_frame_equal(mc.ranks, other.ranks, check_exact=True)
    assert not rubric.monte_carlo(frame, draws=700, seed=12).summary.equals(mc.summary)
    assert "Monte Carlo" in mc._repr_html_() and "MonteCarloResult(draws=700" in repr(mc)


def test_monte_carlo_progress(rubric: cv.Rubric, capsys: pytest.CaptureFixture[str]) -> None:
    frame = fund(rubric)
    seen: List[Tuple[int, int]] = []
    rubric.monte_carlo(frame, draws=1000, threads=1, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(256, 1000), (512, 1000), (768, 1000), (1000, 1000)]
    seen.clear()
    rubric.monte_carlo(frame, draws=3000, threads=2, progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1] == (3000, 3000) and all(d <= t for d, t in seen)
    rubric.monte_carlo(frame, draws=600, progress=True)
    assert "600/600" in capsys.readouterr().err


@pytest.mark.parametrize("threads", [1, 2])
def test_monte_carlo_stops_on_an_exception_in_progress(rubric: cv.Rubric, threads: int) -> None:
    frame = fund(rubric)
    calls: List[int] = []

    def interrupt(done: int, total: int) -> None:
        calls.append(done)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rubric.monte_carlo(frame, draws=100_000, threads=threads, progress=interrupt)
    assert len(calls) == 1

    def fail(done: int, total: int) -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        rubric.monte_carlo(frame, draws=5000, threads=threads, progress=fail)


def test_bad_arguments(rubric: cv.Rubric, three: Tuple[cv.Rubric, pd.DataFrame]) -> None:
    frame = fund(rubric)
    cases = [
        (dict(draws=0), "draws"),
        (dict(draws=-5), "draws"),
        (dict(seed=-1), "seed"),
        (dict(top_k=0), "top_k"),
        (dict(concentration=0.0), "concentration"),
        (dict(concentration=math.nan), "concentration"),
        # Found by review: ints too large for the binding's i128 raised OverflowError.
        (dict(seed=2**200), "seed"),
        (dict(seed=-(2**200)), "seed"),
        (dict(draws=2**130), "draws"),
        (dict(top_k=2**130), "top_k"),
    ]
    for kwargs, path in cases:
        with pytest.raises(cv.InputError) as e:
            rubric.monte_carlo(frame, **kwargs)  # type: ignore[arg-type]
        assert (e.value.code, e.value.path) == ("input.invalid_parameter", path)  # type: ignore[attr-defined]
    # The engine's messages, whatever the value (the same as the command line's and JS's).
    for kwargs, message in [
        (dict(draws=0), "draws: expected a whole number of draws from 1 to 100000000, got 0"),
        (dict(draws=-5), "draws: expected a whole number of draws from 1 to 100000000, got -5"),
        (dict(top_k=0), "top_k: expected a whole number of at least 1, got 0"),
        (dict(seed=2**64), "seed: expected a whole number from 0 to 2^64 \u2212 1, got 18446744073709551616"),
    ]:
        with pytest.raises(cv.InputError) as e:
            rubric.monte_carlo(frame, **kwargs)  # type: ignore[arg-type]
        assert str(e.value) == message
    with pytest.raises(TypeError):
        rubric.monte_carlo(frame, draws=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        rubric.monte_carlo(frame, progress="yes")  # type: ignore[arg-type]
    bad = frame.copy()
    bad.loc["i4", "neighbour_contact"] = 9
    with pytest.raises(cv.InputError) as e:
        rubric.monte_carlo(bad, draws=10)
    assert (e.value.code, e.value.path) == ("input.likert_out_of_range", "rows[4].input.neighbour_contact")  # type: ignore[attr-defined]
    r3, _ = three
    with pytest.raises(cv.InputError) as e:
        r3.tornado({"c0": 1, "c1": 1, "c2": 5}, change=2.0)
    assert (e.value.code, e.value.path) == ("input.not_a_fraction", "change")  # type: ignore[attr-defined]
    with pytest.raises(cv.InputError) as e:
        r3.stability(pd.DataFrame({"c0": [1.0], "c9": [2.0]}))
    assert (e.value.code, e.value.path) == ("input.unknown_criterion", "rows[0].input.c9")  # type: ignore[attr-defined]
