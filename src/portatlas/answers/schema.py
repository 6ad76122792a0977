"""The JSON Schema of every answer, generated from the value classes themselves (never written by hand).

``components(types)`` gives OpenAPI-ready schemas (``#/components/schemas/NAME``)
for value classes and everything they hold; ``markdown()`` renders the
reference in docs/json.md, which a test keeps equal to this output:

    python -m portatlas.answers.schema > docs/json.md
"""

from __future__ import annotations

import types
import typing
from typing import Any, Union, get_args, get_origin, get_type_hints

from portatlas.value import Choice

REF = "#/components/schemas/{name}"


def _is_value(t: object) -> bool:
    return isinstance(t, type) and hasattr(t, "__fields__")


_NAMESPACES: dict[str, dict[str, Any]] = {}


def _namespace(module_name: str) -> dict[str, Any]:
    """The names a module's annotations use: its globals, typing's, and what it imports only for the
    type checker (``if TYPE_CHECKING:`` blocks, read with ast and imported here)."""
    ns = _NAMESPACES.get(module_name)
    if ns is not None:
        return ns
    import ast
    import collections.abc
    import importlib
    import inspect
    import sys

    module = sys.modules[module_name]
    ns = {**vars(typing), **vars(collections.abc), **vars(module)}
    tree = ast.parse(inspect.getsource(module))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom) and stmt.module and stmt.module != "typing_extensions":
                    mod = importlib.import_module(stmt.module)
                    for alias in stmt.names:
                        if hasattr(mod, alias.name):
                            ns[alias.asname or alias.name] = getattr(mod, alias.name)
    _NAMESPACES[module_name] = ns
    return ns


def _hints(cls: type) -> dict[str, Any]:
    """Each field's type, its annotation evaluated in its module's full namespace."""
    ns = _namespace(cls.__module__)
    raw = cls.__dict__.get("__annotations__", {})
    return {name: eval(raw[name], ns) if isinstance(raw[name], str) else raw[name]  # noqa: S307 - our source
            for name in cls.__fields__}  # type: ignore[attr-defined]


class _Builder:
    def __init__(self) -> None:
        self.components: dict[str, dict[str, Any]] = {}

    def schema(self, t: Any) -> dict[str, Any]:
        """The schema of one type (value classes by reference)."""
        if t is type(None):
            return {"type": "null"}
        if t is str:
            return {"type": "string"}
        if t is bool:
            return {"type": "boolean"}
        if t is int:
            return {"type": "integer"}
        if t is float:
            return {"type": "number"}
        if t is Any or t is object:
            return {}
        if isinstance(t, type) and issubclass(t, Choice):
            return {"type": "string", "enum": [str(m) for m in t]}
        if _is_value(t):
            self.value(t)
            return {"$ref": REF.format(name=t.__name__)}
        origin, args = get_origin(t), get_args(t)
        if origin in (Union, types.UnionType):
            options = [self.schema(a) for a in args]
            return {"anyOf": options}
        if origin is typing.Literal:
            return {"enum": list(args)}
        if origin in (tuple,):
            if len(args) == 2 and args[1] is Ellipsis:
                return {"type": "array", "items": self.schema(args[0])}
            return {"type": "array", "prefixItems": [self.schema(a) for a in args],
                    "minItems": len(args), "maxItems": len(args)}
        if origin in (list,) or t is list or t is tuple:
            return {"type": "array", "items": self.schema(args[0]) if args else {}}
        if origin in (dict,) or t is dict:
            return {"type": "object", "additionalProperties": self.schema(args[1]) if len(args) == 2 else {}}
        raise TypeError(f"no JSON Schema for {t!r}")

    def value(self, cls: type) -> None:
        name = cls.__name__
        if name in self.components:
            return
        self.components[name] = {}  # placeholder: recursive types refer to it
        hints = _hints(cls)
        props: dict[str, Any] = {}
        for field in cls.__fields__:  # type: ignore[attr-defined]
            props[field] = self.schema(hints[field])
        for extra in getattr(cls, "__json_extra__", ()):
            prop = getattr(cls, extra)
            fget = prop.fget if isinstance(prop, property) else prop
            ret = get_type_hints(fget, _namespace(cls.__module__)).get("return", Any)
            props[extra] = {**self.schema(ret), "readOnly": True}
        doc = " ".join((cls.__doc__ or "").split())
        self.components[name] = {"type": "object", "title": name, "description": doc,
                                 "properties": props, "required": list(props), "additionalProperties": False}


