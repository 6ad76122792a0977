"""One exception family. Each message says what was wrong and what is valid.

``exit_code`` follows grep: 1 nothing found, 2 bad input; other faults use
higher codes documented in the README.
"""

from __future__ import annotations


class PortatlasError(Exception):
    """Base of every error portatlas raises on purpose."""

    exit_code = 3
    http_status = 500


class BadInput(PortatlasError, ValueError):
    """The caller asked something that is not a valid question."""

    exit_code = 2
    http_status = 422


class NotFound(PortatlasError, LookupError):
    """A well-formed question with no answer (an unknown service name).

    ``search`` is the text to search the registry for when a search is the
    next step to offer; each face words that step its own way (a command,
    a tool, a link), so the message itself names none.
    """

    exit_code = 1
    http_status = 404

    def __init__(self, message: str, search: str | None = None) -> None:
        super().__init__(message)
        self.search = search


class RegistryError(PortatlasError):
    """A registry file could not be read: malformed, hostile, or not a registry."""

    exit_code = 4
    http_status = 500


class Refused(PortatlasError):
    """portatlas will not do what was asked: stop PID 1, its own ancestors, or another user's process."""

    exit_code = 6
    http_status = 403
