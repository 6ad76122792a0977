"""`portatlas check-name NAME`: may this service name be registered? RFC 6335 section 5.1, and the registry."""

from __future__ import annotations

from portatlas.atlas import Registry
from portatlas.cli.common import emit_json, parser, write


def build() -> "object":
    p = parser("check-name", "Whether NAME keeps the rules of RFC 6335 section 5.1 (1-15 letters, digits and "
                             "hyphens; a letter; no hyphen at either end or two in a row) and is not in the "
                             "registry as a name or alias in any letter case. Exit 0 valid and free, 1 not.")
    p.add_argument("name", help="the service name to check")
    return p


def run(argv: list[str]) -> int:
    """Exit 0 the name is valid and free, 1 it is not (each failed rule named), 2 bad usage."""
    from portatlas.query.naming import check_name

    args = build().parse_args(_name_may_start_with_hyphen(argv))  # type: ignore[attr-defined]
    reg = Registry.default()
    c = check_name(reg.index, args.name)
    if args.json:
        from portatlas.model import to_json

        emit_json({**to_json(c), "valid": c.valid, "taken": c.taken, "free": c.free})
    else:
        from portatlas.cli.render_advice import name_text

        write(name_text(c))
    return 0 if c.free else 1


def _name_may_start_with_hyphen(argv: list[str]) -> list[str]:
    """'-myapp' is a name to judge (it breaks a rule), not an unknown option: put it after '--'."""
    known = {"--json", "-h", "--help"}
    if "--" in argv or not any(a.startswith("-") and a not in known for a in argv):
        return argv
    return [a for a in argv if a in known] + ["--"] + [a for a in argv if a not in known]
