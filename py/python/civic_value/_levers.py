"""Levers and the path to a band of a :class:`Score` (the engine re-scores; this converts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Tuple

from . import _native

if TYPE_CHECKING:
    import pandas

    from ._score import RawInput, Score


def score_inputs(score: Score) -> Dict[str, Any]:
    """The inputs the score was computed from (defaulted and missing ones left out)."""
    return _native.score_inputs(score._data)


def levers(score: Score) -> pandas.DataFrame:
    """Every criterion's lever, indexed by criterion id, highest gain first."""
    import pandas as pd

    rows = score._rubric._native.levers(score_inputs(score), score.perspective)
    index = pd.Index([r[0] for r in rows], name="criterion")
    return pd.DataFrame(
        {
            "gain": [float(r[1]) for r in rows],
            "best": pd.Series([r[2] for r in rows], index=index, dtype=object),
            "per_unit": [float(r[3]) for r in rows],
            "shown": [bool(r[5]) for r in rows],
        },
        index=index,
    )


def path_to(score: Score, band_id: str) -> List[Tuple[str, RawInput]]:
    """The fewest changes that put the initiative in ``band_id`` (or higher)."""
    path = score._rubric._native.path_to_band(score_inputs(score), band_id, score.perspective)
    return [(str(c), v) for c, v in path]
