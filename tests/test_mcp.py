"""`portatlas mcp`: the SDK's own client (stdio_client + ClientSession) against the real server subprocess.

Every structured answer is compared with ``to_data`` of the library's answer to the same question, and
validated against the outputSchema the server declared; bad arguments are tool errors of one line and
the server goes on answering.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from portatlas.value import fields, to_data

from .sockets import bound, free_port

needs_sdk = pytest.mark.skipif(importlib.util.find_spec("mcp") is None,
                               reason="the MCP SDK is not installed: pip install -e '.[test]' (or '.[mcp]')")

TOOLS = ["lookup_port", "lookup_name", "search", "gaps", "stats", "advise", "suggest_ports", "who_listens",
         "port_history"]


class Client:
    """A synchronous face on one ClientSession, which lives in a blocking portal's event loop thread."""

    def __init__(self, portal: Any, session: Any, process_log: Path) -> None:
        self.portal, self.session, self.log = portal, session, process_log
        self.tools = {t.name: t for t in portal.call(session.list_tools).tools}

    def call(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
        return self.portal.call(self.session.call_tool, name, arguments)

    def ok(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
        """A successful call's structured content, checked against the tool's declared outputSchema."""
        from jsonschema import Draft202012Validator

        res = self.call(name, arguments)
        assert not res.is_error, res.content[0].text
        Draft202012Validator(self.tools[name].output_schema).validate(res.structured_content)
        assert len(res.content) == 1 and "\n" not in res.content[0].text
        return res

    def refused(self, name: str, arguments: dict[str, Any] | None = None) -> str:
        """A call that must be a tool error: its one line."""
        res = self.call(name, arguments)
        assert res.is_error, res
        assert res.structured_content is None
        (block,) = res.content
        assert "\n" not in block.text and "Traceback" not in block.text, block.text
        return str(block.text)


@asynccontextmanager
async def _session(env: dict[str, str], errlog: Any) -> Any:
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "portatlas", "mcp"], env=env)
    async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


@contextmanager
def _client(env: dict[str, str], tmp: Path) -> Iterator[Client]:
    from anyio.from_thread import start_blocking_portal

    log = tmp / "server.log"
    with log.open("w") as errlog, start_blocking_portal() as portal, \
            portal.wrap_async_context_manager(_session(env, errlog)) as session:
        yield Client(portal, session, log)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    with _client(dict(os.environ), tmp_path_factory.mktemp("mcp")) as c:
        yield c


@pytest.fixture(scope="module")
def reg() -> Any:
    from portatlas import Registry

    return Registry.default()  # the edition the server answers from: the same environment


@needs_sdk
def test_lists_every_tool_with_its_declared_schemas(client):
    from jsonschema import Draft202012Validator

    from portatlas.answers.port import PortAnswer
    from portatlas.mcp import server

    assert list(client.tools) == TOOLS
    declared = {t.name: t for t in server.tools()}
    for name, tool in client.tools.items():
        assert tool.input_schema == server.listing()[TOOLS.index(name)].input_schema
        assert tool.output_schema == server.output_schema(declared[name])
        Draft202012Validator.check_schema(tool.output_schema)
        assert tool.output_schema["type"] == "object" and tool.input_schema["additionalProperties"] is False
        assert tool.annotations.read_only_hint is True and tool.description
    port = client.tools["lookup_port"]
    assert port.input_schema["required"] == ["port"]
    integer, text = port.input_schema["properties"]["port"]["anyOf"]
    assert (integer["type"], integer["minimum"], integer["maximum"]) == ("integer", 0, 65535)
    assert text["type"] == "string" and "pattern" in text
    assert port.input_schema["properties"]["transport"]["enum"] == ["tcp", "udp", "sctp", "dccp"]
    assert [r["$ref"] for r in port.output_schema["anyOf"]] == ["#/$defs/PortAnswer", "#/$defs/PortsAnswer"]
    assert list(port.output_schema["$defs"]["PortAnswer"]["properties"]) == [*fields(PortAnswer)]
    search = client.tools["search"].input_schema["properties"]
    assert (search["limit"]["minimum"], search["limit"]["maximum"]) == (1, 200)
    assert search["range"]["enum"] == ["system", "user", "dynamic"]
    advise = client.tools["advise"].input_schema["properties"]
    assert advise["purpose"]["enum"] == ["production", "internal", "testing", "standard"]
    assert client.tools["who_listens"].input_schema["properties"]["transport"]["enum"] == ["tcp", "udp"]
    assert client.tools["stats"].output_schema["title"] == "Stats"  # one answer: its schema inlined at the root
    assert client.tools["gaps"].output_schema["required"] == ["blocks"]


