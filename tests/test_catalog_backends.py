"""The catalog behaves the same in SQLite (the embedded default) and in PostgreSQL (--catalog):
captures and lookups, reindex from the WARC files (summaries included), writers in several
processes at once, the read commands, namespaces, and passwords never shown. Every test runs on
both back ends; the PostgreSQL ones on a real server (one per session, a fresh database per test).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pagetrail.archive import Archive, pages
from pagetrail.archive.catalogconnect import connect
from pagetrail.cli import main
from pagetrail.errors import ArchiveError
from tests.support.catalogs import BACKENDS, PASSWORD, Backend, backend_for
from tests.support.warcs import (
    PAGE_HTML,
    exchange,
    failed,
    gzip_exchange,
    later,
    members,
    run_writers,
    split_record,
)

REPO = Path(__file__).resolve().parents[1]
URL = "http://example.test/page?b=2&a=1"
EDITED = PAGE_HTML.replace(b"Hello archive.", b"Hello archive, edited quietly.")


@pytest.fixture(params=BACKENDS)
def backend(request) -> Backend:
    return backend_for(request)


def fill(archive: Archive) -> None:
    for i in range(6):
        url = f"http://example.test/p{i % 3}?q={i % 3}"
        body = PAGE_HTML + (b"changed" if i >= 3 and i % 2 else b"")
        archive.record(exchange(url, body=body, at=later(i), seed="example"))
    archive.record(gzip_exchange(at=later(10)))
    archive.record_failure(failed(at=later(11)))


def rows(backend: Backend, folder: Path) -> list[tuple]:
    """Catalog rows with revisit targets as record ids (ids may differ after a rebuild)."""
    with backend.existing(folder) as archive:
        caps = archive.captures()
        summaries = {c.record_id: archive.get_summary(c.id) for c in caps}
    record_ids = {c.id: c.record_id for c in caps}
    return sorted(
        (c.url, c.timestamp, c.status, c.kind, c.mime, c.digest, c.record_id, c.warc_file, c.offset,
         c.length, c.seed, record_ids.get(c.refers_to), c.error, c.etag, c.last_modified,
         json.dumps(c.extra, sort_keys=True), json.dumps(summaries[c.record_id], sort_keys=True))
        for c in caps
    )


def test_captures_revisits_failures_and_lookups(backend, tmp_path):
    with backend.archive(tmp_path) as archive:
        first = archive.record(exchange(URL, seed="s"))
        again = archive.record(exchange(URL, at=later(60), seed="s"))
        miss = archive.record_failure(failed(URL, at=later(90)))
        clash = [archive.record(exchange("http://example.test/same", at=later(5))) for _ in range(2)]
        gz = archive.record(gzip_exchange(at=later(7)))
        assert (first.kind, again.kind, miss.kind) == ("response", "revisit", "failed")
        assert again.refers_to == first.id
        assert int(clash[1].timestamp) == int(clash[0].timestamp) + 1  # the next free millisecond
        assert archive.previous(URL).id == again.id  # failed attempts are skipped
        assert archive.find(URL, again.timestamp[:14]).id == again.id
        assert archive.read_payload(again)[1] == PAGE_HTML  # through the revisit's original
        assert archive.read_payload(gz)[1] == PAGE_HTML
        assert [c.id for c in archive.captures(URL)] == [first.id, again.id, miss.id]
        assert [c.id for c in archive.captures(kind="failed")] == [miss.id]
        assert {c.id for c in archive.captures(seed="s")} == {first.id, again.id}
        assert [c.id for c in archive.captures(URL, since=again.timestamp)] == [again.id, miss.id]
        assert archive.conditional_headers(gz.url) == {
            "If-None-Match": '"v1"', "If-Modified-Since": "Tue, 24 Nov 2026 19:00:00 GMT"}
        archive.save_summary(again, {"changed": False, "summary": "no change"})
        assert archive.get(again.id).extra == again.extra
    with backend.existing(tmp_path) as reader:
        assert reader.get_summary(again.id) == {"changed": False, "summary": "no change"}
        assert len(reader.captures()) == 6


def test_reindex_rebuilds_rows_index_and_summaries_from_the_warc_files(backend, tmp_path):
    with backend.archive(tmp_path, max_file_size=3000) as archive:
        fill(archive)
        for cap in archive.captures()[:4]:
            archive.save_summary(cap, {"capture": cap.timestamp, "computed": "now"})
    before, index = rows(backend, tmp_path), (tmp_path / "index.cdxj").read_text()
    assert sum(1 for r in before if r[-1] != "null") == 4
    backend.drop_catalog(tmp_path)
    (tmp_path / "index.cdxj").unlink()
    assert main(["reindex", "--archive", str(tmp_path), *backend.cli()]) == 0
    assert rows(backend, tmp_path) == before  # summaries restored from their WARC records
    assert (tmp_path / "index.cdxj").read_text() == index
    # A lost catalog is also rebuilt by the next open, before anything is read or written.
    backend.drop_catalog(tmp_path)
    assert rows(backend, tmp_path) == before
    if backend.url:
        assert not (tmp_path / "catalog.sqlite3").exists()




def test_writer_processes_at_once_make_one_row_per_record(backend, tmp_path):
    outcomes = run_writers(tmp_path, ["one", "two", "three"], env=backend.env())
    assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
    in_warcs = set()
    for path in tmp_path.glob("*.warc.gz"):
        for offset, _, raw in members(path):
            head = split_record(raw)[0]
            if head["WARC-Type"] in ("response", "revisit"):
                in_warcs.add((path.name, offset, head["WARC-Record-ID"]))
    with backend.existing(tmp_path) as archive:
        captures = archive.captures()
    assert len(captures) == 180 == len(in_warcs)
    assert {(c.warc_file, c.offset, c.record_id) for c in captures} == in_warcs
    assert len({(c.url, c.timestamp) for c in captures}) == 180
    assert not list(tmp_path.glob("*.open"))


def test_read_commands_answer_from_the_catalog(backend, tmp_path, capsys):
    folder = tmp_path / "archive"
    with backend.archive(folder) as archive:
        archive.record(exchange(URL, seed="s"))
        archive.record(exchange(URL, body=EDITED, at=later(3600), seed="s"))
    where = ["--archive", str(folder), *backend.cli()]
    assert main(["reprocess", *where]) == 0
    for argv in (["captures", URL], ["history", URL], ["diff", URL], ["report", "--since", "2026-11-01"],
                 ["feed", "--since", "2026-11-01"],
                 ["history", URL, "--format", "json"]):
        capsys.readouterr()
        assert main([*argv, *where]) == 0, argv
        out = capsys.readouterr().out
        shown = ".warc.gz:" if argv[0] == "captures" else URL.replace("&", "&amp;") \
            if argv[0] == "feed" else URL
        assert shown in out, (argv, out)
    assert "edited quietly" in json.dumps(json.loads(out))
    capsys.readouterr()
    assert main(["segment", "--capture", f"{URL}@2026112420", *where]) == 0
    assert "edited quietly" in capsys.readouterr().out
    assert main(["export", URL, "--wacz", str(tmp_path / "page.wacz"), *where]) == 0
    db = connect(folder, backend.url, read_only=True)
    try:  # the page list's queries (pagetrail serve), with their JSON expressions
        (row,) = pages.page_rows(db)
        assert row.url == URL and set(row.changes) == {"article"}
        timeline, total = pages.timeline(db, URL)
        assert total == 2 and timeline[0].channels == ("article",) and timeline[0].changed
        assert len(pages.change_summaries(db, channel="article")) == 1
        assert pages.page_stats(db) == (1, 2)
    finally:
        db.close()
    assert (folder / "catalog.sqlite3").exists() == (backend.url is None)


def test_serve_lists_and_shows_pages_from_the_catalog(backend, tmp_path):
    from urllib.parse import quote

    from pagetrail.serve import ServeConfig, Store, create_app

    folder = tmp_path / "archive"
    with backend.archive(folder) as archive:
        archive.record(exchange(URL, seed="s"))
        archive.record(exchange(URL, body=EDITED, at=later(3600), seed="s"))
    assert main(["reprocess", "--archive", str(folder), *backend.cli()]) == 0
    store = Store.open(folder, catalog=backend.url)
    try:
        client = create_app(ServeConfig(store, "http://127.0.0.1:9/pagetrail")).test_client()
        for path in ("/", f"/page?url={quote(URL)}"):
            response = client.get(path)
            assert response.status_code == 200, path
            shown = response.get_data(as_text=True)
            assert "example.test/page" in shown and "1 added" in shown, path
    finally:
        store.close()


def test_namespaces_keep_archives_apart_in_one_database(pg_server, tmp_path):
    url = pg_server.fresh_database()
    for name in ("news", "blogs"):
        with Archive(tmp_path / name, catalog=f"{url}?namespace={name}") as archive:
            archive.record(exchange(f"http://{name}.test/"))
    for name in ("news", "blogs"):
        with Archive.existing(tmp_path / name, catalog=f"{url}?namespace={name}") as archive:
            assert [c.url for c in archive.captures()] == [f"http://{name}.test/"]
    with pytest.raises(Exception, match="namespace"):
        Archive(tmp_path / "x", catalog=f"{url}?namespace=Bad-Name").open()


def test_catalog_errors_are_one_line_without_the_password(pg_server, tmp_path, capsys):
    folder = tmp_path / "archive"
    with Archive(folder) as archive:
        archive.record(exchange(URL))
    closed = f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/nothing"
    for catalog in (closed, f"mysql://u:{PASSWORD}@db/x"):
        assert main(["captures", URL, "--archive", str(folder), "--catalog", catalog]) == 2
        err = capsys.readouterr().err
        assert err.startswith("pagetrail: error:") and err.count("\n") == 1, err
        assert PASSWORD not in err and "***" in err


KILLED = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {repo!r})
    from pagetrail.archive import Archive
    from tests.support.warcs import exchange
    archive = Archive({folder!r}, hostname="alpha").open()
    archive.record(exchange("http://example.test/alpha"))
    os._exit(0)  # killed: the file stays .open, the row uncommitted
""")


