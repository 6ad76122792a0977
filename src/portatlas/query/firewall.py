"""The commands that open (or close) a port on each common firewall: pure text, nothing is run.

    >>> from portatlas.query.firewall import firewall_rules
    >>> rules = firewall_rules(8080, ("tcp",))
    >>> rules.get("ufw").commands
    ('sudo ufw allow 8080/tcp',)
    >>> print(rules.get("nftables").file)

Each format gives the commands to type, the text of a file where the
firewall loads one (an nft script for ``nft -f``, an iptables-restore file
for ``iptables-restore --noflush`` and ``ip6tables-restore --noflush``, pf's
rule lines for pf.conf), and a note saying what keeps the rule across reboots.
Rules are put first in the input chain (``insert``, ``-I``, pf's ``quick``)
so that a later drop or accept does not decide instead.
"""

from __future__ import annotations

from portatlas.errors import BadInput
from portatlas.model import Transport
from portatlas.value import value

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (portatlas PORT loads this)
if TYPE_CHECKING:
    from collections.abc import Iterable


__all__ = ["FORMATS", "FirewallRule", "FirewallRules", "firewall_rules"]

# In the order they are shown: Linux front ends, then the kernel's own tools, then other systems.
FORMATS: tuple[str, ...] = ("ufw", "firewalld", "nftables", "iptables", "pf", "windows")
_TRANSPORTS = (Transport.TCP, Transport.UDP)


@value
class FirewallRule:
    """One firewall's way of opening (or closing) the port.

    ``commands`` are shell lines (PowerShell for ``windows``), to be run in
    order; ``file`` is the text of a file the firewall loads, where it has
    one (None otherwise); ``note`` is one sentence on what the commands
    assume and what keeps them after a reboot.
    """

    format: str
    title: str
    commands: tuple[str, ...]
    file: str | None
    note: str


@value
class FirewallRules:
    """The rules for one port: ``action`` is "allow" or "deny", one ``FirewallRule`` per format asked for."""

    port: int
    transports: tuple[Transport, ...]
    action: str
    rules: tuple[FirewallRule, ...]

    @property
    def label(self) -> str:
        """'8080/tcp' or '8080/tcp and 8080/udp'."""
        return _label(self.port, self.transports)

    def get(self, format: str) -> FirewallRule:  # noqa: A002 - the public keyword, as FirewallRule.format
        """The rule of one format (KeyError when it was not asked for)."""
        for r in self.rules:
            if r.format == format:
                return r
        raise KeyError(format)


