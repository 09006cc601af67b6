#!/usr/bin/env python3
"""Benchmark: the second run of an unchanged, fully memoized 200-step pipeline (`cache:` on
every step), side by side with ninja's (and GNU make's) no-op rebuild of the same graph.

The graph: 20 layers of 10 steps; every step after the first layer needs two steps of the
layer above. Step N copies its own input `src/N.txt` to `out/N.txt`:

  flow   run: cp src/N.txt out/N.txt
         cache: { key: [{ files: src/N.txt }], paths: [out/N.txt] }      (needs: its two parents)
  ninja  build out/N.txt: cp src/N.txt | out/<parent 1>.txt out/<parent 2>.txt
  make   out/N.txt: src/N.txt out/<parent 1>.txt out/<parent 2>.txt ; cp $< $@

Each tool runs the graph once, untimed, so every step has run and recorded what it needs (flow
its cache entries, ninja its .ninja_log, make its output files). Then each tool runs again,
--runs times, interleaved (flow, ninja, make, flow, ...), nothing changed in between: flow
opens its state, validates and plans the pipeline, records a new run, and for every step
computes its key (its definition and its input file by content), finds the earlier success,
checks its saved output against the workspace (size and modification time) and records the
step `succeeded (cached from RUN)`; ninja reads build.ninja and .ninja_log and stats every
input and output; make stats them. Every timed run must exit 0; after timing, the newest flow
run must have all 200 steps succeeded and cached, ninja -n must have no work to do, and make
-q must say everything is up to date.

Printed: per tool the median whole-process wall time, the interquartile range and min–max, and
flow/ninja, flow/make from the medians and per round; and, in the same rounds, `flow --version`
(flow's start-up alone) and `flow validate` of the same file (start-up, reading, validating and
planning), which say where flow's time goes.
Run from the repository root:  python3 bench/cache.py   (see bench/README.md)
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from validate import ROOT, ensure, release_flow, spread, timed  # noqa: E402


def graph(layers=20, width=10):
    steps = []
    for layer in range(layers):
        for i in range(width):
            needs = [f"s{layer - 1}-{i}", f"s{layer - 1}-{(i + 1) % width}"] if layer else []
            steps.append((f"s{layer}-{i}", needs))
    return steps


def write(directory, steps):
    os.makedirs(os.path.join(directory, "pipelines"))
    os.makedirs(os.path.join(directory, "src"))
    os.makedirs(os.path.join(directory, "out"))
    for step, _ in steps:
        with open(os.path.join(directory, "src", step + ".txt"), "w") as f:
            f.write(f"input of {step}\n")
    with open(os.path.join(directory, "pipelines", "memo.yml"), "w") as f:
        f.write("name: memo\nmax-parallel: 2\nsteps:\n")
        for step, needs in steps:
            f.write(f"  {step}:\n")
            if needs:
                f.write(f"    needs: [{', '.join(needs)}]\n")
            f.write(f"    run: cp src/{step}.txt out/{step}.txt\n")
            f.write(f"    cache: {{ key: [{{ files: src/{step}.txt }}], paths: [out/{step}.txt] }}\n")
    with open(os.path.join(directory, "build.ninja"), "w") as f:
        f.write("rule cp\n  command = cp $in $out\n")
        for step, needs in steps:
            implicit = " | " + " ".join(f"out/{n}.txt" for n in needs) if needs else ""
            f.write(f"build out/{step}.txt: cp src/{step}.txt{implicit}\n")
    with open(os.path.join(directory, "Makefile"), "w") as f:
        f.write("all: " + " ".join(f"out/{s}.txt" for s, _ in steps) + "\n")
        for step, needs in steps:
            f.write(f"out/{step}.txt: src/{step}.txt {' '.join(f'out/{n}.txt' for n in needs)}\n\tcp $< $@\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    ensure("ninja", "ninja-build")
    flow, version = release_flow(build=not args.no_build)
    steps = graph()
    directory = os.path.join(ROOT, "bench/results/cache")
    shutil.rmtree(directory, ignore_errors=True)
    write(directory, steps)

    tools = {
        "flow run": [flow, "run", "pipelines/memo.yml"],
        "ninja": ["ninja", "-j2"],
        "make": ["make", "-j2"],
    }
    # The first runs, untimed: flow saves 200 successes, ninja writes .ninja_log. make's and
    # ninja's outputs are the same files flow writes, so each first run starts from none.
    shutil.rmtree(os.path.join(directory, "out"))
    os.makedirs(os.path.join(directory, "out"))
    timed(tools["flow run"], directory)
    first = json.loads(subprocess.run([flow, "status", "--json"], cwd=directory, capture_output=True, text=True, check=True).stdout)
    if sum(1 for s in first["steps"] if s["status"] == "succeeded" and s["cachedFrom"] is None) != len(steps):
        sys.exit("flow's first run did not run every step")
    shutil.rmtree(os.path.join(directory, "out"))
    os.makedirs(os.path.join(directory, "out"))
    timed(tools["ninja"], directory)
    # flow's saved outputs are what ninja made now (same content, other times): one flow run
    # puts flow's copies back (the quick check sees other times), then all three are no-ops.
    timed(tools["flow run"], directory)
    if subprocess.run(["make", "-q"], cwd=directory).returncode != 0:
        # make compares times: the files flow put back are newer than their sources, so make is
        # up to date unless something is off.
        sys.exit("make -q: not up to date after the first runs")

    # Where flow's time goes, in the same rounds: its start-up alone, and start-up plus reading,
    # validating and planning the same file (no state).
    parts = {"flow --version": [flow, "--version"], "flow validate": [flow, "validate", "pipelines/memo.yml"]}
    times = {name: [] for name in list(tools) + list(parts)}
    for _ in range(args.runs):
        for name, argv in list(tools.items()) + list(parts.items()):
            times[name].append(timed(argv, directory))

    last = json.loads(subprocess.run([flow, "status", "--json"], cwd=directory, capture_output=True, text=True, check=True).stdout)
    cached = sum(1 for s in last["steps"] if s["status"] == "succeeded" and s["cachedFrom"])
    if last["status"] != "succeeded" or cached != len(steps):
        sys.exit(f"flow's last run: {last['status']}, {cached} of {len(steps)} steps cached")
    dry = subprocess.run(["ninja", "-n"], cwd=directory, capture_output=True, text=True).stdout
    if "no work to do" not in dry:
        sys.exit(f"ninja -n has work to do: {dry}")
    if subprocess.run(["make", "-q"], cwd=directory).returncode != 0:
        sys.exit("make -q: not up to date")

    print(f"{version}; {os.cpu_count()} cores; load {open('/proc/loadavg').read().split()[0]}")
    print(f"second run of an unchanged 200-step pipeline, every step memoized ({args.runs} interleaved rounds, whole process)")
    print(f"{'command':<15} {'median ms':>10} {'IQR ms':>16} {'min-max ms':>16}")
    for name, values in times.items():
        median, q1, q3, low, high = spread(values)
        print(f"{name:<15} {median * 1000:>10.1f} {q1 * 1000:>7.1f}-{q3 * 1000:<8.1f} {low * 1000:>7.1f}-{high * 1000:<8.1f}")
    for other in ("ninja", "make"):
        ratios = [f / o for f, o in zip(times["flow run"], times[other])]
        median, q1, q3, low, high = spread(ratios)
        print(f"flow/{other}: {statistics.median(times['flow run']) / statistics.median(times[other]):.2f} from the medians; "
              f"per round median {median:.2f} (IQR {q1:.2f}-{q3:.2f})")
    print(f"checked: flow's last run {cached}/{len(steps)} steps cached; ninja: no work to do; make -q: up to date")


if __name__ == "__main__":
    main()
