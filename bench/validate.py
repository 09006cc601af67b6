#!/usr/bin/env python3
"""Benchmark: validate a generated 10,000-step pipeline, side by side with GNU make and ninja
parsing and walking the same DAG (`make -n`, `ninja -n`), plus the hostile inputs.

Reports the whole-process median wall time over --runs runs and the peak RSS of each command.
Run from the repository root:  python3 bench/validate.py   (see bench/README.md)
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ensure(command, package):
    if shutil.which(command):
        return
    print(f"installing {package} for the comparison", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def release_flow(build=True):
    """The release build of flow (built first unless `build` is false) and its --version."""
    if build:
        subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "flow"], cwd=ROOT, check=True)
    flow = os.path.join(ROOT, ".build/release/flow")
    version = subprocess.run([flow, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return flow, version


class FreshStateRun:
    """A `prepare` for measure(): `flow run PIPELINE` with a fresh --state-dir under DIRECTORY
    each call, the previous one removed first (outside the timing). `last` is the newest state
    dir; remove() removes it once the caller has checked it."""

    def __init__(self, flow, pipeline, directory):
        self.flow, self.pipeline, self.directory = flow, pipeline, directory
        self.states = []

    def __call__(self):
        if self.states:
            self.remove()
        self.states.append(tempfile.mkdtemp(prefix="state-", dir=self.directory))
        return [self.flow, "run", self.pipeline, "--state-dir", self.states[-1]]

    @property
    def last(self):
        return self.states[-1]

    def remove(self):
        shutil.rmtree(self.states.pop())


def measure(prepare, cwd, runs, expect=0):
    """Median wall seconds over `runs` runs after one warm-up (fork, exec, wait), and the peak
    RSS (MiB) of the warm-up run. Shared by bench/validate.py and bench/engine.py. `prepare()` resets the state and
    returns the argv, outside the timed region (it may recreate `cwd`). The warm-up runs under
    GNU time: a child forked from Python starts with Python's ~12 MiB in its ru_maxrss, which
    would hide make and ninja."""
    times, peak = [], None
    report = tempfile.NamedTemporaryFile(prefix="flow-bench-rss-", delete=False)
    report.close()
    for i in range(runs + 1):
        argv = prepare()
        if i == 0:
            argv = [shutil.which("time"), "-f", "%M", "-o", report.name] + argv
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os.chdir(cwd)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.execvp(argv[0], argv)
        _, status = os.waitpid(pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != expect:
            sys.exit(f"{' '.join(argv)} exited {os.waitstatus_to_exitcode(status)}, expected {expect}")
        if i == 0:
            with open(report.name) as f:
                peak = int(f.read().split()[-1]) / 1024
            os.remove(report.name)
        else:
            times.append(elapsed)
    return statistics.median(times), peak


def timed(argv, cwd):
    """Wall seconds of one run of argv in cwd (output discarded); it must exit 0."""
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {result.returncode}: {result.stderr.decode()}")
    return elapsed


def spread(values):
    """median, first quartile, third quartile, min, max."""
    q = statistics.quantiles(values, n=4)
    return statistics.median(values), q[0], q[2], min(values), max(values)


def interleaved(rows, runs):
    """Times every row once per round, rows in turn, for `runs` rounds after one warm-up round:
    {label: [seconds per round]}, and {label: peak RSS MiB of its warm-up run} (GNU time).
    `rows` are (label, prepare, cwd) as measure() takes them. Ratios between rows are then
    taken within a round, so a busy moment of the host weighs on both sides alike."""
    times = {label: [] for label, _, _ in rows}
    peaks = {}
    for round_number in range(runs + 1):
        for label, prepare, cwd in rows:
            argv = prepare()
            if round_number == 0:
                report = tempfile.NamedTemporaryFile(prefix="flow-bench-rss-", delete=False)
                report.close()
                timed([shutil.which("time"), "-f", "%M", "-o", report.name] + argv, cwd)
                with open(report.name) as f:
                    peaks[label] = int(f.read().split()[-1]) / 1024
                os.remove(report.name)
            else:
                times[label].append(timed(argv, cwd))
    return times, peaks


def hostile_inputs(directory):
    os.makedirs(directory, exist_ok=True)
    bomb = "name: bomb\na: &a [" + ",".join(['"lol"'] * 9) + "]\n"
    prev = "a"
    for c in "bcdefghi":
        bomb += f"{c}: &{c} [" + ",".join([f"*{prev}"] * 9) + "]\n"
        prev = c
    files = {
        "alias-bomb.yml": bomb,
        "deep-nesting.yml": "[" * 100_000,
        "deep-mapping.yml": "{a: " * 100_000,
    }
    for name, text in files.items():
        with open(os.path.join(directory, name), "w") as f:
            f.write(text)
    with open(os.path.join(directory, "huge.yml"), "wb") as f:
        f.truncate(100 << 20)
    with open(os.path.join(directory, "invalid-utf8.yml"), "wb") as f:
        f.write(b"name: x\nsteps:\n  a: { run: \"echo \xff\" }\n" * 1000)
    return sorted(list(files) + ["huge.yml", "invalid-utf8.yml"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--width", type=int, default=100)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--no-build", action="store_true", help="use the existing .build/release/flow")
    args = parser.parse_args()

    ensure("ninja", "ninja-build")
    ensure("time", "time")
    flow, _ = release_flow(build=not args.no_build)
    work = os.path.join(ROOT, "bench/results/work")
    shutil.rmtree(work, ignore_errors=True)
    subprocess.run([sys.executable, os.path.join(ROOT, "bench/generate.py"), str(args.steps), str(args.width), work], check=True)

    rows = [
        ("flow validate", [flow, "validate", "--steps-dir", "/nonexistent", "pipeline.yml"], 0),
        ("make -n", ["make", "-n", "-f", "Makefile", "all"], 0),
        ("ninja -n", ["ninja", "-n", "-f", "build.ninja"], 0),
    ]
    print(f"validation of a {args.steps}-step layered DAG ({args.width} per layer, 2 needs each, expressions in every step); "
          f"median of {args.runs} runs, whole process")
    print(f"{'command':<16} {'median ms':>10} {'peak RSS MiB':>13}")
    results = {}
    for name, argv, expect in rows:
        median, peak = measure(lambda: argv, work, args.runs, expect)
        results[name] = median
        print(f"{name:<16} {median * 1000:>10.1f} {peak:>13.1f}")
    print(f"flow/ninja ratio: {results['flow validate'] / results['ninja -n']:.2f}   flow/make ratio: {results['flow validate'] / results['make -n']:.2f}")

    print("\nhostile inputs, each rejected with exit 2 (flow validate FILE)")
    print(f"{'input':<20} {'median ms':>10} {'peak RSS MiB':>13}")
    hostile = os.path.join(work, "hostile")
    for name in hostile_inputs(hostile):
        median, peak = measure(lambda: [flow, "validate", "--steps-dir", "/nonexistent", name], hostile, args.runs, 2)
        print(f"{name:<20} {median * 1000:>10.1f} {peak:>13.1f}")


if __name__ == "__main__":
    main()