def firewall_rules(port: int, transports: Iterable[Transport | str] | None = None, *, deny: bool = False,
                   formats: Iterable[str] | None = None) -> FirewallRules:
    """The commands opening ``port`` (closing it with ``deny``) on each format; TCP and UDP by default.

    ``BadInput`` for port 0 or one outside 1-65535, a transport other than
    tcp or udp, or an unknown format.
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise BadInput(f"port {port!r} cannot be opened in a firewall: give a port from 1 to 65535")
    ts = _transports(transports)
    wanted = FORMATS if formats is None else tuple(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise BadInput(f"unknown firewall format {unknown[0]!r}: use {', '.join(FORMATS)}" if unknown
                       else f"no firewall format asked for: use {', '.join(FORMATS)}")
    rules = tuple(_MAKERS[f](port, ts, deny) for f in FORMATS if f in wanted)
    return FirewallRules(port, ts, "deny" if deny else "allow", rules)


def _transports(transports: Iterable[Transport | str] | None) -> tuple[Transport, ...]:
    if transports is None:
        return _TRANSPORTS
    out: list[Transport] = []
    for t in transports:
        try:
            tt = Transport(str(t).lower())
        except ValueError:
            tt = None
        if tt not in _TRANSPORTS:
            raise BadInput(f"{str(t)!r}: firewall rules are written for tcp and udp")
        out.append(tt)
    if not out:
        raise BadInput("no transport given: use tcp, udp or both")
    return tuple(t for t in _TRANSPORTS if t in out)


def _verb(deny: bool) -> str:
    return "close" if deny else "open"


def _label(port: int, ts: tuple[Transport, ...]) -> str:
    return " and ".join(f"{port}/{t.value}" for t in ts)


def _ufw(port: int, ts: tuple[Transport, ...], deny: bool) -> FirewallRule:
    verb = "deny" if deny else "allow"
    return FirewallRule(
        "ufw", "ufw (Ubuntu, Debian)",
        tuple(f"sudo ufw {verb} {port}/{t.value}" for t in ts), None,
        f"ufw keeps its rules across reboots, for IPv4 and IPv6, but applies them only while enabled "
        f"('sudo ufw enable'); 'sudo ufw status numbered' lists them and 'sudo ufw delete {verb} "
        f"{port}/{ts[0].value}' takes one back.")


def _firewalld(port: int, ts: tuple[Transport, ...], deny: bool) -> FirewallRule:
    if deny:
        lines = [f"sudo firewall-cmd --permanent --remove-port={port}/{t.value}" for t in ts]
        lines += [f"sudo firewall-cmd --permanent --add-rich-rule='rule port port=\"{port}\" "
                  f"protocol=\"{t.value}\" drop'" for t in ts]
        what = ("--remove-port takes back an opening (the default zone then refuses the port); the "
                "rich rule drops it even in a zone that accepts everything")
    else:
        lines = [f"sudo firewall-cmd --permanent --add-port={port}/{t.value}" for t in ts]
        what = "the port opens in the default zone"
    return FirewallRule(
        "firewalld", "firewalld (Fedora, RHEL, CentOS, openSUSE)",
        (*lines, "sudo firewall-cmd --reload"), None,
        f"--permanent writes the rule to the zone's file, which applies only after 'firewall-cmd --reload' "
        f"(without --permanent a rule lasts until the next reload); {what}; add --zone=ZONE for another zone.")


def _nftables(port: int, ts: tuple[Transport, ...], deny: bool) -> FirewallRule:
    verdict = "drop" if deny else "accept"
    rules = [f"insert rule inet filter input {t.value} dport {port} {verdict}" for t in ts]
    file = "\n".join([
        "#!/usr/sbin/nft -f",
        f"# portatlas: {_verb(deny)} {_label(port, ts)} in the input chain of table inet filter (IPv4 and IPv6).",
        "# Check with 'sudo nft -c -f FILE', load with 'sudo nft -f FILE'. 'add' keeps a table and chain",
        "# that exist (and their policy); 'insert' puts each rule first in the chain.",
        "add table inet filter",
        "add chain inet filter input { type filter hook input priority filter; }",
        *reversed(rules), ""])  # each insert goes first: reversed, they end in order
    return FirewallRule(
        "nftables", "nftables (nft)",
        tuple(f"sudo nft {r}" for r in rules), file,
        "Rules added with nft last until reboot: to keep them, put the file's lines in /etc/nftables.conf "
        "(loaded at boot by 'systemctl enable nftables'); the commands assume Debian's table inet filter "
        "with its input chain, which the file creates where missing.")


def _iptables(port: int, ts: tuple[Transport, ...], deny: bool) -> FirewallRule:
    target = "DROP" if deny else "ACCEPT"
    rules = [f"-I INPUT -p {t.value} -m {t.value} --dport {port} -j {target}" for t in ts]
    file = "\n".join([
        f"# portatlas: {_verb(deny)} {_label(port, ts)}; for IPv4 and IPv6 alike:",
        "#   sudo iptables-restore --noflush FILE && sudo ip6tables-restore --noflush FILE",
        "# (without --noflush, iptables-restore first empties the filter table).",
        "*filter", *reversed(rules), "COMMIT", ""])  # each -I goes first: reversed, they end in order
    commands = tuple(f"sudo {tool} {r}" for tool in ("iptables", "ip6tables") for r in rules)
    return FirewallRule(
        "iptables", "iptables and ip6tables",
        commands, file,
        "iptables rules are not persistent: they are gone after a reboot unless saved, with "
        "'sudo netfilter-persistent save' (Debian's iptables-persistent package) or 'iptables-save' "
        "into /etc/iptables/rules.v4 (ip6tables-save into rules.v6); -I puts each rule first.")


def _pf(port: int, ts: tuple[Transport, ...], deny: bool) -> FirewallRule:
    action = "block drop" if deny else "pass"
    proto = ts[0].value if len(ts) == 1 else "{ " + " ".join(t.value for t in ts) + " }"
    line = f"{action} in quick proto {proto} from any to any port {port}"
    return FirewallRule(
        "pf", "pf (macOS, FreeBSD, OpenBSD)",
        (f"echo '{line}' | sudo tee -a /etc/pf.conf", "sudo pfctl -f /etc/pf.conf", "sudo pfctl -e"),
        line + "\n",
        "Add the rule line to /etc/pf.conf (on macOS after its anchor lines), load the file with "
        "'pfctl -f' and enable pf with 'pfctl -e' (macOS ships it off); 'quick' makes this rule win over "
        "later ones, and the file keeps it across reboots.")


def _windows(port: int, ts: tuple[Transport, ...], deny: bool) -> FirewallRule:
    action = "Block" if deny else "Allow"
    lines = tuple(f"New-NetFirewallRule -DisplayName \"portatlas {action.lower()} {port}/{t.value}\" "
                  f"-Direction Inbound -Protocol {t.value.upper()} -LocalPort {port} -Action {action}"
                  for t in ts)
    return FirewallRule(
        "windows", "Windows Defender Firewall (PowerShell)",
        lines, None,
        "Run in PowerShell as Administrator; the rule persists across reboots, and "
        f"'Remove-NetFirewallRule -DisplayName \"portatlas {action.lower()} {port}/{ts[0].value}\"' "
        "takes it back" + (" (a Block rule wins over any Allow rule)." if deny else "."))


_MAKERS = {"ufw": _ufw, "firewalld": _firewalld, "nftables": _nftables, "iptables": _iptables, "pf": _pf,
           "windows": _windows}