@needs_sdk
def test_each_tool_answers_what_the_library_answers(client, reg):
    from portatlas.advice import advise, suggest
    from portatlas.registry.history import port_history

    res = client.ok("lookup_port", {"port": 25565})
    assert res.structured_content == to_data(reg.answer(25565))
    assert res.content[0].text == reg.answer(25565).headline and "Minecraft" in res.content[0].text
    assert client.ok("lookup_port", {"port": "80/tcp"}).structured_content == to_data(reg.answer(80, "tcp"))
    assert client.ok("lookup_port", {"port": 443, "transport": "udp"}).structured_content == \
        to_data(reg.answer(443, "udp"))
    many = client.ok("lookup_port", {"port": "22,80,8000-8010"})
    assert many.structured_content == to_data(reg.ports("22,80,8000-8010"))
    assert many.content[0].text.startswith("13 ports for 22,80,8000-8010: 22 assigned (ssh)")
    name = client.ok("lookup_name", {"name": "Minecraft"})
    assert name.structured_content == to_data(reg.name("Minecraft")) and "25565/tcp" in name.content[0].text
    assert client.ok("lookup_name", {"name": "PostgreSQL"}).structured_content == to_data(reg.name("PostgreSQL"))
    assert client.ok("search", {"query": "sql server", "limit": 5}).structured_content == \
        to_data(reg.search_answer("sql server", None, None, 5))
    assert client.ok("search", {"query": "remote desktop", "transport": "udp", "range": "user"}) \
        .structured_content == to_data(reg.search_answer("remote desktop", "udp", "user", 20))
    assert client.ok("gaps", {"range": "system", "min": 10}).structured_content == \
        {"blocks": to_data(reg.gaps("system", 10)[:20])}
    assert client.ok("gaps", {"limit": 0, "transports": ["tcp"]}).structured_content == \
        {"blocks": to_data(reg.gaps(None, 1, ("tcp",)))}
    assert client.ok("stats").structured_content == to_data(reg.stats())
    assert client.ok("advise", {"port": 307, "purpose": "standard"}).structured_content == \
        to_data(advise(reg, 307, "tcp", "standard"))
    web = client.ok("advise", {"port": "6000/udp", "http": True, "purpose": "internal"})
    assert web.structured_content == to_data(advise(reg, 6000, "udp", "internal", True))
    assert web.content[0].text == advise(reg, 6000, "udp", "internal", True).summary
    found = client.ok("suggest_ports", {"count": 3, "near": 20000, "transport": "both"})
    assert found.structured_content == {"suggestions": to_data(suggest(reg, count=3, transport="both", near=20000))}
    assert client.ok("port_history", {"port": 307}).structured_content == to_data(port_history(307))
    assert client.ok("port_history", {"port": "80/tcp"}).structured_content == to_data(port_history(80, "tcp"))


@needs_sdk
def test_who_listens_finds_the_socket_this_test_holds(client, reg):
    from portatlas.system.annotate import machine

    port = free_port()
    with bound(socket.SOCK_STREAM, port=port), bound(socket.SOCK_DGRAM, port=port):
        res = client.ok("who_listens", {"port": port})
        udp = client.ok("who_listens", {"port": f"{port}/udp"})
        here = machine(reg, port)
    rows = [(s["listener"]["transport"], s["listener"]["pid"], s["listener"]["state"])
            for s in res.structured_content["sockets"]]
    assert rows == [("tcp", os.getpid(), "LISTEN"), ("udp", os.getpid(), "BOUND")]
    assert res.structured_content == to_data(here)
    assert [s["listener"]["transport"] for s in udp.structured_content["sockets"]] == ["udp"]
    assert f"(pid {os.getpid()}) LISTEN on 127.0.0.1:{port}/tcp" in res.content[0].text
    gone = client.ok("who_listens", {"port": port})
    assert gone.structured_content["sockets"] == [] and "nothing is bound" in gone.content[0].text


@needs_sdk
@pytest.mark.parametrize(("tool", "arguments", "says"), [
    ("lookup_port", {"port": 70000}, "port 70000 is out of range: a port is a whole number from 0 to 65535"),
    ("lookup_port", {"port": "1e3"}, "'1e3' is not a port: a port is a whole number from 0 to 65535"),
    ("lookup_port", {"port": "90-80"}, "range 90-80 runs backwards"),
    ("lookup_port", {"port": 1000.0}, "is not a port: give a whole number from 0 to 65535"),
    ("lookup_port", {"port": True}, "is not a port"),
    ("lookup_port", {"port": "http"}, "for a service or program name use lookup_name"),
    ("lookup_port", {"port": 80, "transport": "xyz"}, "unknown transport 'xyz': use tcp, udp, sctp or dccp"),
    ("lookup_port", {"port": "80/tcp", "transport": "udp"}, "80/tcp and transport udp disagree"),
    ("lookup_port", {"prot": 80}, "unknown argument 'prot' for lookup_port: it takes port, transport"),
    ("lookup_port", {}, "lookup_port needs port"),
    ("search", {"query": "ssh", "limit": -1}, "limit -1 is out of range: give a whole number from 1 to 200"),
    ("search", {"query": "ssh", "limit": "lots"}, "limit 'lots' is not a whole number"),
    ("gaps", {"limit": -1}, "limit -1 is out of range: give a whole number from 0 to 65536"),
    ("gaps", {"range": "dynamic"}, "range 'dynamic' is not one of system, user"),
    ("suggest_ports", {"count": 0}, "count 0 is out of range: give a whole number from 1 to 1000"),
    ("advise", {"port": 8080, "purpose": "fun"}, "unknown purpose 'fun'"),
    ("advise", {"port": "8000-8100"}, "is a range: this command takes one port"),
    ("who_listens", {"port": "53/sctp"}, "works on tcp and udp"),
    ("port_history", {"port": -1}, "port -1 is out of range"),
    ("lookup_name", {"name": "nosuchthingzz"}, "no service or program named 'nosuchthingzz'"),
    ("lookup_name", {"name": "nosuchthingzz"}, 'dataset; the search tool looks for it in names and descriptions '
                                               '(query "nosuchthingzz")'),
    ("lookup_name", {"name": "443"}, "is a port, not a name: ask lookup_port"),
    ("lookup_name", {"name": "../../etc"}, "no service or program named '../../etc'"),
    ("stats", {"extra": 1}, "unknown argument 'extra' for stats: it takes no arguments"),
])
def test_bad_arguments_are_tool_errors_and_the_server_goes_on(client, tool, arguments, says):
    assert says in client.refused(tool, arguments)
    assert client.ok("lookup_port", {"port": 22}).content[0].text.startswith("Port 22 is assigned to ssh")


