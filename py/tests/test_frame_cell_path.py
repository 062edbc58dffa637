"""A bad cell of an object column (ranges, text) is reported at its row and column: the path
is only formatted once a cell fails (py/src/frame.rs), so these check it is still the right one."""

from __future__ import annotations

import pandas as pd
import pytest

from civic_value import InputError, Rubric


def _frame(bad: object) -> pd.DataFrame:
    # Row 2's support_share is not a range of two numbers; the others are.
    support = [(60.0, 70.0), (55.0, 65.0), bad, (80.0, 90.0)]
    return pd.DataFrame({"support_share": support, "partners": [1.0, 2.0, 3.0, 4.0]})


@pytest.mark.parametrize("bad", [(1, 2, 3), ("a", "b"), object()])
def test_monte_carlo_names_the_row_and_column_of_a_bad_cell(bad: object) -> None:
    with pytest.raises(InputError) as info:
        Rubric.default().monte_carlo(_frame(bad), draws=10, seed=1)
    assert (info.value.code, info.value.path) == ("input.parse", "rows[2].input.support_share")


def test_score_frame_names_the_row_and_column_of_a_bad_cell() -> None:
    with pytest.raises(InputError) as info:
        Rubric.default().score_frame(_frame((1, 2, 3)))
    assert (info.value.code, info.value.path) == ("input.parse", "rows[2].input.support_share")