def test_with_a_shared_catalog_each_host_repairs_only_its_own_files(pg_server, tmp_path,
                                                                     monkeypatch, capsys):
    # Machines mounting one folder may not see each other's file locks: a file of another host
    # may be live on that host, so only its own host repairs it.
    backend = Backend("postgresql", pg_server.fresh_database(), pg_server)
    killed = subprocess.run([sys.executable, "-c", KILLED.format(repo=str(REPO), folder=str(tmp_path))],
                            env=backend.env(), capture_output=True, text=True)
    assert killed.returncode == 0, killed.stderr
    (left,) = tmp_path.glob("*-alpha.warc.gz.open")
    with backend.archive(tmp_path, hostname="beta") as beta:
        beta.record(exchange("http://example.test/beta"))
        assert left.exists() and [c.url for c in beta.captures()] == ["http://example.test/beta"]
    # A machine gone for good: any machine takes its name to repair what it left.
    monkeypatch.setenv("PAGETRAIL_HOSTNAME", "alpha")
    assert main(["reindex", "--archive", str(tmp_path), "--catalog", backend.url]) == 0
    assert f"repaired {left.name.removesuffix('.open')}" in capsys.readouterr().err
    monkeypatch.delenv("PAGETRAIL_HOSTNAME")
    with backend.existing(tmp_path) as archive:
        assert {c.url for c in archive.captures()} == {"http://example.test/alpha",
                                                       "http://example.test/beta"}
    index = (tmp_path / "index.cdxj").read_text()
    assert "test,example)/alpha " in index and "test,example)/beta " in index
    # A file parked for the next crawl of a host is that host's to resume or close, too.
    with backend.archive(tmp_path, hostname="alpha", keep_open=True) as alpha:
        alpha.record(exchange("http://example.test/alpha-parked"))
    (parked,) = tmp_path.glob("*-alpha.warc.gz.open")
    with backend.archive(tmp_path, hostname="beta") as beta:
        assert beta.finish_files() == 0 and parked.exists()
    with backend.archive(tmp_path, hostname="alpha") as alpha:
        assert alpha.finish_files() == 1 and not parked.exists()


