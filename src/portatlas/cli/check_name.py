"""`portatlas check-name NAME`: may this service name be registered? RFC 6335 section 5.1, and the registry."""

from __future__ import annotations

from portatlas.cli.args import COMMON, Arg, Command, run_with

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.cli.args import Args

SPEC = Command(
    "check-name", "may this service name be registered? RFC 6335 section 5.1, and the registry",
    args=(Arg("name", "the service name to check"),),
    description="Whether NAME keeps the rules of RFC 6335 section 5.1 (1-15 letters, digits and hyphens; a "
                "letter; no hyphen at either end or two in a row) and is not in the registry as a name or alias "
                "in any letter case. Exit 0 valid and free, 1 not, 2 bad usage.",
    completes="names",
)


def run(argv: list[str]) -> int:
    """Exit 0 the name is valid and free, 1 it is not (each failed rule named), 2 bad usage."""
    return run_with(SPEC, _name_may_start_with_hyphen(argv), _run)


def _run(args: Args) -> int:
    from portatlas.atlas import Registry
    from portatlas.cli.output import Out, emit_json
    from portatlas.query.naming import check_name

    c = check_name(Registry.default().index, str(args.name))
    if args.json:
        from portatlas.value import to_data

        emit_json({**to_data(c), "valid": c.valid, "taken": c.taken, "free": c.free})
    else:
        from portatlas.cli.render_advice import name_check

        out = Out(no_color=bool(args.no_color))
        name_check(out, c)
        out.write()
    return 0 if c.free else 1


def _name_may_start_with_hyphen(argv: list[str]) -> list[str]:
    """'-myapp' is a name to judge (it breaks a rule), not an unknown option: put it after '--'."""
    known = {f for o in COMMON for f in o.flags}
    if "--" in argv or not any(a.startswith("-") and a not in known for a in argv):
        return argv
    return [a for a in argv if a in known] + ["--"] + [a for a in argv if a not in known]
