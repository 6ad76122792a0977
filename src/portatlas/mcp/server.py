"""The MCP server: the tool table, each tool's schemas, and the stdio server (the ``mcp`` SDK's low-level
``Server``, so every inputSchema and outputSchema is exactly the one declared here).

A tool reads its arguments (``portatlas.mcp.arguments``: the grammar and the
library's parsers), calls the library once and returns ``to_data`` of the
answer as structured content, with one line of text (the answer's headline or
a summary). Its outputSchema is the answer's JSON Schema, generated from the
value classes (``portatlas.answers.schema``). A list (gaps, suggestions) is
wrapped in an object, because structured content is an object before MCP
2026-07-28. Bad arguments, a name nobody knows and any unexpected fault are
tool errors (``isError``, one line); the server goes on answering.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread
import mcp.types as types
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError

from portatlas import __version__
from portatlas.errors import BadInput, NotFound, PortatlasError
from portatlas.mcp import arguments as a
from portatlas.mcp import lines
from portatlas.model import Transport
from portatlas.query.grammar import PortSpec, QueryKind, read, read_port, shown
from portatlas.value import to_data, value

if TYPE_CHECKING:
    from portatlas.atlas import Registry

Args = dict[str, Any]


@value
class Tool:
    """One tool: its name, title and description, its arguments, the answers it returns (names of
    ``answer_types()``; ``wrap`` names the key a list is wrapped in), the library call and its text line."""

    name: str
    title: str
    description: str
    params: tuple[a.Param, ...]
    output: tuple[str, ...]
    call: Callable[[Registry, Args], object]
    line: Callable[[Any], str]
    wrap: str | None = None


def _agree(spec: PortSpec, given: Transport | None) -> Transport | None:
    """The transport written after the port and the ``transport`` argument, which must not disagree."""
    if spec.transport is not None and given is not None and spec.transport is not given:
        raise BadInput(f"{spec.low}/{spec.transport} and transport {given} disagree: give the transport once")
    return spec.transport or given


def _lookup_port(reg: Registry, x: Args) -> object:
    q = read(x["port"], is_name=lambda _: False)
    if q.kind is QueryKind.NAME:
        raise BadInput(f"{shown(x['port'])} is not a port: give a port (0-65535), PORT/tcp, a range LOW-HIGH or "
                       "a list such as 22,80,443 (for a service or program name use lookup_name)")
    if q.kind is QueryKind.PORT:
        return reg.answer(q.port, _agree(q.specs[0], x["transport"]))
    return reg.ports(q.text, tuple(PortSpec(s.low, s.high, _agree(s, x["transport"])) for s in q.specs))


def _lookup_name(reg: Registry, x: Args) -> object:
    try:
        q = read(x["name"], is_name=reg.has_name)
    except BadInput:  # not a port, range or list either ('../etc'): a name nothing has
        return reg.name(" ".join(str(x["name"]).split()))
    if q.kind is not QueryKind.NAME:
        raise BadInput(f"{shown(x['name'])} is a port, not a name: ask lookup_port for it")
    return reg.name(str(q.name))


def _gaps(reg: Registry, x: Args) -> object:
    blocks = reg.gaps(x["range"], x["min"], x["transports"] or (Transport.TCP, Transport.UDP))
    return tuple(blocks[: x["limit"]] if x["limit"] else blocks)


def _advise(reg: Registry, x: Args) -> object:
    from portatlas.advice import advise, parse_transports

    spec = read_port(x["port"])
    given = x["transport"]
    if spec.transport is not None and given is not None and given != (spec.transport,):
        raise BadInput(f"{spec.low}/{spec.transport} and transport {'+'.join(map(str, given))} disagree: "
                       "give the transport once")
    ts = (spec.transport,) if spec.transport is not None else given or parse_transports("tcp")
    return advise(reg, spec.low, ts, x["purpose"], x["http"], x["service"])


def _suggest(reg: Registry, x: Args) -> object:
    from portatlas.advice import suggest

    return tuple(suggest(reg, count=x["count"], transport=x["transport"], range=x["range"], near=x["near"],
                         name=x["name"], http=x["http"]))


def _who(reg: Registry, x: Args) -> object:
    from portatlas.system.annotate import machine

    spec = read_port(x["port"], transports=(Transport.TCP, Transport.UDP))
    return machine(reg, spec.low, _agree(spec, x["transport"]), x["all"])


def _history(reg: Registry, x: Args) -> object:
    from portatlas.registry.history import port_history

    spec = read_port(x["port"])
    return port_history(spec.low, _agree(spec, x["transport"]))


def _advice_choices() -> tuple[a.Param, a.Param]:
    from portatlas.advice import parse_purpose, parse_transports

    return (a.choice("transport", "tcp (default), udp, both (tcp and udp), sctp or dccp",
                     ("tcp", "udp", "both", "sctp", "dccp"), parse_transports),
            a.choice("purpose", "what the port is for: production (default), internal, testing, or standard "
                     "(a protocol being standardized)", ("production", "internal", "testing", "standard"),
                     parse_purpose, default="production"))


def _suggest_transport() -> a.Param:
    from portatlas.advice import parse_transports

    return a.choice("transport", "tcp (default), udp or both", ("tcp", "udp", "both"),
                    lambda s: parse_transports(s, allowed=("tcp", "udp", "both")), default="tcp")


_PORT = "a port 0-65535 (an integer, or text such as '5432' or '5432/tcp')"


def tools() -> tuple[Tool, ...]:
    """Every tool, in the order listed."""
    from portatlas.query.suggest import MAX_COUNT

    return (
        Tool("lookup_port", "Look up a port",
             "What the IANA registry says of a port on each transport, what commonly runs there, whether to "
             "use it, how to check it, its history and sources (PortAnswer). A range '8000-8100' or a list "
             "'22,80,8000-8100' (at most 4,096 ports) gives one line per port instead (PortsAnswer).",
             (a.ports("port", "a port 0-65535 (an integer, or text: '443', '80/tcp'), a range LOW-HIGH or a "
                      "list such as '22,80,8000-8100'"), a.transport()),
             ("PortAnswer", "PortsAnswer"), _lookup_port, lines.port_or_ports),
        Tool("lookup_name", "Look up a service or program name",
             "A registry service name (any letter case) or a program's name: its registry rows and every port "
             "the programs of that name use (NameAnswer). An unknown name is an error with suggestions.",
             (a.text("name", "a service name such as 'postgresql' or a program such as 'minecraft'",
                     required=True),),
             ("NameAnswer",), _lookup_name, lines.name),
        Tool("search", "Search the registry and common use",
             "Ranked search over the registry's service names and descriptions and the programs of "
             "portatlas's common-use dataset (SearchAnswer); typos and punctuation are tolerated. Text "
             "written as ports ('22/tcp', 'port 443', '8000-8100') answers with those ports.",
             (a.text("query", "words to look for ('remote desktop', 'sql server'), a name, or ports",
                     required=True),
              a.transport("only rows and ports on this transport"),
              a.port_range("only rows and ports in this range: system, user or dynamic"),
              a.integer("limit", "at most this many hits", 1, 200, 20)),
             ("SearchAnswer",), lambda reg, x: reg.search_answer(x["query"], x["transport"], x["range"],
                                                                 x["limit"]), lines.search),
        Tool("gaps", "Unassigned blocks",
             "Blocks of consecutive ports unassigned on every transport considered, largest first, each with "
             "its rank in its range (a list of Block, as 'blocks').",
             (a.port_range("system or user (default both)", ("system", "user")),
              a.integer("min", "only blocks of at least this many ports", 1, 65536, 1),
              a.transports("transports", "consider these transports (default tcp and udp)"),
              a.integer("limit", "at most this many blocks, 0 for all (there are hundreds)", 0, 65536, 20)),
             ("Gaps",), _gaps, lines.gaps, wrap="blocks"),
        Tool("stats", "Registry statistics",
             "How many ports are assigned, reserved and unassigned in each range on each transport, in the "
             "edition answered from (Stats).", (), ("Stats",), lambda reg, x: reg.stats(), lines.stats),
        Tool("advise", "Should I use this port?",
             "A verdict (good, caution, avoid) for using a port for a purpose, with every reason and its "
             "source: the range, the registry, browsers' bad ports, this machine's ephemeral range, nmap's "
             "table and what listens here now (Advice).",
             (a.ports("port", _PORT, one=True), *_advice_choices(),
              a.flag("http", "the service speaks HTTP: the ports browsers refuse count"),
              a.text("service", "your service's registered name, if the port may already be yours")),
             ("Advice",), _advise, lines.advice),
        Tool("suggest_ports", "Suggest free ports",
             "Ports free to use: unassigned on the transports asked, off the browsers' bad-port list, outside "
             "the ephemeral ranges, not commonly used, and free on this machine (checked by binding); each "
             "with the checks it passed (a list of Suggestion, as 'suggestions').",
             (a.integer("count", "how many ports", 1, MAX_COUNT, 5), _suggest_transport(),
              a.port_range("user (1024-32767, the default) or dynamic (61000-65535)", ("user", "dynamic")),
              a.ports("near", "rank by distance from this port (0-65535)", one=True, transports=(),
                      required=False),
              a.text("name", "a service name: start from a port derived from it, the same on every machine",
                     max_len=15),
              a.flag("http", "the service speaks HTTP (browsers' bad ports are always left out)")),
             ("Suggestions",), _suggest, lines.suggestions, wrap="suggestions"),
        Tool("who_listens", "Who listens on a port here",
             "Every socket on this machine bound to the port, with the process holding it (PID, name, "
             "command line, user), read against the registry, with flags where something looks off "
             "(MachineReport).",
             (a.ports("port", "a port 0-65535 (an integer, or '5432', '5432/tcp', '53/udp')", one=True,
                      transports=("tcp", "udp")),
              a.transport("only this transport: tcp or udp (default both)", ("tcp", "udp")),
              a.flag("all", "also connected sockets (ESTABLISHED, TIME_WAIT, connected UDP), not only listeners")),
             ("MachineReport",), _who, lines.machine),
        Tool("port_history", "A port's history",
             "A port's timeline across the registry's editions since 2017 on each transport: every change of "
             "state or assignment, dated between the last edition without it and the first with it "
             "(PortHistory).",
             (a.ports("port", _PORT, one=True), a.transport()),
             ("PortHistory",), _history, lines.history),
    )


def _local(node: Any) -> Any:
    """A schema with its references pointing into its own ``$defs`` (OpenAPI's are components)."""
    if isinstance(node, dict):
        return {k: ("#/$defs/" + v.rsplit("/", 1)[-1] if k == "$ref" else _local(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_local(v) for v in node]
    return node


def output_schema(tool: Tool) -> dict[str, Any]:
    """The tool's outputSchema: the generated schema of the answer it returns, self-contained."""
    from portatlas.answers.schema import answer_types, components

    found = answer_types()
    roots, comps = components(*(found[n] for n in tool.output))
    roots, defs = _local(roots), _local(comps)
    if tool.wrap is not None:
        root = {"type": "object", "properties": {tool.wrap: roots[0]}, "required": [tool.wrap],
                "additionalProperties": False}
    elif len(roots) == 1:
        name = tool.output[0]
        root = dict(defs[name])
        if f'"#/$defs/{name}"' not in json.dumps(defs):
            del defs[name]  # referenced by nothing but the root, which is inlined
    else:
        root = {"type": "object", "anyOf": roots}
    return {**root, "$defs": defs}


def listing() -> list[types.Tool]:
    """The tools as ``tools/list`` gives them."""
    hints = types.ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                                  open_world_hint=False)
    return [types.Tool(name=t.name, title=t.title, description=t.description,
                       input_schema=a.input_schema(t.params), output_schema=output_schema(t),
                       annotations=hints) for t in tools()]


class Registries:
    """The registry edition answered from: loaded once, and again only when the edition in use changes
    (``portatlas update``), so its search tables and knowledge are built once per edition."""

    def __init__(self) -> None:
        self._path: object = None
        self._reg: Registry | None = None

    def current(self) -> Registry:
        """The registry of the edition in use now."""
        from portatlas.atlas import Registry
        from portatlas.source.paths import current_source_path

        path = current_source_path()
        if self._reg is None or path != self._path:
            self._reg, self._path = Registry.from_file(path), path
        return self._reg


def _error(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=message)], is_error=True)


