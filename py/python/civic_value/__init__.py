"""civic-value: score the societal value of citizen initiatives on a transparent rubric.

    from civic_value import Rubric

    rubric = Rubric.default()
    score = rubric.score({"volunteer_hours": (2500, 4000), "support_share": 72})
    score.total, score.band, score.interval

The numbers come from the same Rust engine as the command line and the browser package.
"""

from ._native import (
    ENGINE_VERSION,
    Band,
    CivicValueError,
    Criterion,
    InputError,
    Perspective,
    RubricError,
    Theme,
)
from . import mcda, weights
from ._rubric import Rubric
from ._sensitivity import MonteCarloResult
from ._score import CriterionScore, Knockout, Score, ScoreWarning, ThemeScore
from ._select import Selection
from ._sroi import MonetisedResult, SroiResult, sroi

__version__ = ENGINE_VERSION

__all__ = [
    "ENGINE_VERSION",
    "Band",
    "CivicValueError",
    "Criterion",
    "CriterionScore",
    "InputError",
    "Knockout",
    "MonetisedResult",
    "MonteCarloResult",
    "Perspective",
    "Rubric",
    "RubricError",
    "Score",
    "ScoreWarning",
    "Selection",
    "SroiResult",
    "Theme",
    "ThemeScore",
    "__version__",
    "mcda",
    "sroi",
    "weights",
]
