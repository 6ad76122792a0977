"""`portatlas firewall`: the rules pass each firewall's own checker, and do what they say in a scratch network."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from portatlas.errors import BadInput
from portatlas.query.firewall import FORMATS, firewall_rules

ROOT = os.geteuid() == 0


def need(tool: str) -> str:
    """The tool's path; skips (visibly) where it is missing or this is not root."""
    path = shutil.which(tool) or next((p for p in (f"/usr/sbin/{tool}", f"/sbin/{tool}") if os.path.exists(p)), None)
    if path is None:
        pytest.skip(f"{tool} is not installed (Debian's package installs it; .ci/run does)")
    if not ROOT:
        pytest.skip(f"{tool} checks rules only as root (CI runs as root)")
    return path


def run(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False, timeout=60)


def in_scratch_network(script: str) -> subprocess.CompletedProcess[str]:
    """Run a shell script in a new, empty network namespace: its firewall is its own, the machine's is untouched."""
    need("unshare")
    probe = run("unshare", "--net", "true")
    if probe.returncode != 0:
        pytest.skip(f"cannot make a network namespace here: {probe.stderr.strip()}")
    return run("unshare", "--net", "sh", "-ec", script)


def unsudo(command: str) -> list[str]:
    argv = shlex.split(command)
    assert argv[0] == "sudo"
    return argv[1:]


# -- the values ------------------------------------------------------------------------------------

def test_every_format_by_default_both_transports():
    rules = firewall_rules(8080)
    assert [r.format for r in rules.rules] == list(FORMATS) == ["ufw", "firewalld", "nftables", "iptables", "pf",
                                                                  "windows"]
    assert rules.label == "8080/tcp and 8080/udp" and rules.action == "allow"
    assert rules.get("ufw").commands == ("sudo ufw allow 8080/tcp", "sudo ufw allow 8080/udp")
    assert rules.get("firewalld").commands == ("sudo firewall-cmd --permanent --add-port=8080/tcp",
                                               "sudo firewall-cmd --permanent --add-port=8080/udp",
                                               "sudo firewall-cmd --reload")
    assert rules.get("pf").file == "pass in quick proto { tcp udp } from any to any port 8080\n"
    assert [r.format for r in rules.rules if r.file is not None] == ["nftables", "iptables", "pf"]
    assert all(r.note and r.title for r in rules.rules)


def test_one_transport_and_deny():
    rules = firewall_rules(5353, ["UDP"], deny=True, formats=["windows", "iptables"])
    assert [r.format for r in rules.rules] == ["iptables", "windows"]  # always in FORMATS order
    windows = ('New-NetFirewallRule -DisplayName "portatlas block 5353/udp" -Direction Inbound -Protocol UDP '
               '-LocalPort 5353 -Action Block')
    assert rules.get("windows").commands == (windows,)
    assert rules.get("iptables").commands == ("sudo iptables -I INPUT -p udp -m udp --dport 5353 -j DROP",
                                              "sudo ip6tables -I INPUT -p udp -m udp --dport 5353 -j DROP")
    assert "tcp" not in " ".join(rules.get("iptables").commands)
    with pytest.raises(KeyError):
        rules.get("ufw")


def test_notes_say_what_keeps_the_rule():
    rules = firewall_rules(8080)
    assert "--permanent" in rules.get("firewalld").note and "--reload" in rules.get("firewalld").note
    assert "not persistent" in rules.get("iptables").note and "netfilter-persistent" in rules.get("iptables").note
    assert "pfctl -f" in rules.get("pf").note and "pf.conf" in rules.get("pf").note
    assert "PowerShell" in rules.get("windows").note and "/etc/nftables.conf" in rules.get("nftables").note


@pytest.mark.parametrize("args", [(0,), (65536,), (True,), (80, ["sctp"]), (80, []), (80, None, ["ipfw"])])
def test_bad_input(args):
    port, *rest = args
    transports = rest[0] if rest else None
    formats = rest[1] if len(rest) > 1 else None
    with pytest.raises(BadInput):
        firewall_rules(port, transports, formats=formats)


# -- the face --------------------------------------------------------------------------------------

