"""request: the IANA application drafted, after the checks IANA would refuse on."""

from __future__ import annotations

import json

import pytest

from ..conftest import run_cli

BASE = ["request", "--description", "Example protocol", "--contact", "dev@example.org"]


def test_a_good_request_drafts_every_field_and_exits_0(registry, oracle):
    port = next(p for p in range(20000, 32768)
                if all(oracle.state(p, t) == "unassigned" for t in ("tcp", "udp")))
    r = run_cli(*BASE, "--name", "zzqv-portatlas", "--transport", "tcp", "--port", str(port),
                "--reference", "https://example.org/spec")
    assert r.returncode == 0, r.stdout + r.stderr
    for label in ("Assignee:", "Contact:", "Service Name:", "Transport Protocol(s):", "Port Number:",
                  "Description:", "Reference:", "Defined TXT keys:"):
        assert label in r.stdout
    assert f"Port Number:            {port}" in r.stdout and "Expert Review (User port)" in r.stdout
    assert "refused" not in r.stdout and "https://www.iana.org/form/ports-services" in r.stdout


def test_a_taken_name_is_refused(oracle):
    name = next(r.name for r in oracle.rows if r.name and r.name.isalpha())
    r = run_cli(*BASE, "--name", name.upper(), "--transport", "tcp", "--any")
    assert r.returncode == 1 and "is already registered" in r.stdout


def test_an_assigned_port_is_refused_naming_the_service(oracle):
    r = run_cli(*BASE, "--name", "zzqv-portatlas", "--transport", "tcp", "--port", "8080")
    assert r.returncode == 1
    for n in oracle.names(8080, "tcp"):
        assert n in r.stdout
    assert "already assigned on TCP" in r.stdout


def test_a_system_port_needs_an_ietf_reference(oracle):
    assert oracle.state(307, "tcp") == "unassigned"
    bare = run_cli(*BASE, "--name", "zzqv-portatlas", "--transport", "tcp", "--port", "307",
                   "--reference", "https://example.org/spec")
    assert bare.returncode == 1 and "IETF Review or IESG Approval" in bare.stdout
    for ref in ("RFC 9999", "rfc9999", "draft-ietf-tsvwg-example-01"):
        ok = run_cli(*BASE, "--name", "zzqv-portatlas", "--transport", "tcp", "--port", "307", "--reference", ref)
        assert ok.returncode == 0, (ref, ok.stdout)
    individual = run_cli(*BASE, "--name", "zzqv-portatlas", "--transport", "tcp", "--port", "307",
                         "--reference", "draft-smith-example-00")
    assert individual.returncode == 1


def test_a_dynamic_port_is_refused():
    r = run_cli(*BASE, "--name", "zzqv-portatlas", "--transport", "udp", "--port", "50000", "--json")
    assert r.returncode == 1
    j = json.loads(r.stdout)
    assert [c["code"] for c in j["refused"]] == ["port.dynamic"]


@pytest.mark.parametrize("args, needle", [
    (["--name", "my_app", "--transport", "tcp"], "not a valid service name"),
    (["--name", "x" * 200, "--transport", "tcp"], "1 to 15 characters"),
    (["--name", "myapp", "--transport", "icmp"], "is not one of tcp, udp, sctp, dccp or both"),
    (["--name", "myapp", "--transport", "tcp", "--port", "70000"], "0 to 65535"),
    (["--name", "myapp", "--transport", "tcp", "--port", "80", "--any"], "not both"),
])
def test_bad_input_exits_2(args, needle):
    r = run_cli(*BASE, *args)
    assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_bad_contact_and_description_exit_2():
    r = run_cli("request", "--name", "myapp", "--transport", "tcp", "--description", "x", "--contact", "nobody")
    assert r.returncode == 2 and "not an email address" in r.stderr
    r = run_cli("request", "--name", "myapp", "--transport", "tcp", "--description", "  ", "--contact", "a@b.org")
    assert r.returncode == 2 and "--description is empty" in r.stderr
