#!/usr/bin/env python3
"""The HTTP(S) server FlowHTTP's client is tested against, on a free loopback port (prints
`READY <port>` once listening). Threaded HTTP/1.1 with keep-alive; standard library plus
`cryptography` (for the certificates).

--tls good|expired|wrong-host|self-signed serves HTTPS with certificates made at start in a
temporary directory: `good` is a leaf for 127.0.0.1 and localhost signed by a test CA,
`expired` the same but valid only in the past, `wrong-host` a leaf for example.invalid only
(both signed by the same CA), `self-signed` a leaf signed by its own key. --ca-out PATH writes
the CA's PEM there (the self-signed leaf itself in `self-signed` mode).

Routes (any method unless said; every request body is read, so connections stay usable):
  GET  /bytes/N?key=K&first=F
                           N bytes of a fixed pseudo-random pattern, made in numbered 1 MiB
                           pieces as they are sent; their count and SHA-256 are kept under
                           K. With F, the first F requests (counted under K) get 503 instead
  PUT|POST /upload         reads the body (Content-Length or chunked) hashing it as it comes;
                           answers {"bytes": n, "sha256": hex, "method": m}
  GET  /redirect/N?code=C  a chain: C (302 by default) to /redirect/N-1, ... /redirect/0 is 200
       /redirect-to?url=U&code=C   C (302 by default) to U
  GET  /loop               302 to itself
       /see-other          303 to /echo
       /echo               {"method", "target" (the request line's, absolute through a proxy),
                           "headers": [[name, value]...], "body_bytes", "body" (text, clipped)}
       /status/C?key=K&first=N&retry_after=S&message=M&format=json|text
                           counts the request under K and answers C (with Retry-After: S and
                           M as {"message": M} or text), or 200 {"attempt": n} once N requests
                           have had C; without `first`, always C
  GET  /stall?bytes=B&key=K   counted under K; promises a megabyte, sends B bytes, then
                           nothing for a minute
  CONNECT host:port        a tunnel to 127.0.0.1 only, counted under "CONNECT host:port"
As a plain HTTP proxy (`http_proxy` pointing here), a request line with an absolute URI is
answered by the same routes, as if this were the origin; /echo shows that URI.
Control, for tests (not counted):
  GET  /_control/count/K   {"count": n}
  GET  /_control/wait/K?count=N   the same, once n >= N (at most 30 s)
  GET  /_control/sent/K    {"bytes": n, "sha256": hex} of /bytes?key=K, once it has all gone
"""
import argparse
import datetime
import hashlib
import ipaddress
import json
import os
import random
import select
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

PIECE = random.Random(20261204).randbytes(1 << 20)
LOCK = threading.Condition()
COUNTS = {}
SENT = {}


