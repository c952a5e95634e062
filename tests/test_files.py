"""Files the console writes for its user: 0600 in directories of 0700, written atomically."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambdatui.files import atomic_writer, private_dir, write_jsonl, write_text

from .helpers import mode

pytestmark = pytest.mark.usefixtures("open_umask")


def test_a_new_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    path = write_text(tmp_path / "report.md", "# incident\n")
    assert path.read_text() == "# incident\n"
    assert mode(path) == 0o600


def test_directories_it_creates_are_private_and_existing_ones_untouched(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    path = tmp_path / "snapshots" / "2026" / "report.md"
    write_text(path, "x")
    assert mode(tmp_path / "snapshots") == 0o700
    assert mode(tmp_path / "snapshots" / "2026") == 0o700
    assert mode(tmp_path) == 0o755
    assert mode(path) == 0o600
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o775)
    shared.chmod(0o775)
    assert private_dir(shared) == shared
    assert mode(shared) == 0o775


def test_replacing_a_readable_file_makes_it_private(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("old")
    path.chmod(0o644)
    write_text(path, "new")
    assert path.read_text() == "new"
    assert mode(path) == 0o600


def test_the_temporary_file_is_private_before_any_content(tmp_path: Path) -> None:
    with atomic_writer(tmp_path / "events.json") as out:
        (temporary,) = tmp_path.iterdir()
        assert temporary.name.startswith(".events.json.")
        assert mode(temporary) == 0o600
        out.write("{}")
    assert not temporary.exists()
    assert mode(tmp_path / "events.json") == 0o600


def _rows(count: int, fail_at: int | None = None) -> Iterator[dict[str, int]]:
    for index in range(count):
        if index == fail_at:
            raise OSError(28, "No space left on device")
        yield {"n": index}


def test_jsonl_streams_rows_and_counts_them(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    assert write_jsonl(path, _rows(100_000)) == 100_000
    lines = path.read_text().splitlines()
    assert len(lines) == 100_000 and json.loads(lines[-1]) == {"n": 99_999}
    assert write_jsonl(tmp_path / "empty.jsonl", []) == 0
    assert (tmp_path / "empty.jsonl").read_text() == ""


def test_an_interrupted_write_leaves_no_partial_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "logs.jsonl"
    with pytest.raises(OSError, match="No space left"):
        write_jsonl(path, _rows(50_000, fail_at=30_000))
    assert not path.exists()
    assert list(path.parent.iterdir()) == []


def test_an_interrupted_write_keeps_the_file_it_would_replace(tmp_path: Path) -> None:
    path = write_text(tmp_path / "events.json", '{"kept": true}\n')
    with pytest.raises(KeyboardInterrupt), atomic_writer(path) as out:
        out.write('{"half": ')
        raise KeyboardInterrupt
    assert path.read_text() == '{"kept": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["events.json"]


def test_a_file_where_a_directory_should_be_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("")
    with pytest.raises(OSError):
        write_text(tmp_path / "taken" / "report.md", "x")
