"""Linux's TCP and UDP socket tables as plain entries, read as ss reads them: netlink sock_diag, else /proc/net.

An entry is (transport, family, address, port, state, remote, inode):
transport "tcp" or "udp", family "ipv4" or "ipv6", state the TCP state's
name (``LISTEN``, ``ESTABLISHED`` ...) or, for UDP, ``BOUND`` (unconnected)
or ``CONNECTED``; remote is the peer ("203.0.113.80:80") of a connected
socket, else None; inode (a decimal string, "0" for none) names the socket
in /proc/PID/fd.

sock_diag asks the kernel for just the listeners, in binary: ~0.5 ms for a
thousand sockets where /proc/net/tcp takes ~5 ms to print them. Where netlink
is refused (a sandbox, a kernel without inet_diag) the /proc/net tables give
the same entries (a test holds the two readers together).

Imports only os, sys, struct and _socket: socket.py builds enums (~3 ms),
and `portatlas listening` loads this module on every run.
"""

from __future__ import annotations

import os
import struct
import sys

from portatlas.system.rows import BOUND, CONNECTED, LISTEN, endpoint

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    import _socket

Entry = tuple[str, str, str, int, str, "str | None", str]

PROC = "/proc"
# TCP state codes (include/net/tcp_states.h), named as psutil and ss name them.
TCP_STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2", 6: "TIME_WAIT",
              7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING", 12: "NEW_SYN_RECV"}
_TABLES = (("tcp", "ipv4"), ("tcp6", "ipv6"), ("udp", "ipv4"), ("udp6", "ipv6"))

# sock_diag (linux/sock_diag.h, linux/inet_diag.h).
_NETLINK_SOCK_DIAG = 4
_SOCK_DIAG_BY_FAMILY = 20
_NLM_F_REQUEST_DUMP = 0x1 | 0x300
_NLMSG_ERROR, _NLMSG_DONE = 2, 3
_AF_INET, _AF_INET6 = 2, 10
_IPPROTO_TCP, _IPPROTO_UDP = 6, 17
_LISTEN_ONLY = 1 << 10
# Every state /proc/net/tcp shows (1-12); not 13, TCP_BOUND_INACTIVE, which /proc never lists.
_ALL_STATES = 0x1FFE
_NLMSGHDR = struct.Struct("=IHHII")
_HEAD = struct.Struct("=IH")  # nlmsg_len, nlmsg_type
_REQUEST = struct.Struct("=BBBxI48x")  # inet_diag_req_v2 with an empty inet_diag_sockid
# inet_diag_msg: state; inet_diag_sockid's ports (big-endian), source and destination addresses; the inode.
_MSG = struct.Struct("=xBxxHH16s16s28xI")
_SWAP = sys.byteorder == "little"
_I32 = struct.Struct("=i")


def available(proc: str = PROC) -> bool:
    """Whether this kernel's socket table can be read (/proc/net/tcp, as every Linux has)."""
    return os.access(f"{proc}/net/tcp", os.R_OK)


def read_table(include_all: bool = False, proc: str = PROC,
               transports: tuple[str, ...] = ("tcp", "udp")) -> list[Entry]:
    """Every TCP listener and unconnected UDP socket (every TCP and UDP socket with ``include_all``).

    OSError when the kernel's tables cannot be read at all.
    """
    if proc == PROC:  # netlink answers for this machine's own /proc only
        entries = netlink_table(include_all, transports)
        if entries is not None:
            return entries
    return proc_table(include_all, proc, transports)


# -- netlink ---------------------------------------------------------------------------------------

def netlink_table(include_all: bool = False, transports: tuple[str, ...] = ("tcp", "udp")) -> list[Entry] | None:
    """The table through netlink sock_diag, or None where the kernel refuses it."""
    try:
        import _socket  # the C module behind socket: the same calls without socket.py's enums

        sock = _socket.socket(_socket.AF_NETLINK, _socket.SOCK_RAW, _NETLINK_SOCK_DIAG)
    except (ImportError, AttributeError, OSError):
        return None
    out: list[Entry] = []
    try:
        for transport, proto, states in (("tcp", _IPPROTO_TCP, _ALL_STATES if include_all else _LISTEN_ONLY),
                                         ("udp", _IPPROTO_UDP, _ALL_STATES)):
            if transport not in transports:
                continue
            for family in (_AF_INET, _AF_INET6):
                if not _dump(sock, transport, family, proto, states, include_all, out):
                    return None
    except OSError:
        return None
    finally:
        sock.close()
    return out


