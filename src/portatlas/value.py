"""Frozen value classes and fixed-choice strings, cheap to import.

Every answer portatlas gives is made of these. They behave like
``@dataclass(frozen=True, slots=True)`` classes and ``enum.StrEnum``
members, but importing ``dataclasses`` (it loads ``inspect``, ``re`` and
``ast``) or ``enum`` costs about 25 ms here, more than the whole answer to
``portatlas PORT`` may take. A value class gets ``__slots__``, an
``__init__`` compiled at its first instance, ``__repr__``, ``__eq__``, ``__hash__``, pickling,
and refuses assignment; mypy sees it as a frozen dataclass
(``dataclass_transform``).

>>> @value
... class Pair:
...     left: int
...     right: int = 0
>>> Pair(1)
Pair(left=1, right=0)
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any, ClassVar, Self, TypeVar

    from typing_extensions import dataclass_transform

    T = TypeVar("T")

__all__ = ["Choice", "fields", "is_value", "replace", "to_data", "value"]

_MISSING = object()


def _frozen_setattr(self: object, name: str, value: object) -> None:
    raise AttributeError(f"{type(self).__name__} is frozen: cannot set {name}")


def _frozen_delattr(self: object, name: str) -> None:
    raise AttributeError(f"{type(self).__name__} is frozen: cannot delete {name}")


def _repr(self: Any) -> str:
    inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__fields__)
    return f"{type(self).__name__}({inner})"


def _astuple(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, n) for n in self.__fields__)


def _eq(self: Any, other: object) -> object:  # a bool, or NotImplemented for another type
    if type(other) is not type(self):
        return NotImplemented
    return _astuple(self) == _astuple(other)


def _hash(self: Any) -> int:
    return hash(_astuple(self))


def _reduce(self: Any) -> tuple[Any, ...]:
    return type(self), _astuple(self)


_COMPILE_AT = 16


def _bind(cls: type, names: tuple[str, ...], defaults: dict[str, Any],
          args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """The fields' values in order from positional and keyword arguments, as a def would bind them."""
    if len(args) > len(names):
        raise TypeError(f"{cls.__name__}() takes {len(names)} arguments but {len(args)} were given")
    given = dict(zip(names, args))
    for k, v in kwargs.items():
        if k not in names:
            raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {k!r}")
        if k in given:
            raise TypeError(f"{cls.__name__}() got multiple values for argument {k!r}")
        given[k] = v
    missing = [n for n in names if n not in given and n not in defaults]
    if missing:
        raise TypeError(f"{cls.__name__}() missing required arguments: {', '.join(map(repr, missing))}")
    return tuple(given[n] if n in given else defaults[n] for n in names)


def _value(cls: type[T]) -> type[T]:
    own = cls.__dict__.get("__annotations__", {})
    names = tuple(n for n, t in own.items() if not str(t).startswith(("ClassVar", "typing.ClassVar")))
    defaults = {n: cls.__dict__[n] for n in names if n in cls.__dict__}
    seen_default = False
    params, body = [], []
    for n in names:
        if n in defaults:
            seen_default = True
            params.append(f"{n}=_d_{n}")
        elif seen_default:
            raise TypeError(f"{cls.__name__}.{n}: a field without a default follows one with a default")
        else:
            params.append(n)
        body.append(f"    _set(self, {n!r}, {n})")
    src = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
    scope: dict[str, Any] = {"_set": object.__setattr__, **{f"_d_{n}": v for n, v in defaults.items()}}
    count = [0]

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        # Generic until the class has made _COMPILE_AT instances, then compiled from ``src``:
        # compiling costs ~0.15 ms a class, which a short run (one port's answer makes a few
        # instances each of ~35 classes) would pay for nothing, while a server's hot classes
        # soon earn it.
        count[0] += 1
        if count[0] >= _COMPILE_AT:
            exec(compile(src, f"<value {cls.__name__}>", "exec"), scope)  # noqa: S102 - our own generated source
            init = scope["__init__"]
            init.__qualname__ = f"{new.__qualname__}.__init__"
            setattr(new, "__init__", init)  # noqa: B010 - replaces a method on purpose, which mypy refuses to assign
            init(self, *args, **kwargs)
            return
        if kwargs or len(args) != len(names):
            args = _bind(new, names, defaults, args, kwargs)
        for n, v in zip(names, args):
            object.__setattr__(self, n, v)

    ns = {k: v for k, v in cls.__dict__.items() if k not in names and k not in ("__dict__", "__weakref__")}
    ns.update(
        __slots__=names, __fields__=names, __match_args__=names, __init__=__init__,
        __repr__=ns.get("__repr__", _repr), __eq__=_eq, __hash__=_hash, __reduce__=_reduce,
        __setattr__=_frozen_setattr, __delattr__=_frozen_delattr,
    )
    new: type[T] = type(cls.__name__, cls.__bases__, ns)
    new.__qualname__ = cls.__qualname__
    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return new