def call(tool: Tool, arguments: Mapping[str, Any] | None, registries: Registries) -> types.CallToolResult:
    """Run one tool; every failure is a tool error of one line, never an exception out of here."""
    try:
        args = a.read_arguments(tool.name, tool.params, arguments)
        answer = tool.call(registries.current(), args)
        data = to_data(answer)
        return types.CallToolResult(content=[types.TextContent(text=tool.line(answer))],
                                    structured_content={tool.wrap: data} if tool.wrap else data)
    except PortatlasError as e:
        step = (f"; the search tool looks for it in names and descriptions (query {json.dumps(e.search)})"
                if isinstance(e, NotFound) and e.search else "")
        return _error(f"{e}{step}")
    except Exception as e:  # noqa: BLE001 - the tool's boundary: the server must keep answering
        message = (f"unexpected error in {tool.name}: {type(e).__name__}: {e} "
                   "(please report it with the tool and its arguments)")
        sys.stderr.write(f"portatlas mcp: {message}\n")
        return _error(message)


def server() -> Server[Any]:
    """The low-level SDK server answering tools/list and tools/call."""
    table = {t.name: t for t in tools()}
    listed = listing()
    registries = Registries()
    limiter = anyio.CapacityLimiter(1)  # one library call at a time: the registry's lazy tables are not locked

    async def list_tools(ctx: Any, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult(tools=listed)

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        tool = table.get(params.name)
        if tool is None:
            raise MCPError(code=types.INVALID_PARAMS,
                           message=f"unknown tool {shown(params.name)}: the tools are {', '.join(table)}")
        # In a worker thread: a first call builds tables for a while, and pings must still be answered.
        return await anyio.to_thread.run_sync(partial(call, tool, params.arguments, registries), limiter=limiter)

    return Server("portatlas", version=__version__, title="portatlas",
                  instructions="The IANA port registry, what commonly runs on each port, this machine's "
                               "listeners and advice. lookup_port answers 'what is port N?'; lookup_name "
                               "and search go from a name to ports.",
                  on_list_tools=list_tools, on_call_tool=call_tool)


async def _serve() -> None:
    srv = server()
    async with stdio_server() as (read_stream, write_stream):
        await srv.run(read_stream, write_stream, srv.create_initialization_options())


def serve() -> None:
    """Serve MCP over stdin and stdout until the client closes stdin."""
    anyio.run(_serve)
