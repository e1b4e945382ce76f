"""The snapshot cache's entries are written whole or not at all, also when threads of one process
(``pagetrail serve``'s requests) write the same entry at once while others read it."""

from __future__ import annotations

import json
import threading

from pagetrail.changes.snapshots import _write
from pagetrail.segment.model import Article, Block, Comment, Snapshot


def _snapshot(n: int) -> Snapshot:
    snap = Snapshot(url="http://127.0.0.1/page")
    snap.article = Article(title=f"version {n}", blocks=[Block("paragraph", "word " * 2000)])
    snap.comments = [Comment(id=f"comment-{i}", author=f"reader {i}", date=None, text="text " * 200) for i in range(20)]
    return snap


def test_concurrent_writers_of_one_entry_never_show_a_half_written_file(tmp_path):
    path = tmp_path / "ab" / "abcdef.json"
    _write(path, _snapshot(0))
    stop = threading.Event()
    bad: list[str] = []

    def read() -> None:
        while not stop.is_set():
            try:
                json.loads(path.read_text(encoding="utf-8"))
            except ValueError as exc:
                bad.append(str(exc))

    def write(n: int) -> None:
        for _ in range(30):
            _write(path, _snapshot(n))

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=write, args=(n,)) for n in range(1, 5)]
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    reader.join()
    assert bad == []
    assert json.loads(path.read_text(encoding="utf-8"))["article"]["title"].startswith("version ")
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_an_entry_in_a_folder_that_cannot_be_made_is_skipped(tmp_path):
    blocker = tmp_path / "ab"
    blocker.write_text("a file where the folder would be")
    _write(blocker / "abcdef.json", _snapshot(1))  # no error: the cache only saves time
    assert blocker.read_text() == "a file where the folder would be"
