"""Run the typed usage file that mypy --strict checks (tests/typed/usage.py)."""

from __future__ import annotations

from typed.usage import main


def test_typed_usage_runs() -> None:
    result = main()
    assert 0 <= result["total"] <= 100
    assert 0 <= result["matrix"] <= 100
