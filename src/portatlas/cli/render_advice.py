"""Advice, suggestions, name checks and IANA request drafts as terminal text."""

from __future__ import annotations

from portatlas.answers.rows import clean
from portatlas.cli.output import Out, plural

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from portatlas.query.advice import Advice
    from portatlas.query.iana_request import RequestDraft
    from portatlas.query.naming import NameCheck
    from portatlas.query.reasons import Reason
    from portatlas.query.suggest import Suggestion

_MARK = {"avoid": "avoid", "caution": "caution", "good": "good", "info": "note"}
_LEVEL = 8  # width of the level column: 'caution' and a space


def reason(out: Out, r: Reason, indent: int = 2) -> None:
    """One reason: its level, the sentence, then its source (and link), aligned after the level."""
    mark = _MARK[str(r.level)]
    col = out.room(indent + _LEVEL, indent + 2)
    out.line(f"{out.tint(str(r.level), mark)}{' ' * (_LEVEL - len(mark))}{r.detail}", indent, hang=col - indent)
    out.line("source: " + r.source + (f" <{r.url}>" if r.url else ""), col, hang=4)


def advice(out: Out, a: Advice, alternatives: Sequence[Suggestion] = ()) -> None:
    """The full answer of `portatlas advise` for one port."""
    from portatlas.query.reasons import transports_text

    http = ", speaking HTTP" if a.http else ""
    verdict = out.tint(str(a.verdict), str(a.verdict).upper())
    out.line(out.bold(f"Port {a.port} ({transports_text(a.transports)}{http}) for {a.purpose.phrase}: ") + verdict)
    deciding = [r.title for r in a.deciding]
    if deciding:
        out.line("; ".join(deciding), 2, hang=4)
    out.heading("Reasons")
    for r in a.reasons:
        reason(out, r)
    missing = [s for s in a.signals if not s.available]
    if missing:
        out.heading("Not checked")
        for s in missing:
            out.line(f"{s.name}: {s.source}", 2, hang=4)
    if alternatives:
        out.heading("Free ports nearby")
        out.line(", ".join(str(s.port) for s in alternatives)
                 + f"   (each checked as 'portatlas suggest --near {a.port}' does)", 2, hang=4)


def suggestions(out: Out, items: Sequence[Suggestion], count: int) -> None:
    """One line per port with what sets it apart, then the checks every port passed."""
    from portatlas.query.reasons import transports_text

    if not items:
        return
    shared = [r for r in items[0].reasons if all(r in s.reasons for s in items)]
    asked = f" (asked for {count})" if len(items) < count else ""
    out.line(out.bold(f"{plural(len(items), 'port')} to use on {transports_text(items[0].transports)}{asked}"))
    rows = []
    for s in items:
        own = [r.title for r in s.reasons if r not in shared]
        rows.append((out.tint("good", f"{s.port:>5}"), "; ".join(own)))
    out.table(rows)
    out.heading("Each passed")
    for r in shared:
        out.line(f"{out.tint(str(r.level), _MARK[str(r.level)])}: {r.detail} ({r.source})", 2, hang=4)
    moved = [r for s in items for r in s.reasons if r.code == "suggest.name-moved"]
    if moved:
        out.line()
        out.line(moved[0].detail, 2, hang=4)


def name_check(out: Out, c: NameCheck) -> None:
    """`portatlas check-name`: a verdict line, each rule, the registry rows holding the name."""
    if c.free:
        head = out.tint("good", f"{c.name!r} is a valid service name and free: IANA could register it")
    elif c.valid:
        head = out.tint("caution", f"{c.name!r} is a valid service name but already registered")
    else:
        n = len(c.failed)
        shown = f"{c.name[:40]!r}{'...' if len(c.name) > 40 else ''}"
        head = out.tint("avoid", f"{shown} is not a valid service name: {plural(n, 'rule')} of RFC 6335 "
                                 "section 5.1 broken")
    out.line(out.bold(head))
    out.heading("Rules (RFC 6335 section 5.1)")
    for rule in c.rules:
        mark = out.tint("good", "ok  ") if rule.ok else out.tint("avoid", "FAIL")
        out.line(f"{mark}  {rule.rule}" + ("" if rule.ok or not rule.detail else f": {rule.detail}"), 2, hang=6)
    out.heading(f"Registry (edition {c.edition}; compared case-insensitively)")
    if not c.registered:
        out.line("not registered as a name or alias in any letter case", 2)
    for r in c.registered:
        alias = f", an alias of {r.alias_of}" if r.alias_of else ""
        out.line(f"{out.tint('caution', 'taken')}: {r.name}  {r.number or '(no port)'} {r.transport}  "
                 f"{clean(r.description)}{alias}", 2, hang=4)


def request(out: Out, d: RequestDraft) -> None:
    """The drafted application, then the checks (what IANA would refuse first)."""
    if d.refused:
        out.line(out.bold(out.tint("avoid", f"IANA would refuse this request ({plural(len(d.refused), 'reason')}):")))
        for c in d.refused:
            out.line(f"{out.tint('avoid', 'refused')}: {c.text} ({c.source})", 2, hang=4)
        out.line()
    out.line(out.bold("Application for a service name and port number (draft)"))
    rows = []
    for f in d.fields:
        rows.append((f"{f.label}:", f.value))
        if f.note:
            rows.append(("", f"({f.note})"))
    out.table(rows)
    out.heading("Checks")
    for c in d.checks:
        mark = out.tint("avoid", "refused") if not c.ok else (out.tint("info", "note") if c.advice
                                                              else out.tint("good", "ok"))
        out.line(f"{mark}: {c.text}", 2, hang=4)
    out.line()
    out.line(f"Procedure: {d.procedure}. Submit at {d.submit} (registry edition {d.edition}).")
