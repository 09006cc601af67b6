#!/usr/bin/env python3
"""Benchmark: FlowHTTP (`flow-bench http`, the real CurlTransport) side by side with the `curl`
command line, against bench/http_server.py on loopback.

  gets      1,000 sequential GETs of a 100-byte response on one kept-alive connection, in one
            process: `flow-bench http gets` (each request awaited before the next) against
            `curl --config` with 1,000 `url =` lines (`output = /dev/null` each). Requests per
            second over the whole process, and the flow/curl ratio.
  download  one 1 GiB GET streamed to a file: `flow-bench http download` against `curl -o`.
            MB/s (10^6 bytes) over the whole process and the peak RSS of each.

Rounds are interleaved (flow then curl, curl then flow in the next round) so that a disturbance
from the host hits both alike; the first round warms up and is not counted; the tables give
medians over --runs rounds. The peak RSS is `wait4`'s `ru_maxrss` of the measured process as
GNU time reports it (`%M`): a child forked from Python starts with Python's ~10 MiB in its own
`ru_maxrss`, which would hide curl's. Every run is checked outside the timing: exit 0, the
server's counters say one connection and exactly the requests asked for (so the connection was
kept alive), a download left a file of the right size (deleted at once).

Run from the repository root:  python3 bench/http_vs_curl.py   (see bench/README.md)
"""
import argparse
import datetime
import json
import os
import shutil
import urllib.request
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no bench/__pycache__ from the import below
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from validate import ROOT, ensure  # noqa: E402

SIZE = 1 << 30


class Server:
    """bench/http_server.py on a free loopback port; it exits when its stdin closes."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, os.path.join(ROOT, "bench/http_server.py")],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = self.process.stdout.readline().split()
        if len(ready) != 2 or ready[0] != "READY":
            sys.exit(f"bench/http_server.py did not start: {ready}")
        self.port = int(ready[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def stats(self):
        """(connections accepted, requests answered), this query's included."""
        with urllib.request.urlopen(f"{self.url}/stats", timeout=10) as response:
            body = json.load(response)
        return body["connections"], body["requests"]

    def cpu(self):
        """The server's user + system CPU seconds so far."""
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.process.stdin.close()
        self.process.wait(10)


def filesystem(path):
    """The type of the file system holding `path` (the longest mount point above it)."""
    path, best = os.path.realpath(path), ("", "?")
    with open("/proc/self/mounts") as f:
        for line in f:
            _, point, kind = line.split()[:3]
            point = point.replace("\\040", " ")
            if (path == point or path.startswith(point.rstrip("/") + "/")) and len(point) > len(best[0]):
                best = (point, kind)
    return best[1]


def timed(argv, rss_report):
    """Runs argv under GNU time (for the peak RSS) with stdout to a file: (wall seconds, peak RSS
    KiB, stdout). The wall time is fork to wait4 of the measured process's parent, GNU time."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os.dup2(out.fileno(), 1)
            os.execvp("time", ["time", "-f", "%M", "-o", rss_report] + argv)
        _, status, _ = os.wait4(pid, 0)
        elapsed = time.perf_counter() - start
        out.seek(0)
        stdout = out.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)} exited {os.waitstatus_to_exitcode(status)}")
    with open(rss_report) as f:
        rss = int(f.read().split()[-1])
    return elapsed, rss, stdout


class Row:
    """One command's measurements over the rounds."""

    def __init__(self, label, argv, requests, check=None):
        self.label, self.argv, self.requests, self.check = label, argv, requests, check
        self.walls, self.rss, self.server_cpu, self.reports = [], [], [], []

    def run(self, server, rss_report, counted):
        connections, requests = server.stats()
        cpu = server.cpu()
        wall, rss, stdout = timed(self.argv, rss_report)
        cpu = server.cpu() - cpu
        after = server.stats()
        # This run's connection and requests, plus the second /stats query's.
        if after != (connections + 2, requests + self.requests + 1):
            sys.exit(f"{self.label}: the server saw {after[0] - connections - 1} connections and {after[1] - requests - 1} "
                     f"requests, expected 1 kept-alive connection and {self.requests}")
        if self.check:
            self.check()
        if counted:
            self.walls.append(wall)
            self.rss.append(rss / 1024)
            self.server_cpu.append(cpu / wall)
            if stdout.strip().startswith("{"):
                self.reports.append(json.loads(stdout))

    @property
    def wall(self):
        return statistics.median(self.walls)

    def reported(self, key):
        return statistics.median(r[key] for r in self.reports) if self.reports else None


