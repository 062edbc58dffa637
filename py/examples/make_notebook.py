"""Write analyst.ipynb (without outputs) from the cells below: the notebook's source of
truth is this file, so it stays readable in review. Run: python make_notebook.py"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS = [
    new_markdown_cell(
        "# Scoring citizen initiatives with civic-value\n\n"
        "This notebook loads the built-in rubric, scores the three example initiatives, "
        "compares the perspectives of the municipality, the residents and the initiators, "
        "and scores a whole table at once. The default rubric is an *illustrative starting "
        "point*, not an official municipal standard."
    ),
    new_code_cell(
        "import json\n"
        "from pathlib import Path\n\n"
        "import numpy as np\n"
        "import pandas as pd\n\n"
        "from civic_value import Rubric\n\n"
        "rubric = Rubric.default()\n"
        "rubric"
    ),
    new_markdown_cell(
        "## The example initiatives\n\n"
        "A railway line turned into a city park, a repair café and a vegetable garden. "
        "Uncertain numbers are ranges (`[2500, 4000]` volunteer hours); an input may carry "
        "an evidence grade (`estimated`), which widens it into a range."
    ),
    new_code_cell(
        'examples = Path("../../examples")\n'
        'initiatives = json.loads((examples / "initiatives.json").read_text())\n'
        'scores = rubric.score_many(i["inputs"] for i in initiatives)\n'
        "summary = pd.DataFrame(\n"
        "    {\n"
        '        "name": [i["name"] for i in initiatives],\n'
        '        "total": [s.total for s in scores],\n'
        '        "low": [s.interval[0] for s in scores],\n'
        '        "high": [s.interval[1] for s in scores],\n'
        '        "band": [s.band for s in scores],\n'
        '        "knocked_out": [s.knocked_out for s in scores],\n'
        "    },\n"
        '    index=[i["id"] for i in initiatives],\n'
        ")\n"
        "summary.round(2)"
    ),
    new_markdown_cell(
        "Every score explains itself: the points per criterion (the bar) against what the "
        "criterion could earn (the grey track), grouped by theme, with a whisker where the "
        "input is a range."
    ),
    new_code_cell("park = scores[0]\npark"),
    new_code_cell(
        "garden = scores[2]\n"
        "print(garden)\n"
        "garden.to_pandas()[[\"label\", \"raw\", \"points\", \"available\", \"flags\"]].round(2)"
    ),
    new_markdown_cell(
        "## Looking through each other's glasses\n\n"
        "The same initiatives under each perspective's weights, and which criteria make the "
        "difference between the residents' and the municipality's view of the park."
    ),
    new_code_cell(
        "by_perspective = pd.DataFrame(\n"
        "    {\n"
        '        p.label(): [rubric.score(i["inputs"], perspective=p.id).total for i in initiatives]\n'
        "        for p in rubric.perspectives\n"
        "    },\n"
        '    index=[i["id"] for i in initiatives],\n'
        ")\n"
        'by_perspective.insert(0, "Rubric", summary["total"])\n'
        "by_perspective.round(2)"
    ),
    new_code_cell(
        'park_inputs = initiatives[0]["inputs"]\n'
        'residents = rubric.score(park_inputs, perspective="residents").to_pandas()\n'
        'municipality = rubric.score(park_inputs, perspective="municipality").to_pandas()\n'
        '(residents["points"] - municipality["points"]).sort_values().round(2).rename("residents - municipality")'
    ),
    new_markdown_cell(
        "## A whole table at once\n\n"
        "`score_frame` scores every row of a DataFrame exactly as `score` would, without a "
        "Python loop; `Rubric.read_csv` reads a CSV the way the command line does (`2500..4000` "
        "is a range, `ja`/`nee` a boolean; a `;`-separated spreadsheet export with decimal "
        "commas works too)."
    ),
    new_code_cell(
        'table = rubric.read_csv(examples / "initiatives.csv")\n'
        "rubric.score_frame(table).round(2)"
    ),
    new_markdown_cell(
        "`score_matrix` takes a plain float64 matrix in the numeric encoding (booleans 0/1, "
        "categories by option index, NaN = missing): here 100 000 synthetic initiatives."
    ),
    new_code_cell(
        "rng = np.random.default_rng(1)\n"
        "n = 100_000\n"
        "x = np.column_stack([\n"
        "    rng.uniform(0, 6000, n), rng.integers(1, 6, n), rng.integers(0, 3, n),\n"
        "    rng.uniform(0, 25000, n), rng.integers(1, 6, n), rng.uniform(0, 15000, n),\n"
        "    rng.uniform(0, 100, n), rng.integers(0, 8, n), rng.integers(1, 6, n),\n"
        "    rng.integers(0, 2, n), rng.uniform(0, 300000, n), rng.uniform(0, 100, n),\n"
        "]).astype(float)\n"
        "totals = rubric.score_matrix(x, [c.id for c in rubric.criteria])\n"
        "pd.Series(totals).describe().round(2)"
    ),
]


def main() -> None:
    nb = new_notebook(cells=CELLS)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    path = Path(__file__).with_name("analyst.ipynb")
    nbformat.validate(nb)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
