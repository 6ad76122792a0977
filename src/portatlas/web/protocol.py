"""uvicorn's HTTP/1.1 protocol (h11), answering a request that is not valid HTTP in the one error shape.

uvicorn rejects a malformed request (a bad request line, a header without a
colon) before the app sees it, with a plain-text "Invalid HTTP request
received."; it has no option for that body. ``serve`` runs this subclass of
its h11 protocol instead, whose only change is that answer (the path is not
known reliably at that point, so every path gets the API's JSON shape). The
override is of uvicorn's ``send_400_response``; tests/web/test_web_hostile.py
sends such requests to a real server, so a uvicorn that stops calling it is noticed.
"""

from __future__ import annotations

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from portatlas.web.errors import error_body

IMPORT_PATH = "portatlas.web.protocol:H11ErrorShape"  # uvicorn's ``http`` option takes an import string
MESSAGE = ("the request is not valid HTTP/1.1 (a malformed request line or header); "
           "nothing was done")


class H11ErrorShape(H11Protocol):
    """uvicorn's h11 protocol with a JSON 400 for requests h11 cannot parse."""

    def send_400_response(self, msg: str) -> None:
        """The 400 as ``{"error": {"status": 400, "type": "bad_request", "message": ...}}``; then close."""
        body = error_body(400, MESSAGE)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"cache-control", b"no-store"), (b"connection", b"close")]
        for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                      h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self.transport.close()