def components(*roots: Any) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Schemas for ``roots`` (types, or type expressions such as ``tuple[Block, ...]``) and every
    component they need."""
    b = _Builder()
    return [b.schema(r) for r in roots], b.components


def answer_types() -> dict[str, Any]:
    """Every answer a face serves, by the name the API and MCP use: the type expression of its JSON."""
    from portatlas.answers.brief import PortsAnswer
    from portatlas.answers.name import NameAnswer
    from portatlas.answers.port import PortAnswer
    from portatlas.answers.search import SearchAnswer
    from portatlas.model import Block, Stats
    from portatlas.query.advice import Advice
    from portatlas.query.iana_request import RequestDraft
    from portatlas.query.naming import NameCheck
    from portatlas.query.suggest import Suggestion
    from portatlas.registry.history import EditionDiff, PortHistory, ServiceHistory, StatsOverTime
    from portatlas.source.update import UpdateResult
    from portatlas.store.editions import EditionInUse
    from portatlas.system.annotate import EphemeralReport, MachineReport

    return {"PortAnswer": PortAnswer, "NameAnswer": NameAnswer, "PortsAnswer": PortsAnswer,
            "Stats": Stats, "Gaps": tuple[Block, ...], "SearchAnswer": SearchAnswer,
            "Advice": Advice, "Suggestions": tuple[Suggestion, ...], "NameCheck": NameCheck,
            "RequestDraft": RequestDraft, "MachineReport": MachineReport, "EphemeralReport": EphemeralReport,
            "PortHistory": PortHistory, "ServiceHistory": ServiceHistory, "EditionDiff": EditionDiff,
            "StatsOverTime": StatsOverTime, "UpdateResult": UpdateResult, "EditionInUse": EditionInUse}


def _type_text(s: dict[str, Any]) -> str:
    if "$ref" in s:
        name = s["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in s:
        return " or ".join(_type_text(x) for x in s["anyOf"])
    if "enum" in s:
        return " \\| ".join(f"`{v}`" for v in s["enum"])
    t = s.get("type")
    if t == "array":
        if "prefixItems" in s:
            return "[" + ", ".join(_type_text(x) for x in s["prefixItems"]) + "]"
        return f"list of {_type_text(s.get('items', {}))}"
    if t == "object":
        return f"object of {_type_text(s.get('additionalProperties', {}))}"
    return str(t or "any")


def markdown() -> str:
    """docs/json.md: every answer's JSON, field by field, from the generated schemas."""
    roots, comps = components(*answer_types().values())
    out = ["# The JSON answers", "",
           "Generated from the value classes by `python -m portatlas.answers.schema`; a test keeps this file",
           "equal to that output. `portatlas X --json`, `GET /api/...` and the MCP tools' structured output",
           "print these documents. The OpenAPI document at `/api/openapi.json` carries the same schemas.", "",
           "| answer | JSON |", "|---|---|"]
    for name, root in zip(answer_types(), roots):
        out.append(f"| {name} | {_type_text(root)} |")
    for name in sorted(comps):
        c = comps[name]
        out += ["", f"## {name}", "", c.get("description", ""), "", "| field | type |", "|---|---|"]
        for field, s in c["properties"].items():
            ro = " (derived)" if s.get("readOnly") else ""
            out.append(f"| `{field}` | {_type_text(s)}{ro} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(markdown())
