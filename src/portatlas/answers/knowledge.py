"""What answers read beside the registry, each loaded on first use: the world's facts and the shipped history.

- the common-use dataset and the browsers' bad ports (shipped in the package);
- nmap's table and firewalld's service files where this machine has them
  (their licences forbid bundling them; a missing one is said, with how to
  install it);
- the registry's history (shipped, plus editions ``portatlas update`` stored);
- the default ephemeral ranges of Linux, Windows and macOS, because an
  answer read anywhere speaks for no particular machine.

``Knowledge`` never raises for a missing or unreadable optional source: it
answers without it and says why.
"""

from __future__ import annotations

from portatlas.value import value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.query.reasons import Signals
    from portatlas.registry.history import PortHistory
    from portatlas.world.commonuse import CommonUse, Dataset
    from portatlas.world.firewalld import FirewalldService
    from portatlas.world.nmap_port import PortEntries

# Default ephemeral ranges (documented by each system: see README "This machine").
EPHEMERAL_DEFAULTS: tuple[tuple[str, int, int], ...] = (
    ("Linux", 32768, 60999), ("Windows", 49152, 65535), ("macOS", 49152, 65535))
EPHEMERAL_SOURCES = {
    "Linux": ("Linux kernel documentation: ip-sysctl, ip_local_port_range",
              "https://www.kernel.org/doc/html/latest/networking/ip-sysctl.html"),
    "Windows": ("Microsoft: The default dynamic port range for TCP/IP has changed",
                "https://learn.microsoft.com/en-us/troubleshoot/windows-server/networking/"
                "default-dynamic-port-range-tcpip-chang"),
    "macOS": ("IANA Dynamic range, which macOS uses for ephemeral ports (sysctl net.inet.ip.portrange)",
              "https://www.rfc-editor.org/rfc/rfc6335#section-6"),
}


@value
class Missing:
    """An optional source this answer went without, why, and how to have it."""

    source: str
    why: str


class Knowledge:
    """The sources beside the registry, read lazily; ``nmap``/``firewalld`` False leaves those out."""

    def __init__(self, *, nmap: bool = True, firewalld: bool = True, history: bool = True) -> None:
        self.use_nmap = nmap
        self.use_firewalld = firewalld
        self.use_history = history
        self._dataset: Dataset | None = None

    def dataset(self) -> Dataset:
        """The common-use dataset."""
        if self._dataset is None:
            from portatlas.world.commonuse import dataset

            self._dataset = dataset()
        return self._dataset

    def common_at(self, port: int) -> tuple[CommonUse, ...]:
        """Common-use entries about ``port``, in the order answers name them (``words.prominent``)."""
        from portatlas.answers.words import prominent

        return prominent(self.dataset().at(port))

    def bad_ports(self) -> dict[int, str | None]:
        """The ports browsers refuse (the Fetch standard's list, shipped)."""
        from portatlas.world.badports import bad_ports

        return bad_ports()

    def nmap(self, port: int) -> tuple[PortEntries | None, Missing | None]:
        """nmap's lines for ``port`` from this machine's nmap-services, or why there are none."""
        if not self.use_nmap:
            return None, Missing("nmap-services", "not read for this answer")
        from portatlas.world.nmap_port import read_port

        table, why = read_port(port)
        return table, (Missing("nmap-services", why) if table is None else None)

    def firewalld(self, port: int) -> tuple[tuple[FirewalldService, ...], Missing | None]:
        """firewalld's services that open ``port``, or why none could be read."""
        if not self.use_firewalld:
            return (), Missing("firewalld", "not read for this answer")
        from portatlas.world import firewalld

        found, why = firewalld.at(port)
        return found, (Missing("firewalld service files", why) if why else None)

    def history(self, port: int) -> tuple[PortHistory | None, Missing | None]:
        """The port's timeline across the registry's editions, or why it could not be read."""
        if not self.use_history:
            return None, Missing("history", "not read for this answer")
        try:
            from portatlas.registry.history import port_history

            return port_history(port), None
        except Exception as e:  # noqa: BLE001 - a damaged history must not take the port's answer down
            return None, Missing("registry history", f"it could not be read ({type(e).__name__}: {e})")

    def signals(self, port: int, nmap_table: PortEntries | None, nmap_missing: Missing | None) -> Signals:
        """The inputs of advice for an answer read anywhere: no machine's sockets, Linux's default
        ephemeral range marked as a default, the Unix privileged-port limit, nmap's lines for the port."""
        from portatlas.query.reasons import Signals
        from portatlas.system.ephemeral import EphemeralRange

        _, lo, hi = EPHEMERAL_DEFAULTS[0]
        return Signals(
            bad_ports=self.bad_ports(),
            ephemeral=EphemeralRange(lo, hi, (), "Linux's default net.ipv4.ip_local_port_range", True, "linux"),
            frequencies=nmap_table,
            frequencies_note=nmap_missing.why if nmap_missing else "",
            listening=None,
            listening_note=f"an answer read anywhere cannot see your machine: run 'portatlas advise {port}' there",
            unprivileged_start=None, unprivileged_source="",  # no machine's kernel read: Unix's rule is said
        )
