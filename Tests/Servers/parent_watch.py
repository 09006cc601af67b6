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

# A test runner's thread may have SIGTERM blocked, and a child inherits the mask: unblock it
# here, before the server starts, so both this script and the server can be stopped.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)


def stop(*_):
    # Only signal here: the main thread is inside child.wait(), holding Popen's wait lock, so
    # waiting again from this handler (which runs on the main thread) would spin until a
    # timeout. The main thread's wait returns once the server is gone; a server that ignores
    # SIGTERM is killed after five seconds.
    if child.poll() is None:
        child.terminate()
        threading.Timer(5, child.kill).start()


def watch_parent():
    while sys.stdin.buffer.read(1 << 16):
        pass
    stop()


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
threading.Thread(target=watch_parent, daemon=True).start()
child.wait()
os._exit(0)