if TYPE_CHECKING:
    @dataclass_transform(frozen_default=True)
    def value(cls: type[T]) -> type[T]:
        """Make ``cls`` a frozen value class (see the module's docstring)."""
        ...
else:
    value = _value
    value.__doc__ = "Make ``cls`` a frozen value class (see the module's docstring)."


def is_value(obj: object) -> bool:
    """Whether ``obj`` is an instance of a value class."""
    return hasattr(type(obj), "__fields__") and not isinstance(obj, type)


def fields(obj: object) -> tuple[str, ...]:
    """The field names of a value class or instance, in order."""
    cls = obj if isinstance(obj, type) else type(obj)
    names: tuple[str, ...] = cls.__fields__  # type: ignore[attr-defined]
    return names


def replace(obj: T, **changes: Any) -> T:
    """A copy of ``obj`` with some fields changed (``dataclasses.replace``)."""
    names = fields(obj)
    unknown = set(changes) - set(names)
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field {', '.join(sorted(unknown))}")
    return type(obj)(*(changes.get(n, getattr(obj, n)) for n in names))


# -- choices --------------------------------------------------------------------

class _ChoiceType(type):
    """Iterating a Choice class gives its members, in the order declared."""

    def __iter__(cls) -> Iterator[Any]:
        return iter(cls._members.values())  # type: ignore[attr-defined]

    def __len__(cls) -> int:
        return len(cls._members)  # type: ignore[attr-defined]


class Choice(str, metaclass=_ChoiceType):
    """A string that is one of a fixed set of values: a cheap ``enum.StrEnum``.

    Subclasses list their values (``class Transport(Choice, values=("tcp", "udp"))``)
    and declare the members as ``ClassVar`` for the type checker; each member is
    the class attribute named by its upper-cased value (``Transport.TCP``).
    ``Transport("tcp") is Transport.TCP``; an unknown value is a ``ValueError``.
    Members compare, hash and serialise as their plain string.
    """

    __slots__ = ()
    _members: ClassVar[dict[str, Any]]

    def __init_subclass__(cls, values: tuple[str, ...] = (), **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls._members = {}
        for v in values:
            member = str.__new__(cls, v)
            cls._members[v] = member
            setattr(cls, v.upper().replace("-", "_"), member)

    def __new__(cls, value: str) -> Self:
        member: Self | None = cls._members.get(value) if isinstance(value, str) else None
        if member is None:
            raise ValueError(f"{value!r} is not a valid {cls.__name__}")
        return member

    @property
    def value(self) -> str:
        """The plain string."""
        return str.__str__(self)

    @property
    def name(self) -> str:
        """The member's attribute name ('TCP')."""
        return self.upper().replace("-", "_")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}.{self.name}: {str.__repr__(self)}>"

    def __str__(self) -> str:
        return str.__str__(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (str.__str__(self),)

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: object) -> Self:
        return self


# -- JSON-ready data ------------------------------------------------------------

_SCALARS = (str, int, float, bool, type(None))
_PLANS: dict[type, tuple[str, ...]] = {}


def _plan(t: type) -> tuple[str, ...]:
    """A value type's JSON keys: its fields, then the properties it lists in ``__json_extra__``."""
    plan = _PLANS.get(t)
    if plan is None:
        plan = _PLANS[t] = tuple(t.__fields__) + tuple(getattr(t, "__json_extra__", ()))  # type: ignore[attr-defined]
    return plan


def to_data(obj: Any) -> Any:
    """Values (and tuples, lists and dicts of them) as plain JSON-ready data.

    Choices become their strings; a value becomes an object of its fields,
    plus the derived properties its class names in ``__json_extra__``.
    """
    t = type(obj)
    if t in _SCALARS:
        return obj
    if t is tuple or t is list:
        return [to_data(v) for v in obj]
    if isinstance(obj, str):  # a Choice
        return str.__str__(obj)
    if hasattr(t, "__fields__"):
        return {name: to_data(getattr(obj, name)) for name in _plan(t)}
    if isinstance(obj, dict):
        return {str(to_data(k)): to_data(v) for k, v in obj.items()}
    if isinstance(obj, (tuple, list)):
        return [to_data(v) for v in obj]
    raise TypeError(f"{t.__name__} is not a portatlas value")