def test_crawl_and_the_local_daemon_write_to_the_named_catalog(pg_server, tmp_path):
    from tests.support.daemon import Daemon, RecordingSite, write_seeds

    url = pg_server.fresh_database(PASSWORD)
    site = RecordingSite(delay=0.0)
    try:
        write_seeds(tmp_path / "seeds.toml", [{"name": n, "url": site.url(f"/{n}"), "schedule": "1h",
                                               "robots": False} for n in ("one", "two")])
        crawl = subprocess.run([sys.executable, "-m", "pagetrail", "crawl", "seeds.toml", "--archive",
                                "archive", "--catalog", url], cwd=tmp_path, capture_output=True,
                               text=True)
        assert crawl.returncode == 0, crawl.stderr
        daemon = Daemon(tmp_path, "seeds.toml", "--archive", "archive", "--catalog", url,
                        "--once-per-seed", "--batch-window", "0.2s")
        daemon.wait_log("every seed crawled once")
        assert daemon.proc.wait(120) == 0
        daemon.stop()
    finally:
        site.close()
    assert not (tmp_path / "archive" / "catalog.sqlite3").exists()
    with Archive.existing(tmp_path / "archive", catalog=url) as archive:
        for name in ("one", "two"):
            captures = archive.captures(site.url(f"/{name}"))
            assert [c.kind for c in captures] == ["response", "response"]
            assert all(archive.get_summary(c.id) for c in captures)
    assert PASSWORD not in crawl.stdout + crawl.stderr + daemon.log()
    assert "catalog postgresql" in daemon.log()


