"""Every ```python (and ```toml) example of README.md, run as a reader would run it.

The README is the independent source here: its printed outputs and result comments are what a
new user reads, so they are the expected values, never numbers produced by this test.

How the README's blocks are read (the same rules as cli/tests/readme.rs and
wasm/tests/node/readme.test.mjs; the markers are described in the README source):

- A section is everything under one `## ` heading. Its ```python blocks run in order in one
  namespace (a later block may use what an earlier one made), from the repository root, with
  `__name__ == "__main__"`.
- `<!-- no-run: REASON -->` on the line before a block skips it (REASON must be given).
- A bare expression whose comment starts with `# →` is checked: the text after the arrow (up to
  ` — `, where prose may follow) must equal the value's `repr` or `str`; `…` stands for any
  text (digits cut off, an abridged list). `# →` alone at the end of the line compares the
  comment lines right below it (`# ` cut off) with the value's `str`, line by line.
- A ```text block right after a ```python block (blank lines between) is the block's output:
  its stdout is compared line by line. An output may be abridged: a line `…` stands for any
  number of lines, a `…` inside a line for any text; every other line must be there, in order,
  and nothing may follow the last shown line unless the block ends with a `…` line.
- A `→` comment on anything but a bare expression is an error (it would not be checked).
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"

FENCE_OPEN = re.compile(r"^(\s*)```(\w+)\s*$")
FENCE_CLOSE = re.compile(r"^\s*```\s*$")
NO_RUN = re.compile(r"^\s*<!--\s*no-run:\s*(.*?)\s*-->\s*$")
ARROW = "→"


@dataclass
class Block:
    line: int  # 1-based line of the opening fence
    end: int  # 1-based line of the closing fence
    lang: str
    section: str
    body: str
    no_run: Optional[str]  # the reason, when marked


def read_blocks(text: str) -> List[Block]:
    lines = text.split("\n")
    blocks: List[Block] = []
    section = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            section = line[3:].strip()
        m = FENCE_OPEN.match(line)
        if m:
            indent = len(m.group(1))
            start = i
            body: List[str] = []
            i += 1
            while i < len(lines) and not FENCE_CLOSE.match(lines[i]):
                body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
                i += 1
            assert i < len(lines), f"README.md:{start + 1}: the block is never closed"
            marker = NO_RUN.match(lines[start - 1]) if start > 0 else None
            blocks.append(
                Block(
                    line=start + 1,
                    end=i + 1,
                    lang=m.group(2),
                    section=section,
                    body="\n".join(body) + "\n",
                    no_run=marker.group(1) if marker else None,
                )
            )
        i += 1
    return blocks


BLOCKS = read_blocks(README.read_text(encoding="utf-8"))


def following_output(block: Block) -> Optional[Block]:
    """The ```text block right after `block` (only blank lines between), if there is one."""
    lines = README.read_text(encoding="utf-8").split("\n")
    for nxt in BLOCKS:
        if nxt.line > block.end:
            between = lines[block.end : nxt.line - 1]
            if nxt.lang == "text" and all(not s.strip() for s in between):
                return nxt
            return None
    return None


# --- comparing shown text with real text ---------------------------------------------------


def line_matches(shown: str, real: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in shown.split("…"))
    return re.fullmatch(pattern, real, flags=re.DOTALL) is not None


def lines_match(shown: List[str], real: List[str]) -> bool:
    shown = [s.rstrip() for s in shown]
    real = [r.rstrip() for r in real]
    while shown and not shown[-1]:
        shown.pop()
    while real and not real[-1]:
        real.pop()
    memo: Dict[Any, bool] = {}

    def go(i: int, j: int) -> bool:
        key = (i, j)
        if key not in memo:
            if i == len(shown):
                result = j == len(real)
            elif shown[i].strip() == "…":
                result = any(go(i + 1, k) for k in range(j, len(real) + 1))
            else:
                result = j < len(real) and line_matches(shown[i], real[j]) and go(i + 1, j + 1)
            memo[key] = result
        return memo[key]

    return go(0, 0)


def test_the_matching_rules_reject_what_they_should() -> None:
    # The rules themselves, so that a README check cannot pass by a loose comparison.
    assert lines_match(["a", "…", "d"], ["a", "b", "c", "d"])
    assert not lines_match(["a", "…", "d"], ["a", "b", "c", "d", "e"])  # nothing after d
    assert lines_match(["a", "…"], ["a", "b"])
    assert not lines_match(["a", "c"], ["a", "b", "c"])  # no gap without a … line
    assert line_matches("3.2876…", "3.287658183068566")
    assert not line_matches("3.2877…", "3.287658183068566")
    assert not line_matches("total 80.9", "total 80.8")
    assert not lines_match(["  x"], ["x"])  # indentation counts


# --- running python blocks -----------------------------------------------------------------


def comments_by_line(source: str) -> Dict[int, str]:
    out: Dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            out[tok.start[0]] = tok.string
    return out


def check_value(block: Block, lineno: int, value: Any, shown: str, below: List[str]) -> None:
    where = f"README.md:{block.line + lineno}"  # lineno counts from the fence
    renderings = [repr(value), str(value)]
    if shown:
        expected = shown.split(" — ", 1)[0].strip()
        assert any(line_matches(expected, r) for r in renderings), (
            f"{where}: README shows {expected!r}, the code gives {renderings[0]!r}"
        )
    else:
        assert below, f"{where}: '# →' alone needs the value in the comment lines below it"
        assert lines_match(below, str(value).split("\n")), (
            f"{where}: README shows\n" + "\n".join(below) + "\nthe code gives\n" + str(value)
        )


class _Arrows(ast.NodeTransformer):
    """Turns every bare expression on a `# →` line into `__readme_check__(line, expression)`."""

    def __init__(self, lines: Set[int]) -> None:
        self.lines = lines

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        end = node.end_lineno or node.lineno
        if end not in self.lines:
            return node
        call = ast.Call(
            func=ast.Name(id="__readme_check__", ctx=ast.Load()),
            args=[ast.Constant(value=end), node.value],
            keywords=[],
        )
        return ast.copy_location(ast.Expr(value=call), node)