def test_cli_text_json_and_errors(cli):
    r = cli("firewall", "8080/tcp", "--format", "ufw", "--format", "nftables")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Open 8080/tcp\n\nufw (Ubuntu, Debian)\n  sudo ufw allow 8080/tcp\n  note: ")
    assert "\nnftables (nft)\n  sudo nft insert rule inet filter input tcp dport 8080 accept\n  file:\n" in r.stdout
    assert "firewalld" not in r.stdout and "udp" not in r.stdout
    j = json.loads(cli("firewall", "8080", "--deny", "--json").stdout)
    assert (j["port"], j["transports"], j["action"]) == (8080, ["tcp", "udp"], "deny")
    assert [x["format"] for x in j["rules"]] == list(FORMATS)
    assert set(j["rules"][0]) == {"format", "title", "commands", "file", "note"}
    assert j["rules"][0]["commands"] == ["sudo ufw deny 8080/tcp", "sudo ufw deny 8080/udp"]
    for args, message in [(["0"], "give a port from 1 to 65535"), (["80/sctp"], "tcp and udp"),
                          (["80", "--format", "ipfw"], "--format 'ipfw' is not one of ufw, firewalld"),
                          (["80/ipx"], "'ipx' is not a transport"), (["80", "--no-colr"], "did you mean --no-color?"),
                          (["http"], "http")]:
        bad = cli("firewall", *args)
        assert bad.returncode == 2 and message in bad.stderr and "Traceback" not in bad.stderr, (args, bad.stderr)


# -- each firewall's own checker -------------------------------------------------------------------

# Debian's /etc/nftables.conf, with a drop policy and a final reject, as a careful admin would have it.
DEBIAN_NFT = """flush ruleset
table inet filter {
    chain input {
        type filter hook input priority filter; policy drop;
        ct state established,related accept
        reject
    }
}
"""


@pytest.mark.parametrize("deny", [False, True])
def test_nftables_file_passes_nft_check_and_does_what_the_commands_do(tmp_path, deny):
    nft = need("nft")
    r = firewall_rules(8080, deny=deny).get("nftables")
    f = tmp_path / "rules.nft"
    f.write_text(r.file or "")
    check = run(nft, "-c", "-f", str(f))
    assert check.returncode == 0, check.stderr
    broken = tmp_path / "broken.nft"
    broken.write_text((r.file or "").replace("dport 8080", "dport 80800"))
    assert run(nft, "-c", "-f", str(broken)).returncode != 0  # the checker does refuse a bad rule
    base = tmp_path / "debian.nft"
    base.write_text(DEBIAN_NFT)
    by_file = in_scratch_network(f"{nft} -f {base}; {nft} -f {f}; {nft} list chain inet filter input")
    commands = "; ".join(shlex.join([nft, *unsudo(c)[1:]]) for c in r.commands)
    by_commands = in_scratch_network(f"{nft} -f {base}; {commands}; {nft} list chain inet filter input")
    assert by_file.returncode == 0 and by_commands.returncode == 0, by_file.stderr + by_commands.stderr
    verdict = "drop" if deny else "accept"
    lines = [ln.strip() for ln in by_file.stdout.splitlines()]
    start = lines.index("type filter hook input priority filter; policy drop;")  # the policy is kept
    assert lines[start + 1:start + 3] == [f"tcp dport 8080 {verdict}", f"udp dport 8080 {verdict}"]  # first
    assert sorted(lines) == sorted(ln.strip() for ln in by_commands.stdout.splitlines())
    # On an empty ruleset the file makes the table and chain itself.
    fresh = in_scratch_network(f"{nft} -f {f}; {nft} list chain inet filter input")
    assert fresh.returncode == 0 and f"tcp dport 8080 {verdict}" in fresh.stdout


@pytest.mark.parametrize("tool", ["iptables", "ip6tables"])
@pytest.mark.parametrize("deny", [False, True])
def test_iptables_file_passes_restore_test_and_matches_the_commands(tmp_path, tool, deny):
    restore = need(f"{tool}-restore")
    binary = need(tool)
    r = firewall_rules(8080, deny=deny).get("iptables")
    f = tmp_path / "rules"
    f.write_text(r.file or "")
    for flags in (["--test"], ["--test", "--noflush"]):
        check = run(restore, *flags, str(f))
        assert check.returncode == 0, check.stderr
    broken = tmp_path / "broken"
    broken.write_text((r.file or "").replace("--dport 8080", "--dport 80800"))
    assert run(restore, "--test", str(broken)).returncode != 0
    target = "DROP" if deny else "ACCEPT"
    by_file = in_scratch_network(f"{restore} --noflush {f}; {binary} -S INPUT")
    commands = "; ".join(shlex.join([binary, *unsudo(c)[1:]]) for c in r.commands if unsudo(c)[0] == tool)
    by_commands = in_scratch_network(f"{commands}; {binary} -S INPUT")
    assert by_file.returncode == 0 and by_commands.returncode == 0, by_file.stderr + by_commands.stderr
    assert by_file.stdout.splitlines()[1:] == [f"-A INPUT -p tcp -m tcp --dport 8080 -j {target}",
                                               f"-A INPUT -p udp -m udp --dport 8080 -j {target}"]
    assert sorted(by_file.stdout.splitlines()) == sorted(by_commands.stdout.splitlines())


