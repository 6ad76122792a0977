"""Service names: the syntax of RFC 6335 section 5.1, and whether the registry already has a name.

RFC 6335 section 5.1: a service name is 1 to 15 characters of US-ASCII
letters, digits and hyphens; it contains at least one letter; it neither
begins nor ends with a hyphen; hyphens are never adjacent; names are
compared case-insensitively.
"""

from __future__ import annotations

import re

from portatlas.errors import BadInput
from portatlas.index import Index
from portatlas.query.grammar import shown
from portatlas.value import value

MAX_LENGTH = 15
RFC = "RFC 6335 section 5.1"
RFC_URL = "https://www.rfc-editor.org/rfc/rfc6335#section-5.1"
_ALIAS = re.compile(r'alias (?:to|of|for) "?([A-Za-z0-9._+/-]+)"?', re.I)


@value
class Rule:
    """One rule of RFC 6335 section 5.1 and whether a name keeps it."""

    code: str
    rule: str
    ok: bool
    detail: str = ""


@value
class Registered:
    """A registry row holding the name (in any letter case): its spelling, ports, and what it is an alias of."""

    name: str
    number: str
    transport: str
    description: str
    alias_of: str | None = None


@value
class NameCheck:
    """Whether a name may be registered: each syntax rule, and the registry rows that already hold it."""

    name: str
    rules: tuple[Rule, ...]
    registered: tuple[Registered, ...]
    edition: str

    @property
    def valid(self) -> bool:
        """Every rule of RFC 6335 section 5.1 holds."""
        return all(r.ok for r in self.rules)

    @property
    def taken(self) -> bool:
        """The registry has the name, as a name or an alias, in some letter case."""
        return bool(self.registered)

    @property
    def free(self) -> bool:
        """Valid and not taken: IANA could register it."""
        return self.valid and not self.taken

    @property
    def failed(self) -> tuple[Rule, ...]:
        """The rules the name breaks."""
        return tuple(r for r in self.rules if not r.ok)


def rules(name: str) -> tuple[Rule, ...]:
    """Each rule of RFC 6335 section 5.1, checked against ``name``."""
    n = len(name)
    bad = sorted({c for c in name if not (c.isascii() and (c.isalnum() or c == "-"))})
    shown_bad = " ".join(repr(c) for c in bad[:10]) + (" ..." if len(bad) > 10 else "")
    checked = (
        Rule("length", f"1 to {MAX_LENGTH} characters", 1 <= n <= MAX_LENGTH,
             f"it has {n} character{'s' if n != 1 else ''}"),
        Rule("characters", "only letters A-Z and a-z, digits 0-9 and hyphens", not bad,
             f"it contains {shown_bad}" if bad else ""),
        Rule("letter", "at least one letter", any(c.isascii() and c.isalpha() for c in name),
             "it has no letter A-Z or a-z" if name else "it is empty"),
        Rule("hyphen-ends", "no hyphen at the start or end", not (name.startswith("-") or name.endswith("-")),
             "it " + " and ".join(w for w, hit in (("starts", name.startswith("-")), ("ends", name.endswith("-")))
                                  if hit) + " with a hyphen"),
        Rule("hyphen-pairs", "no two hyphens in a row", "--" not in name, "it has '--'"),
    )
    # A detail says what breaks a rule; a kept rule has none (but the length, which is always worth seeing).
    return tuple(r if not r.ok or r.code == "length" else Rule(r.code, r.rule, True) for r in checked)


def check_name(index: Index, name: str) -> NameCheck:
    """The syntax rules and the registry rows holding ``name`` (any letter case, as a name or an alias)."""
    found = []
    for i in index.name_ids(name):
        r = index.record(i)
        alias = None
        if r.note:
            m = _ALIAS.search(r.note)
            alias = m.group(1) if m else None
        found.append(Registered(
            name=r.name or name, number=r.number, transport=r.transport.value if r.transport else "all",
            description=r.description, alias_of=alias))
    return NameCheck(name=name, rules=rules(name), registered=tuple(found), edition=index.edition)


def require_valid(name: str, option: str = "--name") -> str:
    """``name`` stripped, if it keeps every rule of RFC 6335 section 5.1; otherwise BadInput naming each broken rule."""
    s = name.strip()
    failed = [r for r in rules(s) if not r.ok]
    if failed:
        why = "; ".join(f"{r.rule} ({r.detail})" for r in failed)
        raise BadInput(f"{option} {shown(s)} is not a valid service name ({RFC}): {why}; "
                       "check one with 'portatlas check-name NAME'")
    return s
