#!/usr/bin/env python3
"""Runs a test server (the command in argv) and stops it when the test process that started
it goes away, however it ends: that process holds the write end of this script's standard
input, so end-of-file there means it is gone. SIGTERM stops the server too. Standard output
and error pass through (a server's `READY <port>` line reaches the test)."""
import os
import signal
import subprocess
import sys
import threading

child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)


def stop(*_):
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    os._exit(0)


def watch_parent():
    while sys.stdin.buffer.read(1 << 16):
        pass
    stop()


signal.signal(signal.SIGTERM, stop)
threading.Thread(target=watch_parent, daemon=True).start()
sys.exit(child.wait())
