"""How to check a port by hand: the exact commands for Linux, macOS and Windows.

Pure text, no probing, so the port page (CLI and web) can show it at no cost.
The Linux commands are run for real by the tests, so the text cannot drift
from what works.
"""

from __future__ import annotations

from portatlas.query.grammar import parse_port
from portatlas.value import value

SYSTEMS: tuple[str, ...] = ("linux", "macos", "windows")
SYSTEM_TITLES: dict[str, str] = {"linux": "Linux", "macos": "macOS", "windows": "Windows"}


@value
class CheckCommand:
    """One command to type to see what uses a port.

    ``system`` is 'linux', 'macos' or 'windows'; ``shell`` is 'sh', 'cmd' or
    'powershell'; ``shows`` says what the output is; ``privileged`` is True
    when other users' processes are shown only with sudo or as Administrator.
    """

    system: str
    shell: str
    command: str
    shows: str
    privileged: bool = True


def check_commands(port: int) -> tuple[CheckCommand, ...]:
    """The commands that show what listens on ``port`` (and which process), per operating system;
    none for port 0, which nothing listens on (binding it asks the kernel for any free port)."""
    p = parse_port(port)
    if p == 0:
        return ()
    return (
        CheckCommand("linux", "sh", f"ss -ltnup 'sport = :{p}'",
                     "TCP listeners and bound UDP sockets on the port, with process and PID "
                     "(other users' processes only with sudo)"),
        CheckCommand("linux", "sh", f"sudo lsof -nP -i :{p}",
                     "every socket on the port in any state (listening, connected), with process, PID and user"),
        # Not about this port alone, but whether it can be had at all: the kernel's client-port range
        # (an outgoing connection may hold a port inside it) and the ports kept out of that range.
        CheckCommand("linux", "sh", "sysctl net.ipv4.ip_local_port_range net.ipv4.ip_local_reserved_ports",
                     f"the ephemeral range (outgoing connections can hold {p} when it lies inside) and the "
                     "reserved ports kept out of it", privileged=False),
        CheckCommand("macos", "sh", f"sudo lsof -nP -iTCP:{p} -sTCP:LISTEN",
                     "TCP listeners on the port, with process, PID and user"),
        CheckCommand("macos", "sh", f"sudo lsof -nP -iUDP:{p}",
                     "UDP sockets on the port, with process, PID and user"),
        CheckCommand("windows", "cmd", f"netstat -ano | findstr :{p}",
                     f"sockets on the port; the last column is the PID (also matches :{p}0 and remote ports)",
                     privileged=False),
        CheckCommand("windows", "powershell", f"Get-NetTCPConnection -LocalPort {p}",
                     "TCP sockets on the port; OwningProcess is the PID (Get-Process -Id PID names it)",
                     privileged=False),
        CheckCommand("windows", "powershell", f"Get-NetUDPEndpoint -LocalPort {p}",
                     "UDP endpoints on the port (OwningProcess is the PID)", privileged=False),
        CheckCommand("windows", "cmd", "netsh interface ipv4 show excludedportrange protocol=tcp",
                     f"the ranges Windows lets no program bind (Hyper-V, WSL 2, Docker Desktop take them): "
                     f"with {p} inside one, a bind fails with 'access forbidden' though nothing listens",
                     privileged=False),
    )

