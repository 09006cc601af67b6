#!/usr/bin/env python3
"""Benchmark: flow's engine overhead (`flow run`), side by side with GNU make -j2 and ninja -j2
running the same DAGs of steps that do nothing, so what is measured is the cost per step.

  W1  1,000 independent steps
  W2  50 layers x 20 steps, every step after the first layer needs two steps of the layer above
  W3  a chain of 200 steps

flow runs every `run:` step as `bash --noprofile --norc -eo pipefail SCRIPT`, so the make and
ninja rows marked "bash" run `bash --noprofile --norc -eo pipefail -c true` per step (ninja
through `/bin/sh -c`, so one more process); the rows marked "true" run plain `true` and show
what the shell costs. flow gets `max-parallel: 2`, make and ninja `-j2`.

Each command runs once to warm up, then --runs times; the table gives the median
whole-process wall time, the peak RSS of the warm-up run (GNU time's %M: `ru_maxrss`, reaped
children included) and the median divided by the number of steps. Every run starts clean,
prepared outside the timed region: a fresh --state-dir for flow (empty database), no
.ninja_log for ninja, .PHONY targets for make. Every run must exit 0; before timing, make
and `ninja -v` must print one command per step; after it, `flow status --json` must show
every step of the last run succeeded.
Run from the repository root:  python3 bench/engine.py   (see bench/README.md)
"""
import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no bench/__pycache__ from the import below
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from validate import ROOT, ensure, measure  # noqa: E402

BASH = "bash --noprofile --norc -eo pipefail -c true"
TARGET = 1.3  # flow/ninja (bash rows) on W1 and W2, from the issue


def workloads():
    """name -> (description, [(step, [needs])])."""
    w1 = [(f"s{i}", []) for i in range(1000)]
    w2 = []
    for layer in range(50):
        for i in range(20):
            needs = [f"s{layer - 1}-{i}", f"s{layer - 1}-{(i + 1) % 20}"] if layer else []
            w2.append((f"s{layer}-{i}", needs))
    w3 = [(f"s{i}", [f"s{i - 1}"] if i else []) for i in range(200)]
    return {
        "W1": ("1,000 independent steps", w1),
        "W2": ("50 layers x 20 steps, 2 needs each", w2),
        "W3": ("a 200-step chain", w3),
    }


def write(directory, name, steps):
    """pipeline.yml for flow; Makefile and build.ninja twice each: bash command and plain `true`."""
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "pipeline.yml"), "w") as f:
        f.write(f"name: engine-{name}\nmax-parallel: 2\nsteps:\n")
        for step, needs in steps:
            f.write(f"  {step}:\n" + (f"    needs: [{', '.join(needs)}]\n" if needs else "") + '    run: "true"\n')
    for suffix, command in (("bash", BASH), ("true", "true")):
        with open(os.path.join(directory, f"Makefile.{suffix}"), "w") as f:
            f.write(f".PHONY: all {' '.join(s for s, _ in steps)}\nall: {' '.join(s for s, _ in steps)}\n")
            for step, needs in steps:
                f.write(f"{step}: {' '.join(needs)}\n\t{command}\n")
        with open(os.path.join(directory, f"build.{suffix}.ninja"), "w") as f:
            # The outputs are never created, so ninja runs every edge on every run.
            f.write(f"rule step\n  command = {command}\n")
            for step, needs in steps:
                f.write(f"build {step}: step{' | ' + ' '.join(needs) if needs else ''}\n")
            f.write(f"default {' '.join(s for s, _ in steps)}\n")


def count_commands(argv, cwd, command):
    """How many times `argv` runs `command` (make echoes each recipe line, `ninja -v` each command)."""
    out = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=True).stdout
    return sum(re.sub(r"^\[\d+/\d+\] ", "", line) == command for line in out.splitlines())


