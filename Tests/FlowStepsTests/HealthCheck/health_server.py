#!/usr/bin/env python3
"""The service health-check tests check: a threaded HTTP/1.1 server on a free loopback port
(prints `READY <port>`), standard library plus `cryptography` for --tls.

--tls self-signed serves HTTPS with a certificate for 127.0.0.1 signed by its own key (made at
start), which a verifying client refuses.

Routes (every request is counted under its `key` query value, when given):
  /ok                      200 {"status": "ok", "data": {"items": [{"id": 7}], "count": 3, "ready": true},
                           "version": "1.4.2"} with X-Service-Version: 1.4.2
  /flap?key=K&bad=N        503 {"status": "starting"} for the first N requests under K, then /ok
  /slow?ms=M               sleeps M milliseconds, then /ok
  /status/C                C with {"status": "code C"} (no body for 204 and 304)
  /text?body=T             200 text/plain T
  /redirect?to=URL&code=C  C (302 by default) to URL, without following anything itself
  /echo                    200 {"headers": {name: value}} of the request (a server that echoes credentials)
  /_control/count/K        {"count": n} (not counted)
"""
import argparse
import datetime
import json
import os
import signal
import ssl
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
COUNTS = {}

HEALTHY = {"status": "ok", "data": {"items": [{"id": 7}], "count": 3, "ready": True}, "version": "1.4.2"}


def count(key):
    with LOCK:
        COUNTS[key] = COUNTS.get(key, 0) + 1
        return COUNTS[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        sys.stderr.write("health_server: %s\n" % (format % args))

    def answer(self, status, body, content_type="application/json", headers=()):
        data = (json.dumps(body) if content_type == "application/json" else body).encode()
        if status in (204, 304):
            data = b""   # a body after these would be read as the next response on the connection
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def healthy(self):
        self.answer(200, HEALTHY, headers=[("X-Service-Version", "1.4.2")])

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = parts.path
        if path.startswith("/_control/count/"):
            key = path[len("/_control/count/"):]
            with LOCK:
                return self.answer(200, {"count": COUNTS.get(key, 0)})
        seen = count(query["key"]) if "key" in query else 0
        if path == "/ok":
            return self.healthy()
        if path == "/flap":
            if seen <= int(query.get("bad", "0")):
                return self.answer(503, {"status": "starting"})
            return self.healthy()
        if path == "/slow":
            time.sleep(int(query.get("ms", "0")) / 1000)
            return self.healthy()
        if path.startswith("/status/"):
            code = int(path[len("/status/"):])
            return self.answer(code, {"status": "code %d" % code})
        if path == "/text":
            return self.answer(200, query.get("body", ""), content_type="text/plain")
        if path == "/redirect":
            return self.answer(int(query.get("code", "302")), {"redirect": True}, headers=[("Location", query["to"])])
        if path == "/echo":
            return self.answer(200, {"headers": {k: v for k, v in self.headers.items()}})
        self.answer(404, {"status": "no route %s" % path})

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    tls = None

    def finish_request(self, request, client_address):
        if self.tls is not None:
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return   # the client refused the certificate: what the TLS tests expect
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        pass


def self_signed(directory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "flow health test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    with open(cert_path, "wb") as f:
        f.write(certificate.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tls", choices=["self-signed"])
    args = parser.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    if args.tls:
        holder = tempfile.TemporaryDirectory(prefix="flow-health-tls-")
        directory = holder.name
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))   # so the folder is removed
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*self_signed(directory))
        server.tls = context
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
