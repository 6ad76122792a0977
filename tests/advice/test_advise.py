"""advise: the verdicts the issue names, each checked against facts read independently."""

from __future__ import annotations

import json
import os
import socket

import pytest

from portatlas.advice import advise
from portatlas.query.reasons import Level

from ..conftest import run_cli
from ..sockets import bound, wait_until
from . import facts


def codes(a) -> dict[str, Level]:
    return {r.code: r.level for r in a.reasons}


def test_307_for_production_is_avoid_as_an_unassigned_system_port(registry, oracle):
    assert oracle.state(307, "tcp") == "unassigned"  # the premise, from the independent reading
    a = advise(registry, 307)
    assert a.verdict is Level.AVOID
    assert codes(a)["registry.unassigned-system"] is Level.AVOID
    r = next(r for r in a.reasons if r.code == "registry.unassigned-system")
    assert "kept for future assignment" in r.detail and r.source.endswith(registry.edition)


def test_307_for_a_protocol_being_standardized_says_apply_to_iana(registry):
    a = advise(registry, 307, purpose="standard")
    r = next(r for r in a.reasons if r.code == "registry.unassigned-system")
    assert r.level is Level.GOOD and "ask IANA for" in r.detail and "IETF Review or IESG Approval" in r.detail
    assert "rfc6335#section-8.1.2" in (r.url or "")
    assert a.verdict is Level.GOOD
    # For an internal tool it is acceptable with caution, as the issue says.
    assert advise(registry, 307, purpose="internal").verdict is Level.CAUTION


def test_8080_is_caution_assigned_to_http_alt(registry, oracle):
    names = oracle.names(8080, "tcp")
    assert "http-alt" in names
    a = advise(registry, 8080)
    assert a.verdict is Level.CAUTION
    r = next(r for r in a.reasons if r.code == "registry.assigned")
    assert r.level is Level.CAUTION and all(n in r.title for n in names)


def test_6667_over_http_is_avoid_because_browsers_refuse_it(registry):
    assert 6667 in facts.bad_ports()
    a = advise(registry, 6667, http=True)
    assert a.verdict is Level.AVOID
    assert codes(a)["browser.bad-port"] is Level.AVOID
    assert "refuse" in a.summary
    # Without --http the list is mentioned but does not decide.
    assert codes(advise(registry, 6667))["browser.bad-port"] is Level.INFO


def test_every_bad_port_is_avoid_over_http_and_no_other_port_is_flagged(registry):
    bad = facts.bad_ports()
    for p in range(0, 11000):
        a = advise(registry, p, http=True, signals=_no_machine())
        flagged = "browser.bad-port" in codes(a)
        assert flagged == (p in bad), p
        if flagged:
            assert a.verdict is Level.AVOID


def _no_machine():
    from portatlas.query.reasons import Signals
    from portatlas.world.badports import bad_ports

    return Signals(bad_ports=bad_ports())


def test_a_port_inside_the_ephemeral_range_is_caution(registry, oracle):
    lo, hi = facts.ephemeral()
    p = facts.quiet_user_port(oracle, inside_ephemeral=True)
    assert lo <= p <= hi
    a = advise(registry, p)
    assert a.verdict is Level.CAUTION, a.reasons
    assert [r.code for r in a.deciding] == ["ephemeral.inside"]
    assert f"{lo}-{hi}" in a.deciding[0].detail and "/proc/sys/net/ipv4/ip_local_port_range" in a.deciding[0].source
    # The same port outside the range of a made-up machine is fine: the reason comes from the reading.
    assert advise(registry, facts.quiet_user_port(oracle, inside_ephemeral=False)).verdict is Level.GOOD


def test_a_port_in_a_windows_excluded_range_is_avoid_for_every_purpose(registry, oracle):
    # Windows refuses the bind itself (Hyper-V, WinNAT, WSL 2, Docker Desktop take such ranges): nothing
    # else good about the port helps. Outside the exclusions the same machine gives the usual verdict.
    from portatlas.query.reasons import Purpose
    from portatlas.system.ephemeral import EphemeralRange
    from portatlas.value import replace

    p = facts.quiet_user_port(oracle, inside_ephemeral=False)
    eph = EphemeralRange(49152, 65535, (), "netsh int ipv4 show dynamicport tcp", False, "win32",
                         ((p - 3, p + 96),))
    signals = replace(_no_machine(), ephemeral=eph)
    for purpose in Purpose:
        a = advise(registry, p, purpose=purpose, signals=signals)
        assert a.verdict is Level.AVOID and [r.code for r in a.deciding] == ["ephemeral.excluded"], purpose
        assert f"{p - 3}-{p + 96}" in a.deciding[0].detail and "excludedportrange" in a.deciding[0].source
    free = replace(eph, excluded=((p + 1, p + 96),))
    assert "ephemeral.excluded" not in codes(advise(registry, p, signals=replace(signals, ephemeral=free)))


