"""firewalld's service files, read where installed: hostile files refused, /etc over /usr/lib, a port found however its
file spells it, the cache never believed over the files themselves."""

from __future__ import annotations

import marshal
import os
import time
from pathlib import Path

import pytest

from portatlas.world import firewalld

SERVICE = """<?xml version="1.0" encoding="utf-8"?>
<service>
  <short>{title}</short>
  <description>{description}</description>
  {ports}
</service>
"""


def service(title: str, *ports: str, description: str = "A test service.") -> str:
    body = "\n  ".join(f'<port protocol="{p.split("/")[1]}" port="{p.split("/")[0]}"/>' for p in ports)
    return SERVICE.format(title=title, description=description, ports=body)


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    usr, etc = tmp_path / "usr", tmp_path / "etc"
    usr.mkdir()
    etc.mkdir()
    monkeypatch.setenv(firewalld.ENV, f"{usr}{os.pathsep}{etc}")
    monkeypatch.setenv("PORTATLAS_CACHE_DIR", str(tmp_path / "cache"))
    firewalld._CATALOGUE.clear()
    return usr, etc


def names_at(port: int) -> list[str]:
    found, why = firewalld.at(port)
    assert why == ""
    return [s.name for s in found]


def test_ports_and_ranges_and_titles(dirs):
    usr, _ = dirs
    (usr / "web.xml").write_text(service("Web", "80/tcp", "443/tcp", "443/udp"))
    (usr / "x11.xml").write_text(service("X11", "6000-6063/tcp"))
    (usr / "notes.txt").write_text(service("Not a service file", "80/tcp"))
    assert names_at(443) == ["web"] and names_at(6010) == ["x11"] and names_at(6064) == []
    web = firewalld.at(80)[0][0]
    assert web.title == "Web" and web.description == "A test service." and web.path == str(usr / "web.xml")
    assert [(p.low, p.high, p.protocol) for p in web.ports] == [(80, 80, "tcp"), (443, 443, "tcp"), (443, 443, "udp")]
    assert [s.name for s in firewalld.named("WEB")] == ["web"]


def test_an_administrators_file_overrides_the_packaged_one(dirs):
    usr, etc = dirs
    (usr / "app.xml").write_text(service("App", "8000/tcp"))
    (etc / "app.xml").write_text(service("App, moved", "8001/tcp"))
    assert names_at(8000) == [] and names_at(8001) == ["app"]


def test_hostile_files_are_refused_and_the_rest_read(dirs):
    usr, _ = dirs
    (usr / "good.xml").write_text(service("Good", "7000/tcp"))
    (usr / "entity.xml").write_text('<?xml version="1.0"?><!DOCTYPE s [<!ENTITY e "7000">]>'
                                    '<service><short>&e;</short><port protocol="tcp" port="7000"/></service>')
    (usr / "external.xml").write_text('<?xml version="1.0"?><!DOCTYPE s SYSTEM "file:///etc/passwd">'
                                      '<service><port protocol="tcp" port="7000"/></service>')
    (usr / "broken.xml").write_text('<service><port protocol="tcp" port="7000"/>')
    (usr / "wrong.xml").write_text(service("Wrong", "70000/tcp", "9-3/tcp", "7000/ipx", "x/tcp"))
    (usr / "huge.xml").write_bytes(b"<service>" + b" " * (firewalld.MAX_FILE + 1) + b"</service>")
    (usr / "folder.xml").mkdir()
    (usr / "link.xml").symlink_to(usr / "missing")
    assert names_at(7000) == ["good"]


def test_a_changed_added_or_removed_file_is_read_again(dirs):
    usr, _ = dirs
    f = usr / "app.xml"
    f.write_text(service("App", "8000/tcp"))
    assert names_at(8000) == ["app"]
    f.write_text(service("App", "8002/tcp"))
    os.utime(f, ns=(time.time_ns(), time.time_ns() + 1_000_000))  # a new mtime even on a coarse clock
    assert names_at(8000) == [] and names_at(8002) == ["app"]
    (usr / "other.xml").write_text(service("Other", "8002/udp"))
    assert names_at(8002) == ["app", "other"]
    f.unlink()
    assert names_at(8002) == ["other"]


def test_a_port_spelled_with_character_references_is_found(dirs):
    usr, _ = dirs
    (usr / "coded.xml").write_text('<service><short>Coded</short>'
                                   '<port protocol="tcp" port="&#55;&#48;&#48;&#49;"/>'
                                   '<port protocol="udp" port="7100&#45;7102"/></service>')
    assert names_at(7001) == ["coded"] and names_at(7101) == ["coded"] and names_at(7103) == []


def test_the_cache_is_written_used_and_never_believed_when_damaged(dirs, tmp_path):
    usr, _ = dirs
    (usr / "app.xml").write_text(service("App", "8000/tcp"))
    assert names_at(8000) == ["app"]
    [cache] = (tmp_path / "cache").glob("firewalld-*.marshal")
    good = cache.read_bytes()
    # A second process (a cleared memo) takes the cache, reading no service file.
    firewalld._CATALOGUE.clear()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(firewalld, "_read", lambda path: pytest.fail(f"read {path} despite the cache"))
        assert names_at(8000) == ["app"]
    listing = marshal.loads(good)["listing"]
    for bad in (b"", b"garbage", good[: len(good) // 2], marshal.dumps([1, 2]),
                marshal.dumps({"listing": listing, "rows": "not rows"}),
                marshal.dumps({"listing": listing, "rows": (("app", "App", "", ((9000, 1, "tcp"),), "p"),)}),
                marshal.dumps({"listing": listing, "rows": (("app", "App", "", ((9000, 9000, "ipx"),), "p"),)})):
        cache.write_bytes(bad)
        firewalld._CATALOGUE.clear()
        assert names_at(8000) == ["app"], bad[:20]
        assert names_at(9000) == []
        assert cache.read_bytes() == good  # written again


def test_an_unwritable_cache_only_costs_time(dirs, monkeypatch):
    usr, _ = dirs
    (usr / "app.xml").write_text(service("App", "8000/tcp"))
    (usr / "range.xml").write_text(service("Range", "7990-8010/udp"))
    (usr / "other.xml").write_text(service("Other", "9000/tcp"))
    monkeypatch.setenv("PORTATLAS_CACHE_DIR", "/dev/null/cache")
    parsed: list[str] = []
    real = firewalld.parse
    monkeypatch.setattr(firewalld, "parse", lambda data, name, path: parsed.append(name) or real(data, name, path))
    assert names_at(8000) == ["app", "range"]
    assert sorted(parsed) == ["app", "range"]  # only the files that might name 8000
    assert names_at(9000) == ["other"] and [s.name for s in firewalld.services()[0]] == ["app", "other", "range"]


def test_not_installed_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv(firewalld.ENV, str(tmp_path / "none"))
    found, why = firewalld.at(80)
    assert found == () and "install firewalld" in why
