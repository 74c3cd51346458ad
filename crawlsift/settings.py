"""Option dataclasses from keywords, with bad names and values as :class:`InputError`.

Every option set of crawlsift is a frozen dataclass whose field defaults are the
library's defaults (the CLI shows them from there). :func:`from_keywords` builds one
from keyword arguments and :func:`check_types` checks the values of a built one against
the field annotations, so that a wrong name or type is an ``InputError`` naming the
option rather than a ``TypeError`` from inside the run.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any, TypeVar

from crawlsift.errors import InputError

T = TypeVar("T")

#: annotation text (the modules use postponed annotations) -> the types a value may have
_SIMPLE: dict[str, tuple[type, ...]] = {
    "bool": (bool,),
    "int": (int,),
    "float": (int, float),
    "str": (str,),
}


def _accepts(annotation: str, value: Any) -> bool:
    """Whether ``value`` fits ``annotation``; annotations this does not know pass."""
    options = [a.strip() for a in annotation.split("|")]
    if value is None:
        return "None" in options or not any(o in _SIMPLE for o in options)
    for option in options:
        if option.startswith("tuple[") and isinstance(value, (tuple, list)):
            return True
        types = _SIMPLE.get(option)
        if types is None:
            if option != "None":
                return True  # a type this check does not cover
            continue
        if isinstance(value, bool) and bool not in types:
            continue  # True is an int to Python, not to an option
        if isinstance(value, types):
            return True
    return False


def check_types(options: Any, what: str) -> None:
    """Raise :class:`InputError` for a field of ``options`` whose value has the wrong type."""
    for f in fields(options):
        value = getattr(options, f.name)
        annotation = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
        if not _accepts(annotation, value):
            raise InputError(
                f"{what} option {f.name} must be {annotation}, not {type(value).__name__} "
                f"({value!r})"
            )


def from_keywords(cls: type[T], values: dict[str, Any], what: str) -> T:
    """``cls(**values)``; a name that is not a field of ``cls`` is an :class:`InputError`."""
    assert is_dataclass(cls)
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise InputError(
            f"unknown {what} option(s): {', '.join(unknown)}; use {', '.join(sorted(names))}"
        )
    return cls(**values)
