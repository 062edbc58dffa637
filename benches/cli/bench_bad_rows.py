"""The command line on a CSV with bad rows: `civic-value score --format csv` of N rows of the
built-in rubric with every K-th row out of range (support_share 150 — it encodes but cannot be
scored), against the same file with no bad row, in one run (interleaved, best CPU time of 7).

Before, one such row sent its whole chunk (≥ 256 rows) row by row; now only that row leaves
the block path. The ratio bad/clean shows what bad rows cost; with `--baseline PATH` (an
older build of the CLI) the two builds are also compared on the file with bad rows, and
their outputs must be identical.

    target/venv-py/bin/python benches/cli/bench_bad_rows.py [--rows 200000] [--every 500]
        [--baseline /path/to/old/civic-value] [--quick]

Needs the release CLI (`cargo build --release -p civic-value-cli`) and numpy (the venv of
`./scripts/test python`).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_stream import CLI, matrix, write_csv


def once(cli: str, path: Path) -> Tuple[float, float, bytes, bytes]:
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([cli, "score", "--format", "csv", str(path)], capture_output=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return wall, cpu, out.stdout, out.stderr


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--every", type=int, default=500)
    ap.add_argument("--baseline", help="an older build of the CLI to compare with")
    ap.add_argument("--quick", action="store_true", help="a smoke run: 5 000 rows, one round")
    a = ap.parse_args()
    rows, rounds = (5_000, 1) if a.quick else (a.rows, 7)
    with tempfile.TemporaryDirectory() as tmp:
        x = matrix(rows)
        clean = Path(tmp) / "clean.csv"
        write_csv(x, clean)
        x[:: a.every, 6] = 150.0
        bad = Path(tmp) / "bad.csv"
        write_csv(x, bad)
        runs = {"clean": (str(CLI), clean), "bad": (str(CLI), bad)}
        if a.baseline:
            runs["baseline bad"] = (a.baseline, bad)
        best: Dict[str, Tuple[float, float, bytes, bytes]] = {}
        for _ in range(rounds):
            for name, (cli, path) in runs.items():
                r = once(cli, path)
                if name not in best or r[1] < best[name][1]:
                    best[name] = r
    for name, (wall, cpu, _, _) in best.items():
        print(f"  {name:<13} {wall:.3f} s wall, {cpu:.3f} s CPU")
    print(f"  {rows} rows, a bad row every {a.every}: bad / clean {best['bad'][1] / best['clean'][1]:.2f}x CPU")
    if a.baseline:
        same = best["baseline bad"][2:] == best["bad"][2:]
        print(f"  baseline / this build on the bad file: {best['baseline bad'][1] / best['bad'][1]:.2f}x CPU"
              f" (outputs {'identical' if same else 'DIFFER'})")
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
