"""The FSDP image's service: `GET /health` answers, as JSON, whether the trainer can run here
(torch imports and one forward pass of the model is finite). The stack runs it (App Runner on
AWS; on loopback for `--profile local`). FSDP_BREAK_HEALTH=true makes it answer 503: the demo's
unhealthy release, which `remediate` rolls back."""
import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import torch

from train import TinyModel

MODEL = TinyModel()
BROKEN = os.environ.get("FSDP_BREAK_HEALTH", "false").lower() == "true"


def healthy() -> bool:
    with torch.no_grad():
        logits = MODEL(torch.zeros(1, 8, dtype=torch.long))
    return bool(torch.isfinite(logits).all()) and not BROKEN


class Health(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.split("?", 1)[0] != "/health":
            self.answer(404, {"error": "not found"})
            return
        ok = healthy()
        self.answer(200 if ok else 503, {
            "status": "ok" if ok else "degraded",
            "torch": torch.__version__,
            "image": os.environ.get("IMAGE_URI", ""),
        })

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        sys.stderr.write("serve: " + (format % args) + "\n")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = ThreadingHTTPServer((os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "8080"))), Health)
    print(f"serve: listening on {server.server_address[0]}:{server.server_address[1]}", flush=True)
    server.serve_forever()
