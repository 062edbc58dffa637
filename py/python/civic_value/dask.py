"""Scoring a Dask DataFrame: on the cores of one machine or on a cluster.

    import dask.dataframe as dd
    from distributed import Client
    from civic_value import Rubric
    import civic_value.dask

    client = Client("tcp://scheduler:8786")          # or a LocalCluster, or no client
    ddf = dd.read_parquet("initiatives/*.parquet")
    scores = civic_value.dask.score_frame(Rubric.from_file("rubric.toml"), ddf)
    scores.to_parquet("scores/")

Each partition is scored by :meth:`Rubric.score_frame` in the worker that holds it; the
rubric travels to the workers by pickle (its compact canonical JSON, a few kB). Needs
``dask[dataframe]`` (and ``distributed`` for a cluster).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, cast

if TYPE_CHECKING:
    import dask.dataframe

    from ._rubric import Rubric

__all__ = ["score_frame"]


def _score_partition(part: Any, rubric: Rubric, perspective: Optional[str]) -> Any:
    """One partition through :meth:`Rubric.score_frame` (runs in the worker)."""
    return rubric.score_frame(part, perspective=perspective)


def score_frame(rubric: Rubric, ddf: dask.dataframe.DataFrame, perspective: Optional[str] = None) -> dask.dataframe.DataFrame:
    """Score every row of a Dask DataFrame whose columns are criterion ids: a lazy Dask
    DataFrame with the columns and index of :meth:`Rubric.score_frame` (``total``,
    ``band``, ``low``, ``high``, ``knocked_out``, ``points_<id>``), partition by partition.

    Nothing is computed until the result is (``.compute()``, ``.to_parquet(...)``); an
    :class:`InputError` in a partition is raised then, naming the row within its
    partition. Raises ``TypeError`` when ``ddf`` is not a Dask DataFrame."""
    import dask.dataframe as dd

    if not isinstance(ddf, dd.DataFrame):
        raise TypeError(f"expected a Dask DataFrame, got {type(ddf).__name__}")
    # The result's schema: the same function on the (empty) pandas frame Dask keeps as meta;
    # it also checks the columns (unknown criteria, duplicates) before anything runs.
    meta = rubric.score_frame(ddf._meta, perspective=perspective)
    scored = ddf.map_partitions(  # type: ignore[no-untyped-call,unused-ignore]
        _score_partition, rubric, perspective, meta=meta, align_dataframes=False
    )
    return cast("dask.dataframe.DataFrame", scored)