def test_a_dropped_postgresql_connection_is_opened_again_and_lost_rows_repaired(pg_server, tmp_path):
    url = pg_server.fresh_database()

    def drop_connections() -> None:
        import psycopg

        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                          " WHERE application_name = 'pagetrail'")
            # pg_terminate_backend only signals: wait until the sessions are really gone.
            while admin.execute("SELECT count(*) FROM pg_stat_activity"
                                " WHERE application_name = 'pagetrail'").fetchone()[0]:
                time.sleep(0.02)

    with Archive(tmp_path, catalog=url) as archive:
        archive.record(exchange("http://example.test/a"))
        archive.flush()
        drop_connections()  # a server restart, a failover: between transactions
        assert [c.url for c in archive.captures()] == ["http://example.test/a"]
        archive.record(exchange("http://example.test/b"))  # in the open batch, not committed
        drop_connections()  # the batch's transaction dies with its connection
        with pytest.raises(ArchiveError, match="cannot write the catalog"):
            archive.record(exchange("http://example.test/c"))  # the write that finds out
        archive.record(exchange("http://example.test/d"))  # and the next one goes on
    # The WARC file was left for repair (the row of b was lost): the next open catalogs it; c was
    # cut from the file when its row failed.
    with Archive(tmp_path, catalog=url) as archive:
        assert sorted(c.url for c in archive.captures()) == [
            "http://example.test/a", "http://example.test/b", "http://example.test/d"]


def test_without_the_driver_the_error_names_the_extra_to_install(tmp_path):
    (tmp_path / "archive").mkdir()
    code = ("import sys; sys.modules['psycopg'] = None; from pagetrail.cli import main; "
            "sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", code, "captures", URL, "--archive", "archive",
                           "--catalog", f"postgresql://pt:{PASSWORD}@db.example/pagetrail"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2
    assert "pip install 'pagetrail[cluster]'" in done.stderr and PASSWORD not in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr


def test_the_catalog_version_changes_with_every_commit(backend, tmp_path):
    # serve reuses its page list until the catalog changes: a replaced summary counts too.
    with backend.archive(tmp_path) as archive:
        capture = archive.record(exchange(URL))
        archive.flush()
        db = connect(tmp_path, backend.url, read_only=True)
        try:
            seen = [db.version()]
            for summary in ({"changed": False}, {"changed": True}):
                archive.set_summary(capture.id, summary)
                seen.append(db.version())
            archive.record(exchange(URL, at=later(60)))
            archive.flush()
            seen.append(db.version())
        finally:
            db.close()
    assert len(set(seen)) == len(seen), seen


def test_an_sqlite_archive_moves_to_postgresql_with_reindex(pg_server, tmp_path):
    sqlite, postgres = Backend("sqlite"), Backend("postgresql", pg_server.fresh_database(), pg_server)
    with sqlite.archive(tmp_path, max_file_size=3000) as archive:
        fill(archive)
        for cap in archive.captures()[:3]:
            archive.save_summary(cap, {"capture": cap.timestamp})
    before = rows(sqlite, tmp_path)
    assert main(["reindex", "--archive", str(tmp_path), *postgres.cli()]) == 0
    assert rows(postgres, tmp_path) == before