def count(key):
    with LOCK:
        COUNTS[key] = COUNTS.get(key, 0) + 1
        LOCK.notify_all()
        return COUNTS[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        sys.stderr.write("http_server: %s\n" % (format % args))

    # MARK: plumbing

    def answer(self, status, body=b"", content_type="application/json", headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def answer_json(self, status, value, headers=()):
        self.answer(status, json.dumps(value), headers=headers)

    def body_pieces(self):
        """The request body as it arrives, whatever its framing."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return
                yield from self.read_exactly(size)
                self.rfile.readline()
        else:
            yield from self.read_exactly(int(self.headers.get("Content-Length") or 0))

    def read_exactly(self, remaining):
        while remaining > 0:
            data = self.rfile.read1(min(remaining, 1 << 20))
            if not data:
                raise ConnectionError("the client stopped sending")
            remaining -= len(data)
            yield data

    def read_body(self, keep=64 << 10):
        kept, total = bytearray(), 0
        for piece in self.body_pieces():
            total += len(piece)
            if len(kept) < keep:
                kept += piece[: keep - len(kept)]
        return bytes(kept), total

    # MARK: routes

    def do_request(self):
        target = urlsplit(self.path)
        parts = [unquote(p) for p in target.path.split("/") if p]
        query = {k: v[-1] for k, v in parse_qs(target.query).items()}
        route = parts[0] if parts else ""
        if route == "upload":
            return self.upload()
        body, body_bytes = self.read_body()
        if route == "_control":
            return self.control(parts[1:])
        if route == "bytes":
            if "first" in query and count(query["key"]) <= int(query["first"]):
                return self.answer_json(503, {"message": "not yet"})
            return self.send_bytes(int(parts[1]), query.get("key"))
        if route == "redirect":
            left = int(parts[1])
            if left == 0:
                return self.answer_json(200, {"redirected": "done", "method": self.command, "body_bytes": body_bytes})
            code = int(query.get("code", "302"))
            suffix = "?" + target.query if target.query else ""
            return self.answer(code, headers=[("Location", "/redirect/%d%s" % (left - 1, suffix))])
        if route == "redirect-to":
            return self.answer(int(query.get("code", "302")), headers=[("Location", query["url"])])
        if route == "loop":
            return self.answer(302, headers=[("Location", "/loop")])
        if route == "see-other":
            return self.answer(303, headers=[("Location", "/echo")])
        if route == "echo":
            return self.answer_json(200, {
                "method": self.command,
                "target": self.path,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body_bytes": body_bytes,
                "body": body[:1000].decode("utf-8", "replace"),
            })
        if route == "status":
            return self.status(int(parts[1]), query)
        if route == "stall":
            if "key" in query:
                count(query["key"])
            return self.stall(int(query.get("bytes", "0")))
        self.answer(404, "no route for %s\n" % target.path, "text/plain")

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_request

    def control(self, parts):
        if parts[:1] == ["count"]:
            with LOCK:
                return self.answer_json(200, {"count": COUNTS.get(parts[1], 0)})
        if parts[:1] == ["wait"]:
            wanted = int(parse_qs(urlsplit(self.path).query).get("count", ["1"])[0])
            with LOCK:
                LOCK.wait_for(lambda: COUNTS.get(parts[1], 0) >= wanted, timeout=30)
                return self.answer_json(200, {"count": COUNTS.get(parts[1], 0)})
        if parts[:1] == ["sent"]:
            with LOCK:
                LOCK.wait_for(lambda: parts[1] in SENT, timeout=30)
                return self.answer_json(200, SENT.get(parts[1], {}))
        self.answer(404, "no such control\n", "text/plain")

    def send_bytes(self, size, key):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        digest, left, number = hashlib.sha256(), size, 0
        while left > 0:
            # Each piece starts with its number, so a piece sent twice or out of order shows.
            piece = (number.to_bytes(8, "big") + PIECE[8:])[: min(left, len(PIECE))]
            self.wfile.write(piece)
            digest.update(piece)
            left -= len(piece)
            number += 1
        if key:
            with LOCK:
                SENT[key] = {"bytes": size, "sha256": digest.hexdigest()}
                LOCK.notify_all()

    def upload(self):
        digest, total = hashlib.sha256(), 0
        for piece in self.body_pieces():
            digest.update(piece)
            total += len(piece)
        self.answer_json(200, {"bytes": total, "sha256": digest.hexdigest(), "method": self.command})

    def status(self, code, query):
        attempt = count(query.get("key", "status"))
        first = query.get("first")
        if first is not None and attempt > int(first):
            return self.answer_json(200, {"attempt": attempt})
        headers = [("Retry-After", query["retry_after"])] if "retry_after" in query else []
        message = query.get("message", "")
        if query.get("format") == "text":
            return self.answer(code, message + "\n", "text/plain", headers)
        self.answer(code, json.dumps({"message": message}) if message else "", headers=headers)

    def stall(self, sent):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(1 << 20))
        self.end_headers()
        self.wfile.write(PIECE[:sent])
        self.wfile.flush()
        time.sleep(60)
        self.close_connection = True

    def do_CONNECT(self):
        host, _, port = self.path.rpartition(":")
        count("CONNECT " + self.path)
        if host not in ("127.0.0.1", "localhost"):
            return self.answer(403, "this proxy only reaches 127.0.0.1\n", "text/plain")
        upstream = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        ends = [self.connection, upstream]
        try:
            while True:
                readable, _, _ = select.select(ends, [], [], 30)
                if not readable:
                    return
                for end in readable:
                    data = end.recv(1 << 16)
                    if not data:
                        return
                    (upstream if end is self.connection else self.connection).sendall(data)
        finally:
            upstream.close()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog is 5: with many tests connecting at once while the accept
    # loop waits for the GIL, the kernel would drop SYNs and a connect would wait a second.
    request_queue_size = 128
    tls = None

    def finish_request(self, request, client_address):
        # The TLS handshake happens here, on the request's thread, not in the accept loop.
        if self.tls is not None:
            request = self.tls.wrap_socket(request, server_side=True)
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        # A client refusing the certificate, or going away mid-body, is what some tests do.
        sys.stderr.write("http_server: %s: %s\n" % (client_address, sys.exc_info()[1]))


def make_certificates(mode, directory):
    """Writes leaf.pem and key.pem for `mode` into `directory`; returns the PEM to trust."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    day = datetime.timedelta(days=1)

    def name(common):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def build(subject, key, issuer, issuer_key, start, end, ca, sans=()):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(start).not_valid_after(end)
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
        if ca:
            builder = builder.add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
                critical=True)
        else:
            builder = (builder.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
                       .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
        return builder.sign(issuer_key, hashes.SHA256())

    loopback = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    key = ec.generate_private_key(ec.SECP256R1())
    if mode == "self-signed":
        leaf = build(name("127.0.0.1"), key, name("127.0.0.1"), key, now - day, now + day, False, loopback)
        trusted = leaf
    else:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = name("flow test CA")
        trusted = build(ca_name, ca_key, ca_name, ca_key, now - 2 * day, now + 30 * day, True)
        start, end = (now - 30 * day, now - day) if mode == "expired" else (now - day, now + day)
        sans = [x509.DNSName("example.invalid")] if mode == "wrong-host" else loopback
        leaf = build(name("flow test server"), key, ca_name, ca_key, start, end, False, sans)
    with open(os.path.join(directory, "leaf.pem"), "wb") as f:
        f.write(leaf.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(directory, "key.pem"), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return trusted.public_bytes(serialization.Encoding.PEM)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tls", choices=["good", "expired", "wrong-host", "self-signed"])
    parser.add_argument("--ca-out")
    args = parser.parse_args()
    # Stop at once on SIGTERM, even if the test process started us with it blocked or ignored.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    server = Server(("127.0.0.1", 0), Handler)
    if args.tls:
        with tempfile.TemporaryDirectory() as directory:
            trusted = make_certificates(args.tls, directory)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(os.path.join(directory, "leaf.pem"), os.path.join(directory, "key.pem"))
        server.tls = context
        if args.ca_out:
            with open(args.ca_out, "wb") as f:
                f.write(trusted)
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
