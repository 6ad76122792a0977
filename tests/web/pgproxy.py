"""A TCP proxy in front of PostgreSQL that drops a connection at a chosen moment.

Once armed, it cuts the first connection whose client sends a message holding
``trigger`` (say ``b"INSERT INTO feedback"``), right after forwarding the server's
answer to it (its ReadyForQuery): the query ran, its answer arrived, and the
next one finds the connection gone, as when a network or a server dies between
two statements. The client must connect with ``sslmode=disable`` and
``gssencmode=disable`` so the messages can be read.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field


@dataclass
class CuttingProxy:
    """Listens on a loopback port; forwards to ``upstream``."""

    upstream: tuple[str, int]
    trigger: bytes
    port: int = 0
    cuts: int = 0
    armed: bool = False
    _listener: socket.socket | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> CuttingProxy:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()

    def arm(self) -> None:
        """Cut the next connection that sends the trigger (once)."""
        with self._lock:
            self.armed = True

    def _accept(self) -> None:
        assert self._listener is not None
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            state = {"triggered": False}
            threading.Thread(target=self._to_server, args=(client, server, state), daemon=True).start()
            threading.Thread(target=self._to_client, args=(server, client, state), daemon=True).start()

    def _to_server(self, client: socket.socket, server: socket.socket, state: dict[str, bool]) -> None:
        tail = b""
        try:
            while data := client.recv(65536):
                seen = tail + data
                with self._lock:
                    if self.armed and self.trigger in seen:
                        self.armed = False
                        state["triggered"] = True
                tail = seen[-len(self.trigger):]
                server.sendall(data)
        except OSError:
            pass
        _close(client, server)

    def _to_client(self, server: socket.socket, client: socket.socket, state: dict[str, bool]) -> None:
        buf = b""
        try:
            while data := server.recv(65536):
                buf += data
                # Server messages are a type byte and a 4-byte length that counts itself.
                while len(buf) >= 5:
                    end = 1 + int.from_bytes(buf[1:5], "big")
                    if len(buf) < end:
                        break
                    message, buf = buf[:end], buf[end:]
                    client.sendall(message)
                    if state["triggered"] and message[:1] == b"Z":
                        with self._lock:
                            self.cuts += 1
                        _close(client, server)
                        return
        except OSError:
            pass
        _close(client, server)


def _close(*socks: socket.socket) -> None:
    for s in socks:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()
