#!/usr/bin/env python3
"""Stands in for the two AWS credential endpoints flow's credential chain calls, on a free
loopback port (prints `READY <port>` once listening). Standard library only.

Container endpoint (ECS / CodeBuild): any GET outside /latest/ and /_control/. When started
with --container-token, the Authorization header must equal it (else 401).

EC2 instance metadata, IMDSv2 only: PUT /latest/api/token needs
X-aws-ec2-metadata-token-ttl-seconds and returns a token; every GET under /latest/ must carry
it as X-aws-ec2-metadata-token (else 401). --role names the attached role (--no-role: 404).

Each answer's keys carry the fetch number (`ASIACONTAINER1`, `ASIAINSTANCE2`, ...) and expire
at --expiration, so tests see when a fetch happened. Control, for tests:
  GET  /_control/counts   -> {"container": n, "token": n, "roles": n, "role": n, "rejected": n}
  POST /_control/config   JSON {"container_status": 500, "expiration": "...", "imds_status": 500}
"""
import argparse
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
COUNTS = {"container": 0, "token": 0, "roles": 0, "role": 0, "rejected": 0}
CONFIG = {"container_status": 200, "imds_status": 200}
IMDS_TOKEN = "imds-t0ken-AQAEXAMPLE"


def count(name):
    with LOCK:
        COUNTS[name] += 1
        return COUNTS[name]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        sys.stderr.write("metadata_server: %s\n" % (format % args))

    def answer(self, status, body, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def credentials(self, prefix, number, token_key="Token"):
        return json.dumps({
            "Code": "Success",
            "AccessKeyId": "ASIA%s%d" % (prefix, number),
            "SecretAccessKey": "s3cr3t-%s-%d" % (prefix.lower(), number),
            token_key: "t0ken-%s-%d" % (prefix.lower(), number),
            "Expiration": CONFIG["expiration"],
        })

    def do_PUT(self):
        if self.path == "/latest/api/token":
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                count("rejected")
                return self.answer(400, "missing X-aws-ec2-metadata-token-ttl-seconds", "text/plain")
            count("token")
            return self.answer(200, IMDS_TOKEN, "text/plain")
        self.answer(404, "not found", "text/plain")

    def do_POST(self):
        if self.path == "/_control/config":
            length = int(self.headers.get("Content-Length", "0"))
            with LOCK:
                CONFIG.update(json.loads(self.rfile.read(length) or b"{}"))
            return self.answer(200, "{}")
        self.answer(404, "not found", "text/plain")

    def do_GET(self):
        if self.path == "/_control/counts":
            with LOCK:
                return self.answer(200, json.dumps(COUNTS))
        if self.path.startswith("/latest/"):
            return self.metadata()
        return self.container()

    def container(self):
        expected = CONFIG.get("container_token")
        if expected is not None and self.headers.get("Authorization") != expected:
            count("rejected")
            return self.answer(401, json.dumps({"message": "wrong or missing authorization token"}))
        number = count("container")
        status = CONFIG["container_status"]
        if status != 200:
            return self.answer(status, json.dumps({"message": "the agent is having a bad day"}))
        self.answer(200, self.credentials("CONTAINER", number))

    def metadata(self):
        if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
            count("rejected")
            return self.answer(401, "", "text/plain")
        base = "/latest/meta-data/iam/security-credentials/"
        role = CONFIG.get("role")
        if self.path == base:
            count("roles")
            if role is None:
                return self.answer(404, "not found", "text/plain")
            return self.answer(200, role + "\n", "text/plain")
        if role is not None and self.path == base + role:
            number = count("role")
            if CONFIG["imds_status"] != 200:
                return self.answer(CONFIG["imds_status"], "error", "text/plain")
            return self.answer(200, self.credentials("INSTANCE", number))
        self.answer(404, "not found", "text/plain")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--container-token")
    parser.add_argument("--role", default="flow-test-role")
    parser.add_argument("--no-role", action="store_true")
    parser.add_argument("--expiration", default="2030-01-01T00:00:00Z")
    args = parser.parse_args()
    # Stop at once on SIGTERM, even if the test process started us with it blocked or ignored.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    CONFIG["container_token"] = args.container_token
    CONFIG["role"] = None if args.no_role else args.role
    CONFIG["expiration"] = args.expiration
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
