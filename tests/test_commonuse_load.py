"""The common-use dataset's compiled form: entries stay bytes until asked for, so `portatlas PORT` pays little."""

from __future__ import annotations

import marshal
import subprocess
import sys

from portatlas.world import commonuse


def test_the_packed_form_holds_every_entry_as_compiled(tmp_path):
    data = commonuse.compile_dir()
    path = tmp_path / "common-use.marshal"
    path.write_bytes(marshal.dumps(commonuse.pack(data)))
    ds = commonuse.Dataset(commonuse._read(str(path)))
    assert len(ds) == len(data["rows"]) >= 400
    for i, row in enumerate(data["rows"]):
        u = ds.entry(i)
        assert (u.software, u.low, u.high, tuple(t.value for t in u.transports), u.use.value, u.summary) == \
            (row[0], row[1], row[2], tuple(row[3]), row[4], row[5])
        assert ds.software_of(i) == row[0]
    assert ds.names() == data["names"]


def test_a_port_decodes_only_its_entries():
    ds = commonuse.Dataset(commonuse.pack(commonuse.compile_dir()))
    assert ds._made.count(None) == len(ds)
    found = ds.at(25565)
    assert [u.software for u in found] == ["Minecraft: Java Edition server"] * 2
    assert len(ds) - ds._made.count(None) == len(found)


def test_an_older_compiled_file_is_not_read(tmp_path):
    old = tmp_path / "old.marshal"
    old.write_bytes(marshal.dumps({"format": 1, "rows": [], "ports": {}, "ranges": [], "names": {}}))
    assert commonuse._read(str(old)) is None


def test_loading_it_costs_little_next_to_a_port_answer(tmp_path):
    # In a fresh process that has what `portatlas PORT` imports, on the compiled file: 2 ms is the budget
    # on an idle machine (about 0.8 ms measured); CPU time, not wall time, keeps a loaded CI machine from failing it.
    path = tmp_path / "common-use.marshal"
    path.write_bytes(marshal.dumps(commonuse.pack(commonuse.compile_dir())))
    code = (
        "import time, sys; from portatlas.atlas import Registry; Registry.default().lookup(5432);"
        "import portatlas.answers.port, portatlas.world.commonuse as cu;"
        "t = time.process_time(); cu.Dataset(cu._read(sys.argv[1])).at(5432);"
        "print(time.process_time() - t)"
    )
    times = sorted(float(subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                                        check=True).stdout) for _ in range(5))
    assert times[2] < 0.003, times