def check_flow(flow, cwd, state, steps):
    """Every step of the run recorded in `state` succeeded."""
    out = subprocess.run([flow, "status", "--json", "--state-dir", state], cwd=cwd,
                         capture_output=True, text=True, check=True).stdout
    run = json.loads(out)
    ok = [s for s in run["steps"] if s["status"] == "succeeded"]
    if run["status"] != "succeeded" or len(ok) != len(steps) or len(run["steps"]) != len(steps):
        sys.exit(f"flow status: run {run['status']}, {len(ok)} of {len(steps)} steps succeeded")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", choices=["W1", "W2", "W3"], action="append", help="run only this workload (repeatable)")
    parser.add_argument("--no-build", action="store_true", help="use the existing .build/release/flow")
    args = parser.parse_args()

    ensure("ninja", "ninja-build")
    ensure("time", "time")  # GNU time, for the peak RSS
    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "flow"], cwd=ROOT, check=True)
    flow = os.path.join(ROOT, ".build/release/flow")
    version = subprocess.run([flow, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    work = os.path.join(ROOT, "bench/results/engine")
    shutil.rmtree(work, ignore_errors=True)

    print(f"flow {version} (release build), {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"{os.cpu_count()} cores; median of {args.runs} runs after 1 warm-up, whole process")
    print(f'"bash" rows run `{BASH}` per step, as flow does; "true" rows run `true`')
    verdicts = []
    for name, (description, steps) in workloads().items():
        if args.only and name not in args.only:
            continue
        d = os.path.join(work, name)
        write(d, name, steps)
        n = len(steps)

        # Each run gets a fresh state dir, made (and the previous one removed) outside the timing.
        states = []

        def flow_run():
            if states:
                shutil.rmtree(states.pop())
            states.append(tempfile.mkdtemp(prefix="state-", dir=d))
            return [flow, "run", "pipeline.yml", "--state-dir", states[-1]]

        def ninja(suffix):
            def argv():
                for log in (".ninja_log", ".ninja_deps"):
                    if os.path.exists(os.path.join(d, log)):
                        os.remove(os.path.join(d, log))
                return ["ninja", "-j2", "-f", f"build.{suffix}.ninja"]
            return argv

        rows = [
            ("flow run", flow_run),
            ("make -j2 (bash)", lambda: ["make", "-j2", "-f", "Makefile.bash", "all"]),
            ("ninja -j2 (bash)", ninja("bash")),
            ("make -j2 (true)", lambda: ["make", "-j2", "-f", "Makefile.true", "all"]),
            ("ninja -j2 (true)", ninja("true")),
        ]

        # Outside the timing: each tool runs every step exactly once.
        for suffix, command in (("bash", BASH), ("true", "true")):
            for argv in (["make", "-j2", "-f", f"Makefile.{suffix}", "all"], ["ninja", "-v", "-j2", "-f", f"build.{suffix}.ninja"]):
                ran = count_commands(argv, d, command)
                if ran != n:
                    sys.exit(f"{' '.join(argv)} ran {ran} commands, expected {n}")

        print(f"\n{name}: {description} ({n} steps, `true` each)")
        print(f"{'command':<18} {'median ms':>10} {'peak RSS MiB':>13} {'per step µs':>12}")
        results = {}
        for label, argv in rows:
            median, peak = measure(argv, d, args.runs)
            results[label] = median
            print(f"{label:<18} {median * 1000:>10.1f} {peak:>13.1f} {median / n * 1e6:>12.0f}")
        check_flow(flow, d, states[-1], steps)
        shutil.rmtree(states.pop())

        ratio = results["flow run"] / results["ninja -j2 (bash)"]
        make_ratio = results["flow run"] / results["make -j2 (bash)"]
        print(f"flow/ninja ratio: {ratio:.2f}   flow/make ratio: {make_ratio:.2f}   (against the bash rows)")
        print(f"flow's extra cost over ninja (bash): {(results['flow run'] - results['ninja -j2 (bash)']) / n * 1e6:.0f} µs per step")
        if name in ("W1", "W2"):
            budget = TARGET * results["ninja -j2 (bash)"] * 1000
            verdict = (f"met ({ratio:.2f})" if ratio <= TARGET else f"MISSED by {ratio - TARGET:.2f} ({ratio:.2f}; "
                       f"flow took {results['flow run'] * 1000:.0f} ms, {results['flow run'] * 1000 - budget:.0f} ms over the {budget:.0f} ms budget)")
            print(f"target flow/ninja <= {TARGET}: {verdict}")
            verdicts.append(f"{name} {verdict.split(' (')[0]} ({ratio:.2f})")

    if verdicts:
        print(f"\ntarget flow/ninja <= {TARGET} (bash rows): " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