@needs_sdk
def test_an_unknown_tool_is_a_protocol_error_and_the_server_goes_on(client):
    from mcp.shared.exceptions import MCPError

    with pytest.raises(MCPError, match="unknown tool 'nmap'"):
        client.call("nmap", {})
    assert client.ok("stats").structured_content["edition"]
    assert "Traceback" not in client.log.read_text()


@needs_sdk
def test_an_unreadable_registry_is_a_tool_error_on_every_call(tmp_path):
    broken = tmp_path / "registry.xml"
    broken.write_bytes(b"<registry><record><name>ssh</name>")  # cut off: not well-formed
    with _client({**os.environ, "PORTATLAS_REGISTRY": str(broken)}, tmp_path) as c:
        for _ in range(2):
            assert c.refused("lookup_port", {"port": 22}).startswith("registry XML is malformed at line 1")
        assert c.refused("stats").startswith("registry XML is malformed")


@needs_sdk
def test_the_server_answers_from_an_edition_switched_to_while_it_runs(tmp_path, reg):
    import lzma

    from portatlas.source.paths import BUNDLED_PATH

    data = tmp_path / "data"
    with _client({**os.environ, "PORTATLAS_DATA_DIR": str(data)}, tmp_path) as c:
        assert c.ok("stats").structured_content["edition"] == reg.edition
        # What `portatlas update` leaves: a stored edition and the pointer to it.
        (data / "editions").mkdir(parents=True)
        name = "service-names-port-numbers.2099-01-01.0123456789ab.xml"
        xml = lzma.decompress(Path(BUNDLED_PATH).read_bytes())
        (data / "editions" / name).write_bytes(
            xml.replace(f"<updated>{reg.edition}</updated>".encode(), b"<updated>2099-01-01</updated>", 1))
        (data / "editions" / "current").write_text(name)
        assert c.ok("stats").structured_content["edition"] == "2099-01-01"
        assert c.ok("lookup_port", {"port": 22}).structured_content["edition"] == "2099-01-01"


@needs_sdk
def test_an_unexpected_fault_inside_a_tool_is_a_tool_error():
    from portatlas.mcp import server

    def broken(reg: Any, args: Any) -> object:
        raise ZeroDivisionError("division by zero")

    tool = server.Tool("boom", "Boom", "always fails", (), ("Stats",), broken, str)
    res = server.call(tool, {}, server.Registries())
    assert res.is_error and res.content[0].text.startswith(
        "unexpected error in boom: ZeroDivisionError: division by zero (please report it")


@needs_sdk
@pytest.mark.parametrize("name", TOOLS)
def test_no_arguments_whatever_they_are_make_an_unexpected_fault(name):
    # The tool boundary in process, fed JSON of every shape: an answer, or a tool error saying what is valid.
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from portatlas.mcp import server

    tool = {t.name: t for t in server.tools()}[name]
    registries = server.Registries()
    scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | \
        st.text(max_size=12) | st.sampled_from(["80/tcp", "1e3", "22,80", "8000-8100", "tcp", "both", "user",
                                                 "system", "dynamic", "production", "http", "-1", "70000"])
    values = scalars | st.lists(scalars, max_size=3)
    keys = st.sampled_from([p.name for p in tool.params] + ["extra"]) if tool.params else st.just("extra")

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.dictionaries(keys, values, max_size=4))
    def check(arguments: dict[str, Any]) -> None:
        res = server.call(tool, arguments, registries)
        text = res.content[0].text
        assert "\n" not in text and not text.startswith("unexpected error"), (arguments, text)
        assert res.is_error or res.structured_content is not None

    check()


def test_without_the_sdk_mcp_says_how_to_install_it_and_exits_2():
    code = ("import sys; sys.modules['mcp'] = None; from portatlas.cli.main import main; "
            "raise SystemExit(main(['mcp']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == ("portatlas: 'portatlas mcp' needs the MCP SDK (the Python package mcp), which is not "
                           "installed: pip install 'portatlas[mcp]'\n")

