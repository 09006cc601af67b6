#!/usr/bin/env python3
"""Replays recorded CodeBuild answers for the `runs-on: codebuild` tests, on a free loopback port
(prints `READY <port>` once listening). Standard library only. SigV4 is not checked here (moto
checks it in the other tests).

JSON 1.1 (`POST /`, `X-Amz-Target: CodeBuild_20161006.<Op>`):
  StartBuild      records the request; the build's story is the recorded answers file named by
                  its project (`<project>.json`: a list of BatchGetBuilds builds, one per poll, the
                  last repeated); answers the build IN_PROGRESS, id `<project>:<uuid>`
  BatchGetBuilds  the next recorded answer of each build (id, arn, projectName filled in);
                  a build told to finish or stopped answers that instead
  StopBuild       records the request; the build answers STOPPED from now on
Control, for tests (GET):
  /_control/requests           {"requests": [{"operation", "body"}...]} in order
  /_control/finish/<build id>  the build answers SUCCEEDED from now on
"""
import json
import os
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
LOCK = threading.Lock()
REQUESTS = []
BUILDS = {}  # id -> {"story": [...], "next": 0, "forced": None}


def story(project):
    path = os.path.join(HERE, project + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def describe(build_id, answer, status_override=None):
    project = build_id.split(":", 1)[0]
    build = dict(answer)
    build["id"] = build_id
    build["arn"] = "arn:aws:codebuild:us-east-1:123456789012:build/" + build_id
    build["projectName"] = project
    if status_override:
        build["buildStatus"] = status_override
        build["currentPhase"] = "COMPLETED"
        if status_override == "SUCCEEDED":
            build["phases"] = [{"phaseType": "BUILD", "phaseStatus": "SUCCEEDED"}]
    return build


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, code, message):
        self.answer(status, {"__type": code, "message": message})

    def do_GET(self):
        if self.path == "/_control/requests":
            with LOCK:
                return self.answer(200, {"requests": list(REQUESTS)})
        if self.path.startswith("/_control/finish/"):
            build_id = self.path[len("/_control/finish/"):]
            with LOCK:
                if build_id not in BUILDS:
                    return self.error(404, "ResourceNotFoundException", "no build " + build_id)
                BUILDS[build_id]["forced"] = "SUCCEEDED"
            return self.answer(200, {})
        self.error(404, "UnknownOperationException", self.path)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        target = self.headers.get("X-Amz-Target", "")
        operation = target.split(".", 1)[-1]
        with LOCK:
            REQUESTS.append({"operation": operation, "body": body})
            if operation == "StartBuild":
                project = body.get("projectName", "")
                answers = story(project)
                if answers is None:
                    return self.error(400, "ResourceNotFoundException", "Project cannot be found: " + project)
                build_id = project + ":" + str(uuid.uuid4())
                BUILDS[build_id] = {"story": answers, "next": 0, "forced": None}
                return self.answer(200, {"build": describe(build_id, {"buildStatus": "IN_PROGRESS", "currentPhase": "QUEUED"})})
            if operation == "BatchGetBuilds":
                builds, missing = [], []
                for build_id in body.get("ids", []):
                    entry = BUILDS.get(build_id)
                    if entry is None:
                        missing.append(build_id)
                        continue
                    answers = entry["story"]
                    answer = answers[min(entry["next"], len(answers) - 1)]
                    entry["next"] += 1
                    builds.append(describe(build_id, answer, entry["forced"]))
                return self.answer(200, {"builds": builds, "buildsNotFound": missing})
            if operation == "StopBuild":
                entry = BUILDS.get(body.get("id", ""))
                if entry is None:
                    return self.error(400, "ResourceNotFoundException", "no build")
                entry["forced"] = "STOPPED"
                return self.answer(200, {"build": describe(body["id"], {}, "STOPPED")})
        self.error(400, "UnknownOperationException", operation)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
