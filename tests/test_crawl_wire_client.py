"""pagetrail's raw HTTP client (pagetrail.crawl.wire) beyond the plain cases: https (the records
say which TLS carried the bytes), the fall-back to Scrapy's own client, and the parser and
request writer on their own (split reads, bare LF heads, 1xx answers, bad framing, proxies)."""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest
from scrapy import Request

from pagetrail.archive.chunked import dechunk
from pagetrail.archive.reader import iter_members
from pagetrail.crawl.wire.parser import ResponseParser, WireError
from pagetrail.crawl.wire.request import request_bytes, target_of
from tests.support.crawl_runs import crawl, warcio_check, write_seeds
from tests.support.rawserver import Answer, RawServer

PAGE = b"<html><body><p>over TLS</p></body></html>"
ANSWER = (b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\nX-Odd-Case: Yes\r\n"
          b"Content-Length: " + str(len(PAGE)).encode() + b"\r\n\r\n" + PAGE)


def records(folder, warc_type):
    return [m for path in sorted(folder.glob("*.warc.gz")) for m in iter_members(path)
            if m.ok and m.warc_type == warc_type]


def test_https_records_hold_the_bytes_and_name_the_tls_version(tmp_path):
    with RawServer(tls_folder=tmp_path / "tls") as server:
        server.answers["/page"] = Answer(ANSWER)
        seeds = write_seeds(tmp_path / "s.toml", [
            {"name": "tls", "url": server.url("/page"), "robots": False}])
        run = crawl(seeds, "--archive", tmp_path / "a", "--json", "-s", "PAGETRAIL_RAW_HTTP=True",
                    "-s", "RETRY_ENABLED=0")
    assert run.returncode == 0, run.stderr
    [response] = records(tmp_path / "a", "response")
    [request] = records(tmp_path / "a", "request")
    assert response.block == ANSWER
    assert [request.block] == server.received["/page"]
    protocols = [v for k, v in response.headers if k == "WARC-Protocol"]
    assert protocols[0] == "http/1.1" and protocols[1].startswith("tls/1."), response.headers
    assert response.get("WARC-IP-Address") == "127.0.0.1"
    assert warcio_check(tmp_path / "a").returncode == 0


def test_scrapy_client_when_raw_http_is_off_records_rebuilt(tmp_path):
    with RawServer() as server:
        server.answers["/page"] = Answer(ANSWER)
        seeds = write_seeds(tmp_path / "s.toml", [
            {"name": "p", "url": server.url("/page"), "robots": False}])
        run = crawl(seeds, "--archive", tmp_path / "a", "--json",
                    "-s", "PAGETRAIL_RAW_HTTP=False")
    assert run.returncode == 0, run.stderr
    [response] = records(tmp_path / "a", "response")
    # Scrapy's parsed headers: names normalised, Content-Length moved first
    assert response.block != ANSWER and response.block.endswith(PAGE)
    assert b"Content-Type: text/html" in response.block
    assert warcio_check(tmp_path / "a").returncode == 0


def feed_bytewise(parser: ResponseParser, data: bytes) -> bytes:
    return b"".join(parser.feed(data[i:i + 1]) for i in range(len(data)))


def test_chunked_body_read_one_byte_at_a_time():
    wire = b"5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nTrailer-A: 1\r\n\r\n"
    parser = ResponseParser()
    body = feed_bytewise(parser, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + wire)
    assert body == b"hello world" and parser.done
    assert bytes(parser.wire) == wire and parser.trailers == [(b"Trailer-A", b"1")]
    assert dechunk(wire) == b"hello world" and dechunk(wire[:12]) == b"hello"


