"""Render the README's picture of a score in a notebook (score.png): the park example's
HTML output, photographed by headless Chromium (Debian's `chromium` package).

    target/venv-py/bin/python py/examples/screenshot.py
"""

import json
import subprocess
import tempfile
from pathlib import Path

from civic_value import Rubric

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1] / "examples"


def main() -> None:
    rubric = Rubric.default()
    park = json.loads((EXAMPLES / "oosterspoorbaan.json").read_text())
    html = rubric.score(park["inputs"])._repr_html_()
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "score.html"
        page.write_text(
            "<!doctype html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'></head>"
            f"<body style='margin:12px;background:#fff'>{html}</body></html>",
            encoding="utf-8",
        )
        subprocess.run(
            [
                "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={tmp}/profile", "--hide-scrollbars", "--window-size=640,392",
                f"--screenshot={HERE / 'score.png'}", page.as_uri(),
            ],
            check=True,
            stderr=subprocess.DEVNULL,
        )


if __name__ == "__main__":
    main()
