"""Issue 13, byte-exact HTTP: a real `pagetrail crawl` of a raw socket server stores the request
and response blocks byte for byte as they went over the wire (odd-case, oddly ordered and repeated
headers, hop-by-hop headers, a chunked body with trailers, an HTTP/1.0 close-delimited answer),
with the payload digest over the de-chunked body; warcio accepts the files and pywb replays them.
"""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from pagetrail.archive import Archive
from pagetrail.archive.digest import sha1_digest
from pagetrail.archive.reader import iter_members
from tests.support.crawl_runs import crawl, unexplained_warcio_failures, write_seeds
from tests.support.rawserver import Answer, RawServer
from tests.support.validators import pywb_replay, validators  # noqa: F401

# The whole module in one test process (--dist loadgroup): its crawl, made once.
pytestmark = pytest.mark.xdist_group("crawl_wire_bytes")

ODD_BODY = b"<html><head><title>odd</title></head><body><p>odd headers</p></body></html>"
ODD = (b"HTTP/1.1 200 Fine Thanks\r\n"
       b"x-zeta: last-letter-first\r\n"
       b"content-type: text/html; charset=utf-8\r\n"
       b"Set-Cookie: a=1; Path=/\r\n"
       b"ETag: \"v1\"\r\n"
       b"set-cookie: b=2; Path=/\r\n"
       b"Connection: keep-alive\r\n"
       b"Keep-Alive: timeout=5, max=100\r\n"
       b"CONTENT-LENGTH: " + str(len(ODD_BODY)).encode() + b"\r\n"
       b"\r\n" + ODD_BODY)
CHUNKS = [b"<html><body><p>chunk one</p>", b"<p>chunk two, a longer one</p>", b"</body></html>"]
CHUNKED_BODY = b"".join(CHUNKS)
CHUNKED_HEAD = (b"HTTP/1.1 200 OK\r\n"
                b"Content-Type: text/html\r\n"
                b"Transfer-Encoding: chunked\r\n"
                b"Trailer: X-Checksum\r\n"
                b"\r\n")
CHUNKED_DATA = (b"%x;name=first\r\n" % len(CHUNKS[0]) + CHUNKS[0] + b"\r\n"
                + b"%X\r\n" % len(CHUNKS[1]) + CHUNKS[1] + b"\r\n"
                + b"%x\r\n" % len(CHUNKS[2]) + CHUNKS[2] + b"\r\n")
CHUNKED_WIRE = CHUNKED_DATA + b"0\r\n\r\n"
TRAILERS_WIRE = CHUNKED_DATA + b"0\r\nX-Checksum: 12345\r\n\r\n"
OLD_BODY = b"<html><body><p>HTTP/1.0, the body ends when the connection does</p></body></html>"
OLD = b"HTTP/1.0 200 OK\r\nServer: old/1.0\r\ncontent-type: text/html\r\n\r\n" + OLD_BODY
EMPTY = b"HTTP/1.1 204 No Content\r\nX-Empty: yes\r\n\r\n"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wire")
    with RawServer() as server:
        server.answers.update({
            "/odd": Answer(ODD),
            "/chunked": Answer(CHUNKED_HEAD + CHUNKED_WIRE),
            "/trailers": Answer(CHUNKED_HEAD + TRAILERS_WIRE),
            "/old": Answer(OLD, close=True),
            "/empty": Answer(EMPTY),
        })
        seeds = write_seeds(tmp / "seeds.toml", [
            {"name": name, "url": server.url(f"/{name}"), "robots": False}
            for name in ("odd", "chunked", "trailers", "old", "empty")])
        run = crawl(seeds, "--archive", tmp / "archive", "--json",
                    "-s", "PAGETRAIL_RAW_HTTP=True", "-s", "RETRY_ENABLED=0", cwd=tmp)
    assert run.returncode == 0, run.stderr
    return tmp / "archive", server, run


def blocks(archive_dir: Path, warc_type: str) -> dict[str, tuple[dict[str, str], bytes]]:
    """Target path -> (WARC fields, block) of every record of ``warc_type``."""
    out = {}
    for path in sorted(archive_dir.glob("*.warc.gz")):
        for member in iter_members(path):
            if member.ok and member.warc_type == warc_type:
                uri = member.get("WARC-Target-URI") or ""
                out["/" + uri.split("/", 3)[3]] = (dict(member.headers), member.block)
    return out


@pytest.mark.parametrize("path, wire", [
    ("/odd", ODD), ("/chunked", CHUNKED_HEAD + CHUNKED_WIRE),
    ("/trailers", CHUNKED_HEAD + TRAILERS_WIRE), ("/old", OLD), ("/empty", EMPTY)])
def test_response_blocks_are_the_bytes_the_server_wrote(crawled, path, wire):
    archive_dir, _, _ = crawled
    _, block = blocks(archive_dir, "response")[path]
    assert block == wire


@pytest.mark.parametrize("path", ["/odd", "/chunked", "/trailers", "/old", "/empty"])
def test_request_blocks_are_the_bytes_the_server_received(crawled, path):
    archive_dir, server, _ = crawled
    _, block = blocks(archive_dir, "request")[path]
    assert [block] == server.received[path]
    assert block.startswith(f"GET {path} HTTP/1.1\r\n".encode())


