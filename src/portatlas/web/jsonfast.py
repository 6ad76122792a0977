"""``to_json`` with a plan per type: the same JSON-ready data, about three times faster.

The export turns 65,536 reports into JSON; ``model.to_json`` re-discovers each
value's fields on every call. Here each dataclass type's field and property
names are looked up once. Tests check the two agree on every kind of answer.
"""

from __future__ import annotations

import enum
from dataclasses import fields, is_dataclass
from typing import Any

from portatlas.model import _EXTRA, to_json

_SCALARS = (str, int, float, bool, type(None))
_plans: dict[type, tuple[str, ...] | None] = {}


def _plan(t: type) -> tuple[str, ...] | None:
    """Field names then extra property names of a dataclass type; None for anything else."""
    if t not in _plans:
        if is_dataclass(t):
            _plans[t] = tuple(f.name for f in fields(t)) + tuple(_EXTRA.get(t.__name__, ()))
        else:
            _plans[t] = None
    return _plans[t]


def to_data(value: Any) -> Any:
    """What ``portatlas.model.to_json(value)`` returns."""
    t = type(value)
    if t in _SCALARS:
        return value
    if t is tuple or t is list:
        return [to_data(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    plan = _plan(t)
    if plan is not None:
        return {name: to_data(getattr(value, name)) for name in plan}
    if isinstance(value, dict):
        return {str(to_data(k)): to_data(v) for k, v in value.items()}
    return to_json(value)  # anything else: exactly as the model does it
