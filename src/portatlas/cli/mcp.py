"""`portatlas mcp`: serve the answers to AI agents as Model Context Protocol tools over stdio."""

from __future__ import annotations

from portatlas.cli.args import Args, Command, run_with
from portatlas.errors import BadInput

SPEC = Command(
    "mcp", "serve the answers to AI agents as Model Context Protocol tools over stdin and stdout",
    description="Run a Model Context Protocol server over stdin and stdout (JSON-RPC, one message a line) "
                "until the client closes stdin. Its tools: lookup_port, lookup_name, search, gaps, stats, "
                "advise, suggest_ports, who_listens and port_history; each returns the same JSON as "
                "'portatlas ... --json'. An MCP client starts it (see the README's 'For agents (MCP)'). "
                "It needs the optional MCP SDK: pip install 'portatlas[mcp]'.",
)

INSTALL = "pip install 'portatlas[mcp]'"


def run(argv: list[str]) -> int:
    """Serve until stdin closes (exit 0); 2 when the MCP SDK is not installed or on bad arguments."""
    return run_with(SPEC, argv, _run)


def _run(args: Args) -> int:
    del args  # nothing to choose: the client speaks first
    try:
        from portatlas.mcp.server import serve
    except ImportError as e:
        if (e.name or "").startswith("portatlas"):
            raise  # our own module is broken: an unexpected fault, not a missing extra
        # The SDK is an optional extra (it is heavy); say how to add it, in one line.
        why = "" if (e.name or "").split(".")[0] == "mcp" else f" ({e})"
        raise BadInput(f"'portatlas mcp' needs the MCP SDK (the Python package mcp), which is not installed{why}: "
                       f"{INSTALL}") from None
    import sys

    if sys.stdin.isatty():  # a person ran it by hand: say what it is waiting for (stderr: stdout is the wire)
        sys.stderr.write("portatlas mcp: serving the Model Context Protocol on stdin and stdout; an MCP client "
                         "starts this command (see the README's 'For agents (MCP)'); Ctrl-C stops it\n")
    serve()
    return 0
