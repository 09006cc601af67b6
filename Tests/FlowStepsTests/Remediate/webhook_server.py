#!/usr/bin/env python3
"""A webhook receiver for remediate's tests, on a free loopback port (prints `READY <port>`).
Every request is appended to the file given by --record as one JSON line:
{"method", "path", "headers": [[name, value]...], "body"}.
Routes: /status/C answers C; anything else 200 {"ok": true}."""
import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--record", required=True)
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            entry = {"method": self.command, "path": self.path,
                     "headers": [[k, v] for k, v in self.headers.items()],
                     "body": body.decode("utf-8", "replace")}
            with LOCK, open(args.record, "a") as f:
                f.write(json.dumps(entry) + "\n")
            status = 200
            if self.path.startswith("/status/"):
                status = int(self.path.split("/")[2])
            answer = b'{"ok": true}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST = do_PUT = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
