"""The rubric: load, inspect and score with it."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union

import numpy as np
import numpy.typing as npt

from ._native import Band, Criterion, NativeRubric, Perspective, Theme
from ._score import Score
from ._select import ColumnLike, Selection
from ._sensitivity import FrameLike, MonteCarloResult, ProgressLike
from ._sroi import DiscountLike, MonetisedResult, _discount_arg

if TYPE_CHECKING:
    import pandas

#: One criterion's input: a number, a bool, an option id, a ``(low, high)`` range,
#: ``{"value": x, "evidence": grade}`` or ``None`` (missing).
Input = Union[None, bool, int, float, str, Tuple[float, float], Sequence[float], Mapping[str, Any]]

#: A table: a pandas or Polars DataFrame, a pyarrow Table (results come back as the same kind).
FrameT = TypeVar("FrameT")


def _from_json(text: str) -> Rubric:
    """Unpickle a rubric."""
    return Rubric.from_json(text)


class Rubric:
    """A validated rubric: themes, criteria, weights, bands and perspectives.

    Load one with :meth:`default`, :meth:`from_json`, :meth:`from_toml`, :meth:`from_file` or
    :meth:`from_dict`; score with :meth:`score`, :meth:`score_many`, :meth:`score_frame` or
    :meth:`score_matrix`. Two rubrics are equal when their fingerprints are; a rubric
    pickles, so it can be sent to worker processes.
    """

    __slots__ = ("_native",)
    _native: NativeRubric

    def __init__(self) -> None:
        raise TypeError(
            "use Rubric.default(), Rubric.from_json(text), Rubric.from_toml(text), "
            "Rubric.from_file(path) or Rubric.from_dict(dict)"
        )

    @classmethod
    def _wrap(cls, native: NativeRubric) -> Rubric:
        rubric = object.__new__(cls)
        rubric._native = native
        return rubric

    # ---- loading ---------------------------------------------------------------------

    @classmethod
    def default(cls) -> Rubric:
        """The built-in default rubric: 12 criteria in 5 themes, three perspectives, four
        bands. An illustrative starting point, not an official municipal standard."""
        return cls._wrap(NativeRubric.builtin())

    @classmethod
    def from_json(cls, text: str) -> Rubric:
        """Parse and validate a JSON rubric. Raises :class:`RubricError`."""
        return cls._wrap(NativeRubric.from_json(text))

    @classmethod
    def from_toml(cls, text: str) -> Rubric:
        """Parse and validate a TOML rubric. Raises :class:`RubricError`."""
        return cls._wrap(NativeRubric.from_toml(text))

    @classmethod
    def from_file(cls, path: Union[str, os.PathLike[str]]) -> Rubric:
        """Read a ``.json`` or ``.toml`` rubric file (the format by its extension).

        Reads at most ``MAX_RUBRIC_TEXT_BYTES`` (16 MiB) whatever the path is (a pipe or a
        device too): more is :class:`RubricError` ``rubric.too_large``, text that is not
        UTF-8 is ``rubric.parse``; a file that cannot be opened raises ``OSError``."""
        return cls._wrap(NativeRubric.from_file(os.fspath(path)))

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Rubric:
        """Validate a rubric given as a dict (the JSON form, as :meth:`to_dict` returns).
        The same size limit applies as to :meth:`from_json`: at most 1 MiB in canonical
        form (``rubric.too_large``)."""
        return cls._wrap(NativeRubric.from_dict(doc))

    def read_csv(
        self,
        path_or_buffer: Any,
        *,
        delimiter: Optional[str] = None,
        decimal: Optional[str] = None,
        ignore: Iterable[str] = (),
    ) -> pandas.DataFrame:
        """Read a CSV of initiatives exactly as the command line reads it, into a DataFrame
        that :meth:`score_frame` takes.

        ``path_or_buffer`` is a path, bytes or a file-like object. The delimiter (``,``
        ``;`` or tab) is detected from the header line unless ``delimiter`` forces it (by
        the command line's names: ``","``/``"comma"``, ``";"``/``"semicolon"``,
        ``"\\t"``/``"tab"``, ``"|"``/``"pipe"``); a
        decimal comma (``72,5``) is read when the delimiter is not a comma, or when
        ``decimal=","``; ``2500..4000`` becomes the range ``(2500.0, 4000.0)``;
        ``yes/no/ja/nee/true/false/1/0`` become booleans for boolean criteria; an empty cell
        is ``None`` (missing). The index is the ``id`` column (``row1``, ``row2`` … without
        one); ``name``, ``description`` and the ``ignore`` columns are left out; other
        columns that are not criteria are kept, so that scoring reports them by the
        rubric's policy. Raises :class:`InputError` for a column named twice
        (``input.duplicate_column``, path ``columns.<name>``) or a row with another number
        of fields than the header (``input.shape``, path ``line <n>``)."""
        from ._read_csv import read_csv

        return read_csv(self, path_or_buffer, delimiter=delimiter, decimal=decimal, ignore=ignore)

    # ---- what it is ------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The rubric's id."""
        return self._native.id

    @property
    def version(self) -> str:
        """The rubric's own version."""
        return self._native.version

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the rubric's canonical form; every score carries it."""
        return self._native.fingerprint

    @property
    def aggregation(self) -> str:
        """``"weighted_sum"`` or ``"weighted_product"``."""
        return self._native.aggregation

    @property
    def criteria(self) -> List[Criterion]:
        """The criteria, in rubric order."""
        return self._native.criteria()

    @property
    def themes(self) -> List[Theme]:
        """The themes, in rubric order."""
        return self._native.themes()

    @property
    def perspectives(self) -> List[Perspective]:
        """The perspectives (named weight sets), in rubric order."""
        return self._native.perspectives()

    @property
    def bands(self) -> List[Band]:
        """The bands, from the highest threshold to the lowest."""
        return self._native.bands()

    def criterion(self, id: str) -> Criterion:
        """A criterion by id (``KeyError`` if there is none)."""
        for c in self._native.criteria():
            if c.id == id:
                return c
        raise KeyError(id)

    def title(self, lang: str = "en") -> str:
        """The title in ``lang`` (falling back to English, any language, then the id)."""
        return self._native.title(lang)

    def description(self, lang: str = "en") -> str:
        """The description in ``lang``."""
        return self._native.description(lang)

    def weights(self, perspective: Optional[str] = None) -> Dict[str, float]:
        """Effective weight (share of the total, summing to 1) of every criterion, under
        the rubric's own weights or a perspective's."""
        return self._native.weights(perspective)

    def describe(self, lang: str = "en") -> Dict[str, Any]:
        """A plain description in one language: what a form needs to render itself."""
        return self._native.describe(lang)

    def to_dict(self) -> Dict[str, Any]:
        """The rubric document as a dict (the JSON form)."""
        return self._native.to_dict()

    def to_json(self, *, compact: bool = False) -> str:
        """The rubric as pretty JSON, or with ``compact=True`` its canonical form (compact
        JSON, what the fingerprint hashes and what pickling uses)."""
        return self._native.canonical_json() if compact else self._native.to_json()

    def to_toml(self) -> str:
        """The rubric as TOML."""
        return self._native.to_toml()

    # ---- scoring ---------------------------------------------------------------------

    def score(self, inputs: Mapping[str, Input], *, perspective: Optional[str] = None) -> Score:
        """Score one initiative.

        ``inputs`` maps criterion ids to a number, a bool, an option id, a ``(low, high)``
        range, ``{"value": x, "evidence": grade}`` or ``None`` (missing; the rubric's
        missing-data policy applies). Raises :class:`InputError` with the ``path`` of the
        offending input."""
        return Score(self._native.score(inputs, perspective), self)

    def score_many(
        self, items: Iterable[Mapping[str, Input]], *, perspective: Optional[str] = None
    ) -> List[Score]:
        """Score many initiatives; an error names its row (``rows[3].input.support_share``)."""
        return [Score(d, self) for d in self._native.score_many(items, perspective)]

    def score_matrix(
        self,
        x: npt.NDArray[Any],
        columns: Sequence[str],
        *,
        perspective: Optional[str] = None,
        threads: Optional[int] = None,
    ) -> npt.NDArray[np.float64]:
        """Totals of a 2-D array (rows = initiatives) whose columns are named by
        ``columns``, in the numeric encoding: numbers, Likert levels, booleans as 0/1,
        categories as the 0-based option index, NaN = missing. Columns may be a subset of
        the criteria (at least one), in any order. Any real numeric dtype is accepted
        (converted to float64 once); in a numpy masked array, masked cells are missing.

        The GIL is released while scoring; a large matrix (100 000 rows or more) is split
        over ``threads`` threads (default: one per core; ``threads=1`` for one). Raises
        :class:`InputError` naming the first bad row (``rows[12].input.support_share``)."""
        if isinstance(columns, str):
            raise TypeError("columns must be a sequence of criterion ids, not one string")
        if isinstance(x, np.ma.MaskedArray):
            # Masked cells are missing: NaN in the numeric encoding.
            x = np.ma.filled(x.astype(np.float64), np.nan)
        return self._native.score_matrix(x, list(columns), perspective, threads)

    def score_frame(self, df: FrameT, *, perspective: Optional[str] = None) -> FrameT:
        """Score every row of a table whose columns are criterion ids, exactly as
        :meth:`score` would score each row (NaN, ``None``, nulls and ``pd.NA`` are missing;
        a cell may hold a ``(low, high)`` tuple or a ``{"value", "evidence"}`` dict).

        ``df`` is a pandas or Polars DataFrame or a pyarrow Table (any eager frame narwhals
        reads); the result is the same kind: pandas keeps the input's index. Its columns are
        ``total``, ``band`` (an ordered categorical, lowest band first: a pandas ordered
        Categorical, a Polars Enum, an ordered Arrow dictionary), ``low``, ``high``,
        ``knocked_out`` and ``points_<criterion id>`` for every criterion in rubric order.

        Each column is converted once (numbers to float64; a categorical column read by
        its codes; a string column encoded once per distinct string by the engine, through
        pyarrow's buffers when pyarrow is installed) and the rows are scored on every core
        with the GIL released. Raises :class:`InputError` naming the row
        (``rows[12].input.support_share``)."""
        from ._frame import frame_columns, frame_result

        table = frame_columns(df)
        total, low, high, knocked_out, band, points = self._native.score_columns(
            table.names, table.columns, table.rows, perspective
        )
        band_ids = [b.id for b in self._native.bands()]
        # `band` holds the codes of an ordered categorical, lowest band first (−1: no band).
        columns: Dict[str, npt.NDArray[Any]] = {"total": total, "low": low, "high": high, "knocked_out": knocked_out}
        for c, p in zip(self._native.criteria(), points):
            columns[f"points_{c.id}"] = p
        return frame_result(table, columns, "band", band, band_ids[::-1])  # type: ignore[no-any-return]

    # ---- a fund's portfolio ------------------------------------------------------------

    def select(
        self,
        frame: pandas.DataFrame,
        budget: float,
        cost: ColumnLike = "municipal_contribution",
        groups: Optional[ColumnLike] = None,
        min_per_group: Optional[int] = None,
        max_per_group: Optional[int] = None,
        *,
        perspective: Optional[str] = None,
    ) -> Selection:
        """Choose the initiatives (rows of ``frame``, read as :meth:`score_frame` reads
        them) with the largest sum of totals whose summed cost stays within ``budget``
        (whole euros), never a knocked-out one, taking at least ``min_per_group`` and at
        most ``max_per_group`` of every group when given. Exact (branch and bound in the
        engine, with the GIL released); among sets of equal value the cheapest.

        ``cost`` names a column of ``frame`` or is a Series aligned with it, in whole
        euros; ``groups`` likewise (e.g. ``"district"``). A named column that is not a
        criterion is left out of scoring. Returns a :class:`Selection` (``chosen``,
        ``value``, ``cost``, ``left``, ``table``). Raises :class:`InputError` naming the
        row for a cost that is missing, negative or not a whole number of euros
        (``rows[3].cost``), and ``input.infeasible`` when the group minimums cannot be met
        within the budget."""
        from ._select import select

        return select(self, frame, budget, cost, groups, min_per_group, max_per_group, perspective)

    # ---- monetised value ---------------------------------------------------------------

    def monetise(
        self,
        inputs: Mapping[str, Input],
        investment: Optional[float] = None,
        *,
        discount: Optional[DiscountLike] = None,
    ) -> MonetisedResult:
        """The initiative's monetised value (SROI) from the rubric's own proxy table: each
        outcome's yearly quantity is a criterion's input (a range counts at its middle; the
        ends give ``present_value_interval``), valued by its proxy. ``investment`` defaults
        to the input of the criterion the rubric names as its investment (the municipal
        contribution in the default rubric); ``discount`` to the rubric's own rate.
        Raises :class:`InputError` (``input.no_monetisation`` for a rubric without
        proxies, the scoring errors of the inputs, ``input.no_investment``…)."""
        arg = None if discount is None else _discount_arg(discount)
        return MonetisedResult(self._native.monetise(inputs, investment, arg))

    # ---- weigh and decide --------------------------------------------------------------

    def with_weights(self, weights: Mapping[str, float]) -> Rubric:
        """A new rubric (new fingerprint) whose effective criterion weights are ``weights``
        (criterion id -> weight, every criterion named; normalised to sum 1). Theme weights
        become the sums of their criteria's; everything else is unchanged. Raises
        :class:`InputError` for an unknown or missing id (``weights.<id>``) or a negative,
        non-finite or all-zero weight."""
        return Rubric._wrap(self._native.with_weights({str(k): float(v) for k, v in dict(weights).items()}))

    def compare_perspectives(self, inputs: Mapping[str, Input]) -> pandas.DataFrame:
        """One initiative under the rubric's own weights and every perspective's: a DataFrame
        indexed by criterion id with a column of points for ``"rubric"`` and for each
        perspective; each column sums to that weight set's total. ``.attrs["totals"]``,
        ``.attrs["bands"]`` and ``.attrs["differences"]`` (per perspective, the criterion
        whose points differ most from the rubric's weights)."""
        from ._perspectives import compare

        return compare(self, inputs)

    # ---- sensitivity --------------------------------------------------------------------

    def tornado(
        self, inputs: Mapping[str, Input], change: float = 0.2, *, perspective: Optional[str] = None
    ) -> pandas.DataFrame:
        """How one initiative's total moves with each weight: a DataFrame indexed by criterion
        id with ``weight`` (effective), ``low`` and ``high``, the totals when that weight is
        multiplied by ``1 - change`` and ``1 + change`` and the others are rescaled
        proportionally so the weights still sum to 1; sorted by ``|high - low|``, largest
        first. ``.attrs["total"]`` is the unchanged total; in a notebook it draws itself as an
        SVG tornado. Raises :class:`InputError` (``input.not_a_fraction`` unless
        ``0 <= change <= 1``, the scoring errors of the inputs)."""
        from ._sensitivity import tornado

        return tornado(self, inputs, change, perspective)

    def stability(self, frame: FrameLike, *, perspective: Optional[str] = None) -> pandas.DataFrame:
        """Exact weight stability of the ranking of ``frame``'s initiatives (rows, as in
        :meth:`score_frame`; the index names them): a DataFrame indexed by criterion id with
        ``weight``, ``lower``, ``upper`` (the range of that weight, the others rescaled
        proportionally, inside which the ranking of the initiatives that pass their
        knock-outs stays the same) and ``first_swap`` (the pair ``(higher, lower)`` that swaps
        at the nearer bound, or ``None``). Solved in closed form, not by sweeping.
        ``.attrs["ranking"]`` and ``.attrs["knocked_out"]`` list the initiatives."""
        from ._sensitivity import stability

        return stability(self, frame, perspective)

    def monte_carlo(
        self,
        frame: FrameLike,
        draws: int = 10_000,
        seed: int = 0,
        concentration: float = 100.0,
        vary_inputs: bool = True,
        top_k: int = 3,
        progress: ProgressLike = None,
        *,
        perspective: Optional[str] = None,
        threads: Optional[int] = None,
    ) -> MonteCarloResult:
        """Monte Carlo over the weights (a Dirichlet centred on the effective weights with
        this ``concentration``; ``math.inf`` keeps them fixed) and, when ``vary_inputs``, the
        inputs given as ranges or evidence grades (drawn uniformly inside them). Draw ``d``
        has its own generator seeded from ``(seed, d)``, so the numbers are the same bits on
        every platform, for any ``threads`` (default: one per core) and in the browser.

        Returns a :class:`MonteCarloResult` with ``.summary`` (``mean``, ``p5``, ``p50``,
        ``p95``, ``p_top_k`` per initiative), ``.ranks`` (initiatives × places, rows sum to
        1), ``.draws`` and ``.seed``. ``progress`` is a callable ``(done, total)`` called
        from time to time, or ``True`` for a tqdm bar; the GIL is released while drawing, and
        an exception in the callback (or Ctrl-C) stops the run and is raised."""
        from ._sensitivity import monte_carlo

        return monte_carlo(
            self,
            frame,
            draws=draws,
            seed=seed,
            concentration=concentration,
            vary_inputs=vary_inputs,
            top_k=top_k,
            progress=progress,
            perspective=perspective,
            threads=threads,
        )

    # ---- Python protocol -------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Rubric):
            return NotImplemented
        return self.fingerprint == other.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __reduce__(self) -> Tuple[Any, Tuple[str]]:
        # The canonical form: compact, and within the size limit whenever the rubric is.
        return (_from_json, (self._native.canonical_json(),))

    def __repr__(self) -> str:
        return (
            f"Rubric(id={self.id!r}, version={self.version!r}, criteria={len(self.criteria)}, "
            f"fingerprint={self.fingerprint[:12]!r})"
        )

    def _repr_html_(self) -> str:
        from ._html import rubric_html

        return rubric_html(self)
