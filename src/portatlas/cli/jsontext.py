"""Values as indented JSON text, written straight from the values, without the json package.

``dumps(v)`` is ``json.dumps(portatlas.value.to_data(v), indent=2,
ensure_ascii=False)``, byte for byte (a test holds them together on real
answers and on generated data), at a fraction of the cost: it skips the
intermediate dicts ``to_data`` builds, ``json.dumps`` with ``indent`` runs
its pure-Python encoder (the C one cannot indent), and importing json loads
``re`` (~5 ms). With a thousand sockets (`portatlas listening --json`) that
is the difference between a few milliseconds and tens.

Each type is written by a function found by the type itself; a value class
gets one generated for it on first use (one expression over its fields), so
an object costs one call. Strings go through the C function json itself uses.
"""

from __future__ import annotations

try:
    from _json import (
        encode_basestring as _string,  # json's own C encoder for ensure_ascii=False
    )
except ImportError:  # an interpreter without json's accelerator
    from json.encoder import py_encode_basestring as _string

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Writer = Callable[[Any, str], str]

__all__ = ["dumps"]

_INF = float("inf")


def _str(o: str, ind: str) -> str:
    return _string(o)


def _choice(o: str, ind: str) -> str:
    return _string(o)  # json's encoder reads a str subclass's characters: the plain string's JSON


def _int(o: int, ind: str) -> str:
    return int.__repr__(o)


def _bool(o: bool, ind: str) -> str:
    return "true" if o else "false"


def _none(o: None, ind: str) -> str:
    return "null"


def _float(o: float, ind: str) -> str:
    if o in (_INF, -_INF) or o != o:  # noqa: PLR0124 - NaN is the float unequal to itself
        return "NaN" if o != o else "Infinity" if o > 0 else "-Infinity"  # noqa: PLR0124
    return float.__repr__(o)


def _list(o: Any, ind: str) -> str:
    if not o:
        return "[]"
    inner = ind + "  "
    items = (",\n" + inner).join([_string(x) if x.__class__ is str else _enc(x, inner) for x in o])
    return f"[\n{inner}{items}\n{ind}]"


def _dict(o: dict[Any, Any], ind: str) -> str:
    if not o:
        return "{}"
    inner = ind + "  "
    keys = [str(_key_data(k)) for k in o]
    items: Any = zip(keys, o.values())
    if len(set(keys)) < len(keys):  # 1 and "1" are one key once written, the last value kept (as to_data does)
        items = dict(items).items()
    return ("{\n" + inner + (",\n" + inner).join([_string(k) + ": " + _enc(v, inner) for k, v in items])
            + "\n" + ind + "}")


def _key_data(k: Any) -> Any:
    """A dict key as ``to_data`` makes it before ``str()``: a Choice's plain string, a value's data."""
    if type(k) in (str, int, float, bool, type(None)):
        return k
    from portatlas.value import to_data

    return to_data(k)


_CHOICES: set[type] = set()  # the Choice classes met so far (written as their plain strings)
_WRITERS: dict[type, Writer] = {str: _str, int: _int, bool: _bool, type(None): _none, float: _float,
                                tuple: _list, list: _list, dict: _dict}


def _learn(t: type) -> Writer:
    """The writer of a type met for the first time: a Choice, a value class, or a container subclass."""
    if issubclass(t, str):
        w: Writer = _choice
        _CHOICES.add(t)
    elif hasattr(t, "__fields__"):
        w = _value_writer(t)
    elif issubclass(t, dict):
        w = _dict
    elif issubclass(t, (tuple, list)):
        w = _list
    else:
        raise TypeError(f"{t.__name__} is not a portatlas value")
    _WRITERS[t] = w
    return w


def _value_writer(t: type) -> Writer:
    """A function writing instances of the value class ``t``: one f-string over its fields in order
    (its ``__json_extra__`` properties after), a str, Choice, None or int field written inline."""
    names = tuple(t.__fields__) + tuple(getattr(t, "__json_extra__", ()))  # type: ignore[attr-defined]
    if not names:
        return lambda o, ind: "{}"
    parts = []
    for i, n in enumerate(names):
        if not n.isidentifier():
            raise TypeError(f"{t.__name__}.{n} is not a field name")
        parts.append(("{{\\n{inner}" if i == 0 else ",\\n{inner}") + _string(n) + ": "
                     + f"{{(S(v) if (c := (v := o.{n}).__class__) is str or c in C else N if v is None "
                     f"else R(v) if c is int else (W.get(c) or L(c))(v, inner))}}")
    src = ("def write(o, ind):\n    inner = ind + '  '\n    return f'" + "".join(parts) + "\\n{ind}}}'\n")
    scope: dict[str, Any] = {"S": _string, "R": int.__repr__, "N": "null", "C": _CHOICES, "W": _WRITERS,
                             "L": _learn}
    exec(compile(src, f"<json writer {t.__name__}>", "exec"), scope)  # noqa: S102 - our own generated source
    write: Writer = scope["write"]
    return write


def _enc(o: Any, ind: str) -> str:
    t = type(o)
    return (_WRITERS.get(t) or _learn(t))(o, ind)


def dumps(value: Any) -> str:
    """``json.dumps(to_data(value), indent=2, ensure_ascii=False)``, written directly from the values."""
    return _enc(value, "")