def rounds(rows, server, runs, rss_report):
    """Round 0 warms up; the order flips every round."""
    for i in range(runs + 1):
        for row in (rows if i % 2 == 0 else rows[::-1]):
            row.run(server, rss_report, counted=i > 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="counted rounds, after one warm-up (default 5)")
    parser.add_argument("--count", type=int, default=1000, help="GETs per process (default 1000)")
    parser.add_argument("--size", type=int, default=SIZE, help="download size in bytes (default 1 GiB)")
    parser.add_argument("--dir", help="where the downloads go (default: the system temp dir unless it is tmpfs, "
                                      "else bench/results)")
    parser.add_argument("--no-build", action="store_true", help="use the existing .build/release/flow-bench")
    args = parser.parse_args()

    ensure("curl", "curl")
    ensure("time", "time")  # GNU time, for the peak RSS
    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "flow-bench"], cwd=ROOT, check=True)
    bench = os.path.join(ROOT, ".build/release/flow-bench")
    curl_version = subprocess.run(["curl", "--version"], capture_output=True, text=True, check=True).stdout.split("\n")[0]

    tmp_fs = filesystem(tempfile.gettempdir())
    base = args.dir or (tempfile.gettempdir() if tmp_fs != "tmpfs" else os.path.join(ROOT, "bench/results"))
    os.makedirs(base, exist_ok=True)
    work = tempfile.mkdtemp(prefix="flow-http-bench-", dir=base)
    server = Server()
    try:
        rss_report = os.path.join(work, "rss")
        small = f"{server.url}/small"
        config = os.path.join(work, "gets.curlrc")
        with open(config, "w") as f:
            f.write("silent\nfail\n" + f'url = "{small}"\noutput = "/dev/null"\n' * args.count)
        one = os.path.join(work, "one.curlrc")
        with open(one, "w") as f:
            f.write(f'silent\nfail\nurl = "{small}"\noutput = "/dev/null"\n')

        print(f"flow-bench (release build) against {curl_version}; "
              f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
              f"load {open('/proc/loadavg').read().split()[0]}")
        print(f"server: bench/http_server.py on 127.0.0.1:{server.port}; median of {args.runs} interleaved rounds "
              f"after 1 warm-up, whole process")

        gets = [
            Row("flow-bench http gets", [bench, "http", "gets", "--url", small, "--count", str(args.count)], args.count),
            Row("curl --config", ["curl", "-q", "--config", config], args.count),
            Row("flow-bench, 1 GET", [bench, "http", "gets", "--url", small, "--count", "1"], 1),
            Row("curl, 1 GET", ["curl", "-q", "--config", one], 1),
        ]
        rounds(gets, server, args.runs, rss_report)
        flow, curl, flow1, curl1 = gets
        print(f"\ngets: {args.count:,} sequential GETs of /small (100-byte body) on one kept-alive connection")
        print(f"{'command':<22} {'median ms':>10} {'req/s':>8} {'µs/GET after the 1st':>22} {'peak RSS MiB':>13} "
              f"{'server CPU':>11}")
        for row, single in ((flow, flow1), (curl, curl1)):
            per = (row.wall - single.wall) / (args.count - 1) * 1e6 if args.count > 1 else float("nan")
            print(f"{row.label:<22} {row.wall * 1000:>10.1f} {args.count / row.wall:>8.0f} {per:>22.1f} "
                  f"{max(row.rss):>13.1f} {statistics.median(row.server_cpu):>10.0%}")
        for single in (flow1, curl1):
            print(f"{single.label:<22} {single.wall * 1000:>10.1f} {'':>8} {'':>22} {max(single.rss):>13.1f} "
                  f"{statistics.median(single.server_cpu):>10.0%}")
        ratio = (args.count / flow.wall) / (args.count / curl.wall)
        inside = flow.reported("requests_per_second")
        print(f"flow/curl req/s ratio: {ratio:.2f} (whole process); flow-bench's own timing of the "
              f"{args.count:,} requests: {inside:.0f} req/s")

        target = os.path.join(work, "download.bin")

        def downloaded():
            size = os.path.getsize(target)
            os.remove(target)
            leftovers = [f for f in os.listdir(work) if f.endswith(".download")]
            if size != args.size or leftovers:
                sys.exit(f"the download left {size} bytes (expected {args.size}) and {leftovers}")
            os.sync()  # outside the timing: the next run starts with no writeback pending

        url = f"{server.url}/bytes/{args.size}"
        downloads = [
            Row("flow-bench http download", [bench, "http", "download", "--url", url, "--to", target], 1, downloaded),
            Row("curl -o", ["curl", "-q", "-sS", "--fail", "-o", target, url], 1, downloaded),
        ]
        rounds(downloads, server, args.runs, rss_report)
        fs = filesystem(work)
        print(f"\ndownload: {args.size:,} bytes to a file in {work} ({fs}; /tmp is "
              f"{'tmpfs' if tmp_fs == 'tmpfs' else tmp_fs + ', not tmpfs'}), deleted after each run")
        print(f"{'command':<26} {'median s':>9} {'MB/s':>7} {'peak RSS MiB':>13} {'server CPU':>11}")
        for row in downloads:
            print(f"{row.label:<26} {row.wall:>9.2f} {args.size / row.wall / 1e6:>7.0f} {max(row.rss):>13.1f} "
                  f"{statistics.median(row.server_cpu):>10.0%}")
        fd, cd = downloads
        print(f"flow/curl MB/s ratio: {cd.wall / fd.wall:.2f} (whole process); flow-bench's own timing: "
              f"{fd.reported('mb_per_second'):.0f} MB/s, VmHWM {fd.reported('vm_hwm_kib') / 1024:.1f} MiB")

        print(json.dumps({
            "date": f"{datetime.date.today()}", "runs": args.runs, "cores": os.cpu_count(),
            "gets": {"count": args.count, "flow_rps": round(args.count / flow.wall), "curl_rps": round(args.count / curl.wall),
                     "ratio": round(ratio, 3), "flow_inprocess_rps": round(inside),
                     "flow_rss_mib": round(max(flow.rss), 1), "curl_rss_mib": round(max(curl.rss), 1)},
            "download": {"bytes": args.size, "filesystem": fs, "tmp_is_tmpfs": tmp_fs == "tmpfs",
                         "flow_mbps": round(args.size / fd.wall / 1e6), "curl_mbps": round(args.size / cd.wall / 1e6),
                         "flow_inprocess_mbps": round(fd.reported("mb_per_second")),
                         "flow_rss_mib": round(max(fd.rss), 1), "curl_rss_mib": round(max(cd.rss), 1)},
        }))
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
