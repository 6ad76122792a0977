"""The shipped compact history is what the project's build code makes of the real editions."""

from __future__ import annotations

from portatlas.registry.history import SHIPPED
from portatlas.registry.history import build as history_build

# The first two editions, both sides of the 2024-2025 gap, the last: versions that
# come, go and stay. (Rebuilding all 382 takes minutes: tools/build_history.py.)
REBUILD = ("2017-03-10", "2017-03-13", "2024-03-18", "2025-08-26", "2026-08-17")


def test_shipped_history_covers_the_archive_and_stays_small() -> None:
    shipped = history_build.loads(SHIPPED.read_bytes())
    assert shipped["editions"][0] == "2017-03-10" and shipped["editions"][-1] == "2026-08-17"
    assert len(shipped["editions"]) == 382
    assert len(shipped["spans"]) == len(shipped["records"]) == len(set(map(repr, shipped["records"])))
    assert SHIPPED.stat().st_size < 15_000_000


def test_rebuilding_a_sample_matches_the_shipped_history(editions: dict[str, bytes]) -> None:
    """Rebuild from real editions; the shipped history restricted to them must be identical."""
    rebuilt = history_build.build(sorted((d, editions[d]) for d in REBUILD), workers=2)
    shipped = history_build.loads(SHIPPED.read_bytes())
    assert rebuilt["editions"] == list(REBUILD)
    assert history_build.canonical(rebuilt) == history_build.canonical(shipped, REBUILD)
    pos = {d: i for i, d in enumerate(shipped["editions"])}
    assert rebuilt["counts"] == [shipped["counts"][pos[d]] for d in rebuilt["editions"]]
    # The file format round-trips byte for byte.
    assert history_build.loads(history_build.dumps(rebuilt)) == rebuilt


def test_a_file_named_for_another_edition_is_refused(editions: dict[str, bytes]) -> None:
    import pytest

    with pytest.raises(ValueError, match="disagree"):
        history_build.build([("2017-03-11", editions["2017-03-10"])])
