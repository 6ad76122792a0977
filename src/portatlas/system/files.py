"""Files of this machine that answers depend on, named once.

Import-light (no imports at all) because the CLI's answer cache stamps them on
every `portatlas PORT`, before anything else is loaded.
"""

PROC_PORT_RANGE = "/proc/sys/net/ipv4/ip_local_port_range"
PROC_RESERVED_PORTS = "/proc/sys/net/ipv4/ip_local_reserved_ports"
PROC_UNPRIVILEGED_START = "/proc/sys/net/ipv4/ip_unprivileged_port_start"

NMAP_ENV = "PORTATLAS_NMAP_SERVICES"
NMAP_PATHS: tuple[str, ...] = (
    "/usr/share/nmap/nmap-services",            # Debian, Ubuntu, Fedora (nmap, nmap-common)
    "/usr/local/share/nmap/nmap-services",      # built from source, FreeBSD ports, Homebrew on Intel
    "/opt/homebrew/share/nmap/nmap-services",   # Homebrew on Apple silicon
    r"C:\Program Files (x86)\Nmap\nmap-services",
    r"C:\Program Files\Nmap\nmap-services",
)
