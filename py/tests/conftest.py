"""Shared fixtures: the repository's paths, the default rubric and the test vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

from civic_value import Rubric

REPO = Path(__file__).resolve().parents[2]
VECTORS_DIR = REPO / "tests" / "vectors"
EXAMPLES_DIR = REPO / "examples"


def vector_files() -> List[Path]:
    return sorted(VECTORS_DIR.glob("*.json"))


def load_vector(path: Path) -> Dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    return Rubric.default()


@pytest.fixture(scope="session")
def initiatives() -> List[Dict[str, Any]]:
    return json.loads((EXAMPLES_DIR / "initiatives.json").read_text(encoding="utf-8"))
