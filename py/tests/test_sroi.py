"""civic_value.sroi and Rubric.monetise: the contract (names, result fields, table,
sensitivity, HTML), pandas input, and bad input naming the row and field. Expected numbers
are written out by hand (the arithmetic in each comment)."""

from __future__ import annotations


import pandas as pd
import pytest

import civic_value as cv

ONE = {"name": "x", "quantity": 100, "proxy": 10, "deadweight": 0.2, "displacement": 0.1,
       "attribution": 0.5, "drop_off": 0.5, "duration": 3}


def test_three_years_by_hand() -> None:
    # gross 1000, net 1000·0.8·0.9·0.5 = 360; values 360, 180, 90; at 20 %: 300, 125,
    # 90/1.728; investment 400 is reached 100/125 into year 2.
    r = cv.sroi([ONE], 400, discount=0.2)
    pv = 300 + 125 + 90 / 1.728
    assert r.present_value == pytest.approx(pv, rel=1e-14)
    assert r.npv == pytest.approx(pv - 400, rel=1e-13)
    assert r.ratio == pytest.approx(pv / 400, rel=1e-14)
    assert r.net_ratio == pytest.approx((pv - 400) / 400, rel=1e-13)
    assert r.payback_years == pytest.approx(1.8, rel=1e-14)
    assert r.discount == "rate"
    table = r.table
    assert list(table.columns) == ["gross", "net", "value", "factor", "discounted"]
    assert table.loc[("x", 2), "value"] == 180
    assert table.loc[("x", 3), "discounted"] == pytest.approx(90 / 1.728)
    steps = [s for s, _, _ in r.waterfall]
    assert steps == ["gross", "deadweight", "displacement", "attribution", "drop_off",
                     "discounting", "present_value"]


def test_the_default_discount_is_named() -> None:
    r = cv.sroi([{"quantity": 1, "proxy": 100, "duration": 1}], 50)
    assert r.discount == "nl-mkba-2021"
    assert "2.25" in r.discount_description
    assert r.discount_in_force_from == "2021-01-01"
    assert r.discount_source is not None and "Werkgroep discontovoet" in r.discount_source
    assert r.present_value == pytest.approx(100 / 1.0225, rel=1e-15)
    uk = cv.sroi([{"quantity": 1, "proxy": 100, "duration": 31}], 50, discount="uk-green-book-2022")
    # Years 1–30 at 3.5 %, year 31 at 3.0 %.
    v30 = 1.035 ** -30
    assert uk.present_value == pytest.approx(100 * (1 - v30) / 0.035 + 100 * v30 / 1.03, rel=1e-12)
    terms = cv.sroi([{"quantity": 1, "proxy": 100, "duration": 2}], 50, discount=[(1, 0.1), (5, 0.2)])
    assert terms.present_value == pytest.approx(100 / 1.1 + 100 / 1.32, rel=1e-15)


def test_a_dataframe_of_outcomes() -> None:
    df = pd.DataFrame([
        {"name": "a", "quantity": 1000, "proxy": 2.5, "deadweight": 0.1, "drop_off": 0.2, "duration": 2},
        {"name": "b", "quantity": 10, "proxy": 100, "attribution": 0.3, "duration": 1},
    ])
    r = cv.sroi(df, 5000)
    assert r.present_value == pytest.approx(2250 / 1.0225 + 1800 / 1.0225 ** 2 + 700 / 1.0225, rel=1e-14)
    assert r.payback_years is None
    assert set(r.table.index.get_level_values("outcome")) == {"a", "b"}


@pytest.mark.parametrize(
    "change, code, path",
    [
        ({"deadweight": 1.5}, "input.not_a_fraction", "outcomes[0].deadweight"),
        ({"drop_off": -0.5}, "input.not_a_fraction", "outcomes[0].drop_off"),
        ({"quantity": -1}, "input.negative", "outcomes[0].quantity"),
        ({"proxy": -2}, "input.negative", "outcomes[0].proxy"),
        ({"duration": 0}, "input.invalid_duration", "outcomes[0].duration"),
        ({"duration": 2.5}, "input.invalid_duration", "outcomes[0].duration"),
        ({"colour": "red"}, "input.parse", "outcomes[0].colour"),
    ],
)
def test_bad_outcomes_name_row_and_field(change: dict, code: str, path: str) -> None:
    with pytest.raises(cv.InputError) as info:
        cv.sroi([{**ONE, **change}], 400)
    assert (info.value.code, info.value.path) == (code, path)


