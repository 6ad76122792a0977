"""Is a port free here? Bind it, on each asked transport, on IPv4 and (where the host has it) IPv6.

A bind is the only honest test: it sees listeners of every user and
namespace the socket table might hide, and it is what the service will do.
TCP binds set SO_REUSEADDR as servers do, so a port held only by TIME_WAIT
connections counts as free (a restarting server gets it) while a listener
still makes the bind fail.
"""

from __future__ import annotations

import errno
import socket
import sys

from portatlas.model import Transport

_KIND = {Transport.TCP: socket.SOCK_STREAM, Transport.UDP: socket.SOCK_DGRAM}
_IPV6: bool | None = None

SOURCE = "a bind on this machine (0.0.0.0 and [::])"


def has_ipv6() -> bool:
    """Whether this host can open IPv6 sockets (containers often cannot)."""
    global _IPV6
    if _IPV6 is None:
        try:
            socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).close()
            _IPV6 = socket.has_ipv6
        except OSError:
            _IPV6 = False
    return _IPV6


def _try(family: int, kind: int, port: int) -> str | None:
    s = socket.socket(family, kind)
    try:
        if kind == socket.SOCK_STREAM:
            if sys.platform == "win32":
                # Windows' SO_REUSEADDR lets a bind steal a port in use; exclusive use is the honest test.
                s.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_EXCLUSIVEADDRUSE", -5), 1)
            else:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", port))
        return None
    except PermissionError:
        return "binding it needs privileges here"
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            return "in use here"
        return f"cannot be bound here ({e.strerror or e})"
    finally:
        s.close()


def bind_failure(port: int, transports: tuple[Transport, ...]) -> str | None:
    """None when ``port`` can be bound now on every transport (IPv4 and IPv6), else why not."""
    for t in transports:
        kind = _KIND.get(t)
        if kind is None:
            continue  # SCTP and DCCP: no portable socket to try; the registry check stands alone
        why = _try(socket.AF_INET, kind, port)
        if why is None and has_ipv6():
            why = _try(socket.AF_INET6, kind, port)
        if why is not None:
            return f"{why} on {t.value.upper()}"
    return None
