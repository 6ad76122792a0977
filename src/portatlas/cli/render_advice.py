"""Plain-text renderings of advice, suggestions, name checks and IANA request drafts."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from portatlas.query.advice import Advice
from portatlas.query.reasons import Level, Reason, transports_text
from portatlas.cli.common import bold

if TYPE_CHECKING:
    from portatlas.query.iana_request import RequestDraft
    from portatlas.query.naming import NameCheck
    from portatlas.query.suggest import Suggestion

_WIDTH = 100
_MARK = {Level.AVOID: "avoid", Level.CAUTION: "caution", Level.GOOD: "good", Level.INFO: "note"}


def _wrap(text: str, indent: str) -> list[str]:
    # Links and paths stay whole so they can be copied.
    return textwrap.wrap(text, _WIDTH, initial_indent=indent, subsequent_indent=indent,
                         break_on_hyphens=False, break_long_words=False) or [indent]


def reason_lines(r: Reason, indent: str = "  ") -> list[str]:
    """One reason: its level, the sentence, then its source (and link)."""
    head = f"{indent}{_MARK[r.level]:<8}"
    body = _wrap(r.detail, " " * len(head))
    body[0] = head + body[0][len(head):]
    src = f"source: {r.source}" + (f" <{r.url}>" if r.url else "")
    return body + _wrap(src, " " * len(head))


def advice_text(a: Advice, alternatives: Sequence["Suggestion"] = ()) -> str:
    """The full answer of `portatlas advise`."""
    ts = transports_text(a.transports)
    http = ", speaking HTTP" if a.http else ""
    out = [bold(f"Port {a.port} ({ts}{http}) for {a.purpose.phrase}: {a.verdict.value.upper()}")]
    deciding = [r.title for r in a.deciding]
    if deciding:
        out.append("  " + "; ".join(deciding))
    out += ["", bold("Reasons")]
    for r in a.reasons:
        out += reason_lines(r)
    missing = [s for s in a.signals if not s.available]
    if missing:
        out += ["", bold("Not checked")]
        out += [f"  {s.name}: {s.source}" for s in missing]
    if alternatives:
        out += ["", bold("Free ports nearby"),
                "  " + ", ".join(str(s.port) for s in alternatives)
                + f"   (each checked as 'portatlas suggest --near {a.port}' does)"]
    return "\n".join(out)


def short_text(plain: Advice, web: Advice | None) -> str:
    """The short verdict inside `portatlas PORT`."""
    why = "; ".join(r.title for r in plain.deciding)
    out = [f"  {plain.verdict.value} for a new production TCP service" + (f": {why}" if why else "")]
    if web is not None:
        out.append(f"  {web.verdict.value} for an HTTP service: browsers refuse this port")
    missing = [s.name for s in plain.signals if not s.available and s.name != "listening"]
    if missing:
        out.append(f"  not checked: {', '.join(missing)}")
    out.append(f"  every reason, other purposes, listeners here and free ports nearby: "
               f"portatlas advise {plain.port}")
    return "\n".join(out)


def suggestions_text(items: Sequence["Suggestion"], count: int) -> str:
    """One line per port with what sets it apart, then the checks every port passed."""
    if not items:
        return ""
    shared = [r for r in items[0].reasons if all(r in s.reasons for s in items)]
    out = [bold(f"{len(items)} port{'s' if len(items) != 1 else ''} to use on {transports_text(items[0].transports)}"
                + (f" (asked for {count})" if len(items) < count else ""))]
    for s in items:
        own = [r.title for r in s.reasons if r not in shared]
        out.append(f"  {s.port:>5}" + (f"  {'; '.join(own)}" if own else ""))
    out += ["", bold("Each passed")]
    for r in shared:
        out += _wrap(f"{_MARK[r.level]}: {r.detail} ({r.source})", "  ")
    moved = [r for s in items for r in s.reasons if r.code == "suggest.name-moved"]
    if moved:
        out += ["", *_wrap(moved[0].detail, "  ")]
    return "\n".join(out)


def name_text(c: "NameCheck") -> str:
    """The answer of `portatlas check-name`: a verdict line, each rule, the registry rows holding the name."""
    if c.free:
        head = f"{c.name!r} is a valid service name and free: IANA could register it"
    elif c.valid:
        head = f"{c.name!r} is a valid service name but already registered"
    else:
        n = len(c.failed)
        head = f"{c.name[:40]!r}{'...' if len(c.name) > 40 else ''} is not a valid service name: " \
               f"{n} rule{'s' if n != 1 else ''} of RFC 6335 section 5.1 broken"
    out = [bold(head), "", bold("Rules (RFC 6335 section 5.1)")]
    for rule in c.rules:
        out.append(f"  {'ok  ' if rule.ok else 'FAIL'}  {rule.rule}"
                   + ("" if rule.ok or not rule.detail else f": {rule.detail}"))
    out += ["", bold(f"Registry (edition {c.edition}; compared case-insensitively)")]
    if not c.registered:
        out.append("  not registered as a name or alias in any letter case")
    for r in c.registered:
        alias = f", an alias of {r.alias_of}" if r.alias_of else ""
        out.append(f"  taken: {r.name}  {r.number or '(no port)'} {r.transport}  {r.description}{alias}")
    return "\n".join(out)


def request_text(d: "RequestDraft") -> str:
    """The drafted application, then the checks (what IANA would refuse first)."""
    out = []
    if d.refused:
        out.append(bold(f"IANA would refuse this request ({len(d.refused)} reason"
                        f"{'s' if len(d.refused) != 1 else ''}):"))
        for c in d.refused:
            out += _wrap(f"refused: {c.text} ({c.source})", "  ")
        out.append("")
    out.append(bold("Application for a service name and port number (draft)"))
    width = max(len(f.label) for f in d.fields)
    for f in d.fields:
        out.append(f"  {f.label + ':':<{width + 1}}  {f.value}")
        if f.note:
            out.append(f"  {'':<{width + 1}}  ({f.note})")
    out += ["", bold("Checks")]
    for c in d.checks:
        mark = "refused" if not c.ok else ("note" if c.advice else "ok")
        out += _wrap(f"{mark}: {c.text}", "  ")
    out += ["", f"Procedure: {d.procedure}. Submit at {d.submit} (registry edition {d.edition})."]
    return "\n".join(out)