def test_zero_investment_has_no_ratio() -> None:
    with pytest.raises(cv.InputError, match="no SROI ratio") as info:
        cv.sroi([ONE], 0)
    assert info.value.code == "input.no_investment"
    with pytest.raises(cv.InputError) as info:
        cv.sroi([ONE], 400, discount="us-omb")
    assert info.value.code == "input.unknown_discount"


def test_sensitivity_defaults_and_given_ends() -> None:
    # One outcome, deadweight 0.2, rate 0: ratio 1000·0.8/400 = 2; deadweight at 0.1 and
    # 0.3 (×0.5, ×1.5) gives 2.25 and 1.75.
    r = cv.sroi([{"quantity": 100, "proxy": 10, "deadweight": 0.2, "duration": 1}], 400, discount=0.0)
    s = r.sensitivity()
    assert list(s.index) == ["deadweight", "displacement", "attribution", "drop_off", "discount_rate"]
    assert list(s.columns) == ["low", "high", "ratio_low", "ratio_high", "ratio", "rule"]
    assert s.loc["deadweight", "ratio_low"] == pytest.approx(2.25)
    assert s.loc["deadweight", "ratio_high"] == pytest.approx(1.75)
    given = r.sensitivity({"deadweight": (0.0, 0.5)})
    # Deadweight 0 → 1000/400 = 2.5; 0.5 → 500/400 = 1.25.
    assert given.loc["deadweight", "ratio_low"] == pytest.approx(2.5)
    assert given.loc["deadweight", "ratio_high"] == pytest.approx(1.25)
    assert given.loc["deadweight", "rule"] == "given"


def test_monetise_with_the_default_rubric() -> None:
    rubric = cv.Rubric.default()
    inputs = {"volunteer_hours": (2500, 4000), "green_area_m2": 18000, "municipal_contribution": 180000}
    m = rubric.monetise(inputs)
    # 3250 h × €14.06 × 0.9 × 0.75 net a year, 10 % drop-off, 3 years; 18000 m² × €3 × 0.95
    # × 0.9, 2 % drop-off, 15 years; all at 2.25 % (the rubric's rate).
    def pv(net: float, drop: float, years: int) -> float:
        return sum(net * (1 - drop) ** (t - 1) / 1.0225 ** t for t in range(1, years + 1))

    want = pv(3250 * 14.06 * 0.675, 0.1, 3) + pv(18000 * 3 * 0.855, 0.02, 15)
    assert m.present_value == pytest.approx(want, rel=1e-12)
    assert m.investment == 180000 and m.investment_source == "municipal_contribution"
    assert m.currency == "EUR"
    low, high = m.present_value_interval
    assert low < m.present_value < high
    assert {o["id"] for o in m.outcomes} == {"volunteering", "greening"}
    assert all(o["proxy"]["source"] and o["proxy"]["licence"] for o in m.outcomes)
    # Its own sensitivity works from the outcomes it valued.
    assert m.sensitivity().loc["deadweight", "ratio_low"] > m.ratio
    given = rubric.monetise(inputs, 100000, discount="uk-green-book-2022")
    assert given.investment_source == "given" and given.discount == "uk-green-book-2022"
    with pytest.raises(cv.InputError) as info:
        rubric.monetise({"volunteer_hours": 10})
    assert (info.value.code, info.value.path) == ("input.missing", "input.municipal_contribution")


def test_html_is_a_waterfall_and_escapes_text() -> None:
    r = cv.sroi([ONE], 400, discount=0.2)
    html = r._repr_html_()
    assert "<svg" in html and "present value" in html and "investment" in html
    m = cv.Rubric.default().monetise({"volunteer_hours": 100, "municipal_contribution": 1000})
    assert "Rijksoverheid" in m._repr_html_()
    assert "<script" not in m._repr_html_()