def test_a_port_the_test_listens_on_is_caution_naming_this_process(registry, oracle):
    p = facts.quiet_user_port(oracle, inside_ephemeral=False)
    assert advise(registry, p).verdict is Level.GOOD
    with bound(socket.SOCK_STREAM, port=p):
        a = advise(registry, p)
        assert a.verdict is Level.CAUTION
        r = next(r for r in a.reasons if r.code == "listening.busy")
        assert f"pid {os.getpid()}" in r.detail and f"127.0.0.1:{p}" in r.detail
        # The UDP side of the same port is not taken by a TCP listener.
        assert "listening.busy" not in codes(advise(registry, p, transport="udp"))


def test_cli_advise_text_and_json(registry):
    r = run_cli("advise", "8080")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Port 8080 (TCP) for a production service: CAUTION")
    assert "http-alt" in r.stdout and "source: IANA Service Name" in r.stdout
    assert "Free ports nearby" in r.stdout
    j = json.loads(run_cli("advise", "8080", "--json").stdout)
    assert j["verdict"] == "caution" and j["port"] == 8080
    assert all({"level", "code", "title", "detail", "source"} <= set(x) for x in j["reasons"])
    for alt in j["alternatives"]:
        assert facts.binds(alt["port"], ("tcp",))


def test_cli_standard_307_tells_to_apply():
    r = run_cli("advise", "307", "--purpose", "standard")
    assert r.returncode == 0
    assert "GOOD" in r.stdout.splitlines()[0] and "ask IANA" in r.stdout


def test_the_port_answer_carries_verdicts_that_fit_the_reader(cli):
    out = cli("6667").stdout
    section = out.split("Should I use it?")[1].split("\n\n")[0]
    lines = section.splitlines()
    assert lines[1].split() == ["Running", "ircu?", "good", "Use", "it:", "port", "6667", "is", "ircu's",
                                "registered", "port."]
    prod = next(ln for ln in lines if ln.strip().startswith("A new production service?"))
    assert "caution" in prod and "assigned to ircu on TCP" in prod
    web = next(ln for ln in lines if ln.strip().startswith("A new web page or HTTP API?"))
    assert "avoid" in web and "browsers refuse it" in web
    assert "portatlas advise 6667" in section
    j = json.loads(cli("307", "--json").stdout)
    cases = {v["case"]: v for v in j["verdicts"]}
    assert cases["new:production"]["verdict"] == "avoid" and "new:http" not in cases
    assert not any(c.startswith(("registered:", "software:")) for c in cases)  # nothing runs on 307
    https = {v["case"]: v["verdict"] for v in json.loads(cli("443", "--json").stdout)["verdicts"]}
    assert https["registered:https"] == "good" and https["new:production"] == "avoid"


@pytest.mark.parametrize("args, needle", [
    (["advise", "70000"], "0 to 65535"),
    (["advise", "80", "--purpose", "fun"], "production, internal, testing or standard"),
    (["advise", "80", "--transport", "icmp"], "is not one of tcp, udp, both, sctp or dccp"),
    (["advise", "eighty"], "0 to 65535"),
    (["advise", "80", "--alternatives", "-1"], "0 to 100"),
])
def test_bad_input_is_one_line_exit_2(args, needle):
    r = run_cli(*args)
    assert r.returncode == 2, r
    assert needle in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert r.stdout == ""


