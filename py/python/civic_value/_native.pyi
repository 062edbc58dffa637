# Hand-written stubs of the native module (checked against it by mypy.stubtest in
# scripts/steps/python.sh, so they cannot drift).

from os import PathLike
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "ENGINE_VERSION",
    "Band",
    "CivicValueError",
    "Criterion",
    "InputError",
    "NativeRubric",
    "Perspective",
    "RubricError",
    "Theme",
    "read_csv",
    "select_portfolio",
    "sroi",
    "sroi_sensitivity",
]

ENGINE_VERSION: str

class CivicValueError(ValueError):
    """Base class of every civic-value error."""

    #: The core's stable code, e.g. ``"input.not_a_number"``.
    code: str
    #: The path of the offending field, e.g. ``"input.volunteer_hours"``.
    path: str
    #: The message without the path.
    message: str
    #: Every problem found (a rubric may have several), each as its own exception.
    errors: List[CivicValueError]

class RubricError(CivicValueError): ...
class InputError(CivicValueError): ...

@final
class NativeRubric:
    @staticmethod
    def builtin() -> NativeRubric: ...
    @staticmethod
    def from_json(text: str) -> NativeRubric: ...
    @staticmethod
    def from_toml(text: str) -> NativeRubric: ...
    @staticmethod
    def from_dict(doc: Any) -> NativeRubric: ...
    @staticmethod
    def from_file(path: Union[str, PathLike[str]]) -> NativeRubric: ...
    @property
    def id(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def aggregation(self) -> str: ...
    def title(self, lang: str = "en") -> str: ...
    def description(self, lang: str = "en") -> str: ...
    def criteria(self) -> List[Criterion]: ...
    def themes(self) -> List[Theme]: ...
    def perspectives(self) -> List[Perspective]: ...
    def bands(self) -> List[Band]: ...
    def weights(self, perspective: Optional[str] = None) -> Dict[str, float]: ...
    def to_json(self) -> str: ...
    def canonical_json(self) -> str: ...
    def to_toml(self) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def describe(self, lang: str = "en") -> Dict[str, Any]: ...
    def score(self, inputs: Any, perspective: Optional[str] = None) -> Dict[str, Any]: ...
    def score_many(self, items: Iterable[Any], perspective: Optional[str] = None) -> List[Dict[str, Any]]: ...
    def score_matrix(
        self,
        x: Any,
        columns: Sequence[str],
        perspective: Optional[str] = None,
        threads: Optional[int] = None,
    ) -> npt.NDArray[np.float64]: ...
    def score_columns(
        self,
        names: Sequence[str],
        columns: Sequence[Union[npt.NDArray[Any], Tuple[npt.NDArray[np.int64], List[Any]], List[Any]]],
        rows: int,
        perspective: Optional[str] = None,
    ) -> Tuple[
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.bool_],
        npt.NDArray[np.int32],
        npt.NDArray[np.float64],
    ]: ...
    def monetise(self, inputs: Any, investment: Optional[float] = None, discount: Any = None) -> Dict[str, Any]: ...
    def tornado(self, inputs: Any, change: float = 0.2, perspective: Optional[str] = None) -> Dict[str, Any]: ...
    def stability(
        self, names: List[str], columns: List[Any], rows: int, perspective: Optional[str] = None
    ) -> Dict[str, Any]: ...
    def monte_carlo(
        self,
        names: List[str],
        columns: List[Any],
        rows: int,
        draws: int,
        seed: int,
        concentration: float,
        vary_inputs: bool,
        top_k: int,
        perspective: Optional[str] = None,
        threads: Optional[int] = None,
        progress: Optional[Callable[[int, int], Any]] = None,
    ) -> Dict[str, Any]: ...

@final
class Criterion:
    """A criterion of a rubric."""

    @property
    def id(self) -> str: ...
    @property
    def theme(self) -> str: ...
    def label(self, lang: str = "en") -> str: ...
    def help(self, lang: str = "en") -> str: ...
    @property
    def unit(self) -> Optional[str]: ...
    @property
    def kind(self) -> str: ...
    @property
    def weight(self) -> float: ...
    @property
    def min(self) -> Optional[float]: ...
    @property
    def max(self) -> Optional[float]: ...
    @property
    def levels(self) -> Optional[int]: ...
    @property
    def options(self) -> List[str]: ...
    def parse_text(
        self, text: str
    ) -> Union[None, float, Tuple[float, float], bool, str, Dict[str, Any]]: ...
    @property
    def knockout(self) -> Optional[str]: ...

@final
class Theme:
    """A theme of a rubric."""

    @property
    def id(self) -> str: ...
    def label(self, lang: str = "en") -> str: ...
    def help(self, lang: str = "en") -> str: ...
    @property
    def weight(self) -> float: ...
    @property
    def criteria(self) -> List[str]: ...

@final
class Perspective:
    """A perspective (named weight set) of a rubric."""

    @property
    def id(self) -> str: ...
    def label(self, lang: str = "en") -> str: ...
    def help(self, lang: str = "en") -> str: ...

@final
class Band:
    """A band of a rubric."""

    @property
    def id(self) -> str: ...
    @property
    def min(self) -> float: ...
    def label(self, lang: str = "en") -> str: ...

def read_csv(
    rubric: NativeRubric,
    path: Optional[Union[str, PathLike[str]]] = None,
    data: Optional[bytes] = None,
    delimiter: Optional[str] = None,
    decimal: Optional[str] = None,
    ignore: List[str] = ...,
) -> Tuple[List[str], List[str], List[List[Any]]]: ...
def sroi(outcomes: Any, investment: float, discount: Any = None) -> Dict[str, Any]: ...
def sroi_sensitivity(outcomes: Any, investment: float, discount: Any = None, ends: Any = None) -> List[Dict[str, Any]]: ...

def select_portfolio(
    totals: npt.NDArray[np.float64],
    knocked_out: npt.NDArray[np.bool_],
    costs: Union[npt.NDArray[Any], List[Any]],
    groups: Optional[List[Optional[str]]],
    budget: float,
    min_per_group: Optional[int] = None,
    max_per_group: Optional[int] = None,
) -> Dict[str, Any]: ...
