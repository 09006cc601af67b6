#!/usr/bin/env python3
"""A loopback HTTP/1.1 server made for benchmarking HTTP clients (bench/http_vs_curl.py), doing as
little as it can per request so that the client is what is measured.

  GET /small     200, a fixed 100-byte body (one send of a preformatted response)
  GET /bytes/N   200, N bytes streamed from a preallocated 4 MiB buffer in 4 MiB sends
  GET /stats     200, JSON {"connections": accepted so far, "requests": answered so far}

Keep-alive by default (HTTP/1.1); `Connection: close` or HTTP/1.0 closes after the response.
Requests must have no body. One thread per connection with blocking sockets: a client that
sends one request at a time on one connection gets its answer without an event loop in
between. Binds 127.0.0.1:0 (or --port), prints `READY <port>` and serves until its standard
input reaches end of file (the parent closed it or died) or it gets SIGTERM/SIGINT.

Usage:  python3 bench/http_server.py [--port N]   (keep its standard input open while it serves)
"""
import argparse
import json
import os
import socket
import sys
import threading

SMALL_BODY = b"flow http benchmark: a small fixed response body, 100 bytes long, padded to size with dots.........\n"
assert len(SMALL_BODY) == 100
SMALL = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n" + SMALL_BODY
CHUNK = memoryview(b"x" * (4 << 20))


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.connections = 0
        self.requests = 0


def respond(conn, head, counters):
    """Answers one request (its head, without the blank line). Returns False to close."""
    line_end = head.find(b"\r\n")
    request_line = head if line_end < 0 else head[:line_end]
    parts = request_line.split(b" ")
    if len(parts) != 3:
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        return False
    method, path, version = parts
    lower = head.lower()
    keep = version == b"HTTP/1.1" and b"connection: close" not in lower
    if b"content-length:" in lower or b"transfer-encoding:" in lower:
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        return False
    closing = b"" if keep else b"Connection: close\r\n"
    with counters.lock:
        counters.requests += 1
    if method not in (b"GET", b"HEAD"):
        conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n" + closing + b"\r\n")
    elif path == b"/small":
        conn.sendall(SMALL if keep else SMALL.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1))
    elif path.startswith(b"/bytes/") and path[7:].isdigit():
        size = int(path[7:])
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n%s\r\n"
                     % (size, closing))
        left = size if method == b"GET" else 0
        while left > 0:
            n = min(left, len(CHUNK))
            conn.sendall(CHUNK[:n])
            left -= n
    elif path == b"/stats":
        with counters.lock:
            body = json.dumps({"connections": counters.connections, "requests": counters.requests}).encode()
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n%s"
                     % (len(body), closing, body))
    else:
        conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n" + closing + b"\r\n")
    return keep


def serve(conn, counters):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffer = b""
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                return
            buffer += data
            while True:
                end = buffer.find(b"\r\n\r\n")
                if end < 0:
                    break
                head, buffer = buffer[:end], buffer[end + 4:]
                if not respond(conn, head, counters):
                    return
            if len(buffer) > 65536:
                return  # a head that never ends
    except (ConnectionResetError, BrokenPipeError):
        pass
    finally:
        conn.close()


def accept(listener, counters):
    while True:
        conn, _ = listener.accept()
        with counters.lock:
            counters.connections += 1
        threading.Thread(target=serve, args=(conn, counters), daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(64)
    threading.Thread(target=accept, args=(listener, Counters()), daemon=True).start()
    print(f"READY {listener.getsockname()[1]}", flush=True)
    try:
        while sys.stdin.buffer.read(65536):
            pass
    except KeyboardInterrupt:
        pass
    os._exit(0)


if __name__ == "__main__":
    main()