def test_verdict_is_the_heaviest_reason_for_every_purpose_and_transport(registry):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    sig = _no_machine()

    @settings(max_examples=300, deadline=None)
    @given(st.integers(0, 65535), st.sampled_from(["tcp", "udp", "both", "sctp", "dccp"]),
           st.sampled_from(["production", "internal", "testing", "standard"]), st.booleans())
    def check(port, transport, purpose, http):
        a = advise(registry, port, transport, purpose, http, signals=sig)
        worst = max((r.level.weight for r in a.reasons), default=1)
        assert a.verdict.weight == max(worst, 1)
        assert all(r.source for r in a.reasons)
        assert a.reasons == tuple(sorted(a.reasons, key=lambda r: -r.level.weight))

    check()


def test_a_listener_in_another_process_is_named(registry, oracle):
    # A TCP listener in a child process (not this one) is seen too.
    from ..sockets import http_server

    p = facts.quiet_user_port(oracle, inside_ephemeral=False)
    with http_server(p) as proc:
        assert wait_until(lambda: "listening.busy" in codes(advise(registry, p)))
        r = next(r for r in advise(registry, p).reasons if r.code == "listening.busy")
        assert f"pid {proc.pid}" in r.detail


def test_as_an_unprivileged_user_system_ports_fall_back_to_the_socket_table(registry, oracle, tmp_path):
    """Without root a bind on 307 is refused for lack of privileges, so whether something listens there is
    read from the socket table instead; the range reason names this machine's limit."""
    import encodings.ascii  # noqa: F401  imported before dropping root: nobody cannot read root's Python
    from pathlib import Path

    from portatlas.advice import machine_signals  # noqa: F401
    from portatlas.query import suggest as _suggest  # noqa: F401
    from portatlas.system import (
        bind,  # noqa: F401
        listeners,  # noqa: F401
    )
    from portatlas.world import nmap  # noqa: F401

    from ..sockets import as_nobody, http_server

    limit = int(Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text())
    port = next(p for p in range(1, min(limit, 1024)) if oracle.state(p, "tcp") == "unassigned"
                and facts.binds(p, ("tcp",)))

    def as_user():
        a = advise(registry, port)
        return a.verdict.value, {r.code: r.detail for r in a.reasons}

    verdict, reasons = as_nobody(as_user, tmp_path)
    assert verdict == "avoid" and "listening.free" in reasons
    assert f"ports below {limit} need root" in reasons["range.system"]
    with http_server(port):
        verdict, reasons = as_nobody(as_user, tmp_path)
    assert "listening.busy" in reasons and f"127.0.0.1:{port}" in reasons["listening.busy"]


def _default_ports_of_software_on_registered_ports(registry):
    """From the dataset: (software, port) where the software's default port is assigned in the registry on TCP."""
    from portatlas.model import Transport

    states = registry.index.states(Transport.TCP)
    out = []
    for e in registry.knowledge.dataset().entries():
        if e.use.value == "default" and e.low == e.high and Transport.TCP in e.transports \
                and states[e.low] == 0 and e.low != 0:
            out.append((e.software, e.low))
    assert len(out) > 20, "the dataset has many programs on registered ports (nginx on 80, PostgreSQL on 5432)"
    return out


def test_naming_the_software_that_uses_a_registered_port_makes_the_registry_row_yours(registry):
    sig = _no_machine()
    for software, port in _default_ports_of_software_on_registered_ports(registry):
        a = advise(registry, port, "tcp", "production", service=software, signals=sig)
        c = codes(a)
        assert c.get("registry.assigned") is None, (software, port, a.summary)
        assert c["registry.assigned-yours"] is Level.GOOD, (software, port)
        # other programs' defaults and the System range's privileges inform, they do not warn
        for code in ("common.default", "range.system", "frequency.named", "common.configured"):
            assert c.get(code, Level.INFO) is Level.INFO, (software, port, code)


def test_naming_the_registered_service_weighs_the_same_way(registry):
    sig = _no_machine()
    mine = advise(registry, 443, "tcp", "production", service="https", signals=sig)
    theirs = advise(registry, 443, "tcp", "production", signals=sig)
    assert mine.verdict is Level.GOOD and theirs.verdict is not Level.GOOD
    assert codes(theirs)["range.system"] is Level.CAUTION and codes(mine)["range.system"] is Level.INFO


def test_naming_other_software_leaves_the_collision(registry):
    sig = _no_machine()
    a = advise(registry, 80, "tcp", "production", service="PostgreSQL", signals=sig)
    assert codes(a)["registry.assigned"] is Level.AVOID and a.verdict is Level.AVOID
