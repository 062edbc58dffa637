"""civic_value.dask.score_frame on a real two-process cluster (distributed.LocalCluster)
gives exactly the local score_frame, partition by partition."""

from __future__ import annotations

import os
from typing import Any, Iterator, Set

import numpy as np
import pandas as pd
import pytest

from civic_value import InputError, Rubric

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import civic_value.dask  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, silence_logs=40
    ) as cluster, distributed.Client(cluster) as client:
        yield client


def frame(rubric: Rubric, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    return pd.DataFrame(
        {
            "support_share": rng.uniform(0, 100, n),
            "volunteer_hours": rng.uniform(0, 5000, n),
            "neighbour_contact": rng.integers(1, 6, n),
            "permit_secured": rng.random(n) < 0.5,
            "inclusion": pd.Categorical(rng.choice(["none", "one_group", "several_groups"], n)),
        },
        index=pd.Index([f"i{k}" for k in range(n)], name="id"),
    )


def pid_of(part: pd.DataFrame) -> pd.Series:
    return pd.Series([os.getpid()] * len(part), index=part.index)


def test_cluster_result_equals_local(client: Any, rubric: Rubric) -> None:
    df = frame(rubric, 4000)
    ddf = dd.from_pandas(df, npartitions=4)
    for perspective in (None, "residents"):
        lazy = civic_value.dask.score_frame(rubric, ddf, perspective=perspective)
        assert isinstance(lazy, dd.DataFrame)
        got = lazy.compute()
        # The local result on the same data (Dask turns the string index into its own dtype).
        expected = rubric.score_frame(ddf.compute(), perspective=perspective)
        pd.testing.assert_frame_equal(got, expected)
        assert got["band"].cat.ordered
    # The work ran in both worker processes, not in this one.
    pids: Set[int] = set(ddf.map_partitions(pid_of, meta=("pid", "int64")).compute().tolist())
    assert len(pids) == 2 and os.getpid() not in pids
    assert len(client.scheduler_info()["workers"]) == 2


def test_meta_matches_the_computed_frame(rubric: Rubric) -> None:
    ddf = dd.from_pandas(frame(rubric, 100), npartitions=2)
    lazy = civic_value.dask.score_frame(rubric, ddf)
    computed = lazy.compute(scheduler="sync")
    assert list(lazy.columns) == list(computed.columns)
    assert lazy.dtypes.to_dict() == computed.dtypes.to_dict()


def test_errors_before_and_at_compute(client: Any, rubric: Rubric) -> None:
    # A column that is no criterion: refused at once, from the meta.
    with pytest.raises(InputError) as info:
        civic_value.dask.score_frame(rubric, dd.from_pandas(pd.DataFrame({"nope": [1.0]}), npartitions=1))
    assert info.value.code == "input.unknown_criterion"
    # A bad value: raised when computed, from the worker, naming the row in its partition.
    bad = dd.from_pandas(pd.DataFrame({"support_share": [50.0, 60.0, 70.0, 150.0]}), npartitions=2)
    with pytest.raises(InputError) as info:
        civic_value.dask.score_frame(rubric, bad).compute()
    assert info.value.code == "input.above_max"
    assert info.value.path == "rows[1].input.support_share"
    with pytest.raises(TypeError):
        civic_value.dask.score_frame(rubric, pd.DataFrame({"support_share": [1.0]}))  # type: ignore[arg-type]