@pytest.mark.parametrize("deny", [False, True])
def test_ufw_commands_pass_ufw_dry_run(deny):
    ufw = need("ufw")
    target = "DROP" if deny else "ACCEPT"
    for command, t in zip(firewall_rules(8080, deny=deny).get("ufw").commands, ("tcp", "udp"), strict=True):
        argv = unsudo(command)
        assert argv[0] == "ufw"
        dry = run(ufw, "--dry-run", *argv[1:])  # prints the iptables rules it would write, changes nothing
        assert dry.returncode == 0, dry.stderr + dry.stdout
        assert f"-A ufw-user-input -p {t} --dport 8080 -j {target}" in dry.stdout
        assert f"-A ufw6-user-input -p {t} --dport 8080 -j {target}" in dry.stdout
    bad = run(ufw, "--dry-run", "allow", "80800/tcp")
    assert bad.returncode != 0


@pytest.mark.parametrize("deny", [False, True])
def test_firewalld_commands_pass_firewall_offline_cmd_in_a_scratch_config(tmp_path, deny):
    offline = need("firewall-offline-cmd")
    if "--system-config" not in run(offline, "--help").stdout:
        pytest.skip("this firewall-offline-cmd cannot write to a scratch configuration (--system-config)")
    conf = Path("/etc/firewalld/firewalld.conf")
    if conf.exists():
        shutil.copy(conf, tmp_path / "firewalld.conf")
    r = firewall_rules(8080, deny=deny).get("firewalld")
    assert r.commands[-1] == "sudo firewall-cmd --reload"
    for command in r.commands[:-1]:
        argv = unsudo(command)
        assert argv[:2] == ["firewall-cmd", "--permanent"]  # the offline tool only writes the permanent config
        done = run(offline, "--system-config", str(tmp_path), *argv[2:])
        assert done.returncode == 0 and "success" in done.stdout, done.stdout + done.stderr
    ports = run(offline, "--system-config", str(tmp_path), "--list-ports").stdout.split()
    rich = [ln for ln in run(offline, "--system-config", str(tmp_path), "--list-rich-rules").stdout.splitlines() if ln]
    if deny:
        assert ports == [] and rich == ['rule port port="8080" protocol="tcp" drop',
                                        'rule port port="8080" protocol="udp" drop']
    else:
        assert ports == ["8080/tcp", "8080/udp"] and rich == []
    assert run(offline, "--system-config", str(tmp_path), "--add-port=80800/tcp").returncode != 0


def test_pf_and_windows_lines_keep_their_grammar():
    # No pfctl or PowerShell here: the lines are held to their documented forms strictly.
    for deny, action in ((False, "pass"), (True, "block drop")):
        rules = firewall_rules(443, deny=deny)
        line = rules.get("pf").file
        assert line == f"{action} in quick proto {{ tcp udp }} from any to any port 443\n"
        assert rules.get("pf").commands == (f"echo '{line.strip()}' | sudo tee -a /etc/pf.conf",
                                            "sudo pfctl -f /etc/pf.conf", "sudo pfctl -e")
        one = firewall_rules(443, ["tcp"], deny=deny).get("pf").file
        assert one == f"{action} in quick proto tcp from any to any port 443\n"
        verb = "Block" if deny else "Allow"
        for command, t in zip(rules.get("windows").commands, ("TCP", "UDP"), strict=True):
            assert re.fullmatch(rf'New-NetFirewallRule -DisplayName "portatlas {verb.lower()} 443/{t.lower()}" '
                                rf'-Direction Inbound -Protocol {t} -LocalPort 443 -Action {verb}', command)
    pfctl = shutil.which("pfctl")
    if pfctl and ROOT:  # macOS and the BSDs: pf's own parser, without loading anything (-n)
        check = run(pfctl, "-nf", "-", stdin=firewall_rules(443).get("pf").file)
        assert check.returncode == 0, check.stderr