@pytest.mark.parametrize("path", ["/chunked", "/trailers"])
def test_payload_digest_is_over_the_dechunked_body(crawled, path):
    archive_dir, _, _ = crawled
    fields, block = blocks(archive_dir, "response")[path]
    assert fields["WARC-Payload-Digest"] == sha1_digest(CHUNKED_BODY)
    assert fields["WARC-Block-Digest"] == sha1_digest(block)


def test_warcio_reads_the_chunked_payload(crawled):
    # warcio, reading the record on its own, de-chunks it to the same payload. (Not the one with
    # trailers: warcio 1.8's chunked reader wants CRLF right after the last chunk and reads the
    # trailer section as payload; the record holds what the server sent all the same.)
    archive_dir, _, _ = crawled
    for path in archive_dir.glob("*.warc.gz"):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response" and record.rec_headers.get_header(
                        "WARC-Target-URI").endswith("/chunked"):
                    assert record.content_stream().read() == CHUNKED_BODY


def test_archive_reads_the_payload_without_transfer_coding(crawled):
    archive_dir, server, _ = crawled
    with Archive.existing(archive_dir) as archive:
        for path, body in (("/chunked", CHUNKED_BODY), ("/trailers", CHUNKED_BODY),
                           ("/old", OLD_BODY), ("/odd", ODD_BODY)):
            [capture] = archive.captures(server.url(path))
            headers, payload = archive.read_payload(capture)
            assert payload == body
        [odd] = archive.captures(server.url("/odd"))
    assert odd.etag == '"v1"' and odd.mime == "text/html" and odd.status == 200


def test_warcio_check_accepts_the_files_and_pywb_replays_them(crawled, validators, tmp_path):  # noqa: F811
    archive_dir, server, _ = crawled
    done = validators.run("warcio", "check", "-v", *sorted(archive_dir.glob("*.warc.gz")),
                          check=False)
    # warcio 1.8 digests a chunked body with its framing (warcio#74), so it reports the two
    # chunked records; anything else it reports is a real problem.
    assert unexplained_warcio_failures(done, archive_dir) == [], done.stdout
    assert done.stdout.count("payload digest failed") == 2, done.stdout
    with Archive.existing(archive_dir) as archive:
        stamps = {p: archive.captures(server.url(p))[0].timestamp14
                  for p in ("/chunked", "/trailers", "/old", "/odd")}
    with pywb_replay(validators, archive_dir, tmp_path) as base:
        for path, body in (("/chunked", CHUNKED_BODY), ("/old", OLD_BODY), ("/odd", ODD_BODY)):
            with urllib.request.urlopen(f"{base}/{stamps[path]}id_/{server.url(path)}") as reply:
                assert reply.status == 200
                assert reply.read() == body
        # warcio's reader (pywb's) takes the trailer section for payload: docs/archive.md
        with urllib.request.urlopen(
                f"{base}/{stamps['/trailers']}id_/{server.url('/trailers')}") as reply:
            assert reply.read().startswith(CHUNKED_BODY)




def test_kept_alive_connections_are_reused(crawled):
    # five requests to one host, two at a time at most: without reuse, five connections
    _, server, _ = crawled
    assert sum(len(v) for v in server.received.values()) == 5
    assert server.connections < 5


def test_revisits_of_chunked_answers_replay_as_the_page(tmp_path, validators):  # noqa: F811
    # An unchanged refetch is an identical-payload revisit whose block is the new head as
    # received: pywb must still serve the original's body, de-chunked, whichever way each
    # answer was framed.
    length_framed = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                     + str(len(CHUNKED_BODY)).encode() + b"\r\n\r\n" + CHUNKED_BODY)
    with RawServer() as server:
        server.answers.update({"/cc": Answer(CHUNKED_HEAD + CHUNKED_WIRE),
                               "/lc": Answer(length_framed)})
        seeds = write_seeds(tmp_path / "s.toml", [
            {"name": name, "url": server.url(f"/{name}"), "robots": False}
            for name in ("cc", "lc")])
        args = (seeds, "--archive", tmp_path / "a", "--json", "-s", "RETRY_ENABLED=0")
        assert crawl(*args).returncode == 0
        # The second crawl starts in a later second than the first one ended, so that each
        # capture has its own 14-digit timestamp (asserted below).
        ended = int(time.time())
        while int(time.time()) <= ended:
            time.sleep(0.05)
        server.answers["/lc"] = Answer(CHUNKED_HEAD + CHUNKED_WIRE)  # same body, now chunked
        second = crawl(*args)
    assert second.returncode == 0, second.stderr
    assert {r["kind"] for r in second.summary["results"]} == {"revisit"}
    with Archive.existing(tmp_path / "a") as archive:
        captures = {p: archive.captures(server.url(p)) for p in ("/cc", "/lc")}
        for found in captures.values():
            assert [c.kind for c in found] == ["response", "revisit"]
            # in different seconds, so pywb replays each capture, not whichever shares the
            # 14-digit timestamp
            assert found[0].timestamp14 != found[1].timestamp14
            assert all(archive.read_payload(c)[1] == CHUNKED_BODY for c in found)
    with pywb_replay(validators, tmp_path / "a", tmp_path) as base:
        for path, found in captures.items():
            for capture in found:
                url = f"{base}/{capture.timestamp14}id_/{server.url(path)}"
                with urllib.request.urlopen(url) as reply:
                    assert reply.read() == CHUNKED_BODY, (path, capture.kind)