def run_python(block: Block, namespace: Dict[str, Any]) -> str:
    """Runs one block, checking its `→` comments; returns what it printed."""
    source = block.body
    comments = comments_by_line(source)
    src_lines = source.split("\n")
    arrows = {n for n, c in comments.items() if c.startswith("# " + ARROW)}
    checked: Set[int] = set()

    def check(readme_line: int, value: Any) -> None:
        lineno = readme_line - block.line
        shown = comments[lineno][len("# " + ARROW) :].strip()
        below: List[str] = []
        if not shown:
            k = lineno  # 0-based index of the next line
            while k < len(src_lines) and src_lines[k].lstrip().startswith("#"):
                text = src_lines[k].lstrip()
                below.append(text[2:] if text.startswith("# ") else text[1:])
                k += 1
        check_value(block, lineno, value, shown, below)
        checked.add(lineno)

    # Line numbers as in README.md, so that a traceback points at the README's line.
    tree = ast.increment_lineno(ast.parse(source), block.line)
    tree = _Arrows({block.line + n for n in arrows}).visit(tree)
    ast.fix_missing_locations(tree)
    namespace["__readme_check__"] = check
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(tree, "README.md", "exec"), namespace)
    for lineno in sorted(arrows - checked):
        raise AssertionError(
            f"README.md:{block.line + lineno}: this '→' comment was never checked (it must end "
            "a bare expression that runs)"
        )
    return out.getvalue()


def python_sections() -> List[str]:
    seen: List[str] = []
    for b in BLOCKS:
        if b.lang == "python" and b.section not in seen:
            seen.append(b.section)
    return seen


@pytest.mark.parametrize("section", python_sections())
def test_python_examples(section: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    namespace: Dict[str, Any] = {"__name__": "__main__"}
    ran = 0
    for block in BLOCKS:
        if block.lang != "python" or block.section != section:
            continue
        if block.no_run is not None:
            assert block.no_run, f"README.md:{block.line}: no-run needs a reason"
            continue
        stdout = run_python(block, namespace)
        ran += 1
        output = following_output(block)
        if output is not None:
            assert lines_match(output.body.split("\n"), stdout.split("\n")), (
                f"README.md:{output.line}: the README shows\n{output.body}\n"
                f"the block at line {block.line} prints\n{stdout}"
            )
    if ran == 0:
        pytest.skip(f"every python block of {section!r} is marked no-run")


def test_the_readme_has_python_examples() -> None:
    # A parser that found nothing would make every test above vacuous.
    assert len([b for b in BLOCKS if b.lang == "python"]) >= 10
    assert len(python_sections()) >= 5


# --- the rubric format ---------------------------------------------------------------------


def test_toml_examples_are_valid_rubrics() -> None:
    from civic_value import Rubric

    tomls = [b for b in BLOCKS if b.lang == "toml" and b.no_run is None]
    assert tomls, "the README's TOML example was not found"
    for block in tomls:
        rubric = Rubric.from_toml(block.body)
        assert rubric.id, f"README.md:{block.line}"