def _dump(sock: _socket.socket, transport: str, family: int, proto: int, states: int, include_all: bool,
          out: list[Entry]) -> bool:
    """One sock_diag dump appended to ``out``; False when the kernel answers with an error."""
    req = _REQUEST.pack(family, proto, 0, states)
    sock.send(_NLMSGHDR.pack(_NLMSGHDR.size + len(req), _SOCK_DIAG_BY_FAMILY, _NLM_F_REQUEST_DUMP, 1, 0) + req)
    fam = "ipv4" if family == _AF_INET else "ipv6"
    decode = _v4 if family == _AF_INET else _v6
    tcp = transport == "tcp"
    head, msg = _HEAD.unpack_from, _MSG.unpack_from
    while True:
        buf: bytes = sock.recv(1 << 17)
        if not buf:
            return True
        off = 0
        while off + 16 <= len(buf):
            size, kind = head(buf, off)
            if size < _NLMSGHDR.size:
                return False  # a malformed message: read /proc/net instead
            if kind == _NLMSG_DONE:
                return True
            if kind == _NLMSG_ERROR:
                errno: int = _I32.unpack_from(buf, off + 16)[0]
                return errno == 0
            code, sport, dport, src, dst, inode = msg(buf, off + 16)
            if _SWAP:  # the ports are big-endian on the wire
                sport, dport = (sport >> 8) | (sport & 0xFF) << 8, (dport >> 8) | (dport & 0xFF) << 8
            state = TCP_STATES.get(code, f"{code:02X}") if tcp else CONNECTED if dport else BOUND
            if include_all or state in (LISTEN, BOUND):
                peer = endpoint(decode(dst), dport) if dport else None
                out.append((transport, fam, decode(src), sport, state, peer, str(inode)))
            off += (size + 3) & ~3


_ADDRESSES: dict[bytes, str] = {}


def _v4(raw: bytes) -> str:
    """An IPv4 address from its network-order bytes (the first four of ``raw``)."""
    s = _ADDRESSES.get(raw)
    if s is None:
        s = _ADDRESSES[raw] = f"{raw[0]}.{raw[1]}.{raw[2]}.{raw[3]}"
    return s


def _v6(raw: bytes) -> str:
    """An IPv6 address from its 16 network-order bytes, written as inet_ntop writes it."""
    s = _ADDRESSES.get(b"6" + raw)
    if s is None:
        import _socket

        s = _ADDRESSES[b"6" + raw] = _socket.inet_ntop(_AF_INET6, raw)
    return s


# -- /proc/net -------------------------------------------------------------------------------------

def proc_table(include_all: bool = False, proc: str = PROC,
               transports: tuple[str, ...] = ("tcp", "udp")) -> list[Entry]:
    """The table as /proc/net/{tcp,tcp6,udp,udp6} print it."""
    out: list[Entry] = []
    for table, family in _TABLES:
        transport = table[:3]
        if transport not in transports:
            continue
        try:
            with open(f"{proc}/net/{table}", "rb") as f:
                lines = f.read().decode("ascii").splitlines()[1:]
        except FileNotFoundError:
            continue  # a kernel without IPv6
        decode = _hex_v4 if family == "ipv4" else _hex_v6
        for line in lines:
            parts = line.split(None, 10)
            if len(parts) < 10:
                continue
            local, remote, st, inode = parts[1], parts[2], parts[3], parts[9]
            rhost, _, rport = remote.partition(":")
            connected = int(rport, 16) != 0
            state = TCP_STATES.get(int(st, 16), st) if transport == "tcp" else CONNECTED if connected else BOUND
            if not include_all and state not in (LISTEN, BOUND):
                continue
            lhost, _, lport = local.partition(":")
            peer = endpoint(decode(rhost), int(rport, 16)) if connected else None
            out.append((transport, family, decode(lhost), int(lport, 16), state, peer, inode))
    return out


def _hex_v4(h: str) -> str:
    # /proc/net prints the address as the host-order 32-bit word in hex.
    b = bytes.fromhex(h)
    return _v4(b[::-1] if sys.byteorder == "little" else b)


def _hex_v6(h: str) -> str:
    b = bytes.fromhex(h)
    if sys.byteorder == "little":  # four host-order 32-bit words
        b = b"".join(b[i:i + 4][::-1] for i in range(0, 16, 4))
    return _v6(b)