def test_bare_lf_head_interim_answers_and_head_requests():
    parser = ResponseParser()
    body = parser.feed(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\nContent-Length: 2\n\nok")
    assert body == b"ok" and parser.done and parser.head.status == 200
    assert parser.head.raw == b"HTTP/1.1 200 OK\nContent-Length: 2\n\n"
    assert [h.status for h in parser.interim] == [100]
    whole = ResponseParser()
    whole.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc")
    assert whole.expected_length == 5 and not whole.done  # the head's, not what is left
    head_only = ResponseParser(head_request=True)
    head_only.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n")
    assert head_only.done and head_only.framing == "none"
    nothing = ResponseParser()
    nothing.feed(b"HTTP/1.1 304 Not Modified\r\nETag: \"a\"\r\n\r\n")
    assert nothing.done and nothing.framing == "none"


@pytest.mark.parametrize("head", [
    b"garbage line\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
])
def test_unreadable_answers_raise_wire_error(head):
    with pytest.raises(WireError):
        ResponseParser().feed(head)


def test_request_bytes_keep_scrapys_headers_in_order_host_first():
    request = Request("http://example.test:8080/a?b=1&a=2", headers={"X-B": "2", "Accept": "x"})
    request.headers.appendlist("X-B", "3")
    data = request_bytes(request, target_of(request.url))
    assert data == (b"GET /a?b=1&a=2 HTTP/1.1\r\nHost: example.test:8080\r\nX-B: 2\r\nX-B: 3\r\n"
                    b"Accept: x\r\n\r\n")
    proxied = request_bytes(request, target_of(request.url, absolute=True))
    assert proxied.startswith(b"GET http://example.test:8080/a?b=1&a=2 HTTP/1.1\r\n")


class ConnectProxy:
    """A CONNECT-only proxy on loopback: answers 200, then pipes bytes both ways."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.connects: list[bytes] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            head += client.recv(4096)
        self.connects.append(head)
        host, _, port = head.split(b" ")[1].decode().rpartition(":")
        upstream = socket.create_connection((host, int(port)))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)


def test_https_through_a_proxy_goes_through_a_connect_tunnel(tmp_path):
    proxy = ConnectProxy()
    with RawServer(tls_folder=tmp_path / "tls") as server:
        server.answers["/page"] = Answer(ANSWER)
        seeds = write_seeds(tmp_path / "s.toml", [
            {"name": "tunnel", "url": server.url("/page"), "robots": False,
             "proxy": f"http://user:pw@127.0.0.1:{proxy.port}"}])
        run = crawl(seeds, "--archive", tmp_path / "a", "--json", "-s", "RETRY_ENABLED=0")
    proxy.sock.close()
    assert run.returncode == 0, run.stderr
    assert proxy.connects[0].startswith(f"CONNECT 127.0.0.1:{server.port} HTTP/1.1\r\n".encode())
    assert b"Proxy-Authorization: Basic " in proxy.connects[0]
    [response] = records(tmp_path / "a", "response")
    [request] = records(tmp_path / "a", "request")
    assert response.block == ANSWER
    assert [request.block] == server.received["/page"]
    assert b"Proxy-Authorization" not in request.block  # for the proxy, not the site


def test_size_limits_and_a_body_cut_short(tmp_path):
    big = b"x" * 5000
    chunked_big = b"".join(b"3e8\r\n" + big[i:i + 1000] + b"\r\n" for i in range(0, 5000, 1000))
    cut = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100\r\n\r\n<p>only ten"
    with RawServer() as server:
        server.answers.update({
            "/big": Answer(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + big),
            "/big-chunked": Answer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                   + chunked_big + b"0\r\n\r\n"),
            "/cut": Answer(cut, close=True),
        })
        seeds = write_seeds(tmp_path / "s.toml", [
            {"name": name, "url": server.url(f"/{name}"), "robots": False}
            for name in ("big", "big-chunked", "cut")])
        run = crawl(seeds, "--archive", tmp_path / "a", "--json", "-s", "RETRY_ENABLED=0",
                    "-s", "PAGETRAIL_KEEP_OVERSIZE=False", "-s", "DOWNLOAD_MAXSIZE=1000")
    # Scrapy's handler's behaviour: over DOWNLOAD_MAXSIZE, announced or as received, cancelled
    for name in ("big", "big-chunked"):
        assert run.result(name)["error"] == f"body larger than DOWNLOAD_MAXSIZE: {server.url('/' + name)}"
    # a body the server cut short is kept as it came, head unchanged, marked truncated
    [response] = records(tmp_path / "a", "response")
    assert response.block == cut and response.get("WARC-Truncated") == "disconnect"


def test_fail_on_dataloss_makes_a_cut_body_a_failed_fetch(tmp_path):
    with RawServer() as server:
        server.answers["/cut"] = Answer(
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b", close=True)
        seeds = write_seeds(tmp_path / "s.toml", [
            {"name": "cut", "url": server.url("/cut"), "robots": False}])
        run = crawl(seeds, "--archive", tmp_path / "a", "--json", "-s", "RETRY_ENABLED=0",
                    "-s", "DOWNLOAD_FAIL_ON_DATALOSS=True")
    assert run.result("cut")["error"] == f"connection dropped mid-body: {server.url('/cut')}"
    assert not records(tmp_path / "a", "response")
