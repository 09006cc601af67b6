#!/usr/bin/env python3
"""Benchmark: flow's engine overhead (`flow run`, `flow resume`), side by side with GNU make -j2
and ninja -j2 running the same DAGs of steps that do nothing, so what is measured is the cost
per step.

  W0  one step, a fresh state dir each run: start-up (and, in the same rounds, `flow --version`)
  W1  1,000 independent steps
  W2  50 layers x 20 steps, every step after the first layer needs two steps of the layer above
  W3  a chain of 200 steps
  W4  resume: the W3 chain after a first run in which step 150 failed; timed is the second
      run, which reruns steps 150-200 (51): `flow resume --last` against make's and ninja's
      incremental rebuild (stamp files; ninja with the .ninja_log of the failed build)

The headline rows (W0-W3) run each step the way each tool runs a command: flow's step is
`run: "true"`, one simple command, which flow starts directly (no bash); make execs `true`
directly; ninja runs `/bin/sh -c true`. The second rows give make and ninja
`bash --noprofile --norc -eo pipefail -c true`, what flow runs for a script that needs a shell.
W4 runs `bash ... step.sh` ("bash" rows) and a dash script ("sh" rows) for make and ninja;
flow's failing step is `test -e marker`, which runs in bash. flow gets `max-parallel: 2`,
make and ninja `-j2`.

W0-W3 run in interleaved rounds: one untimed warm-up round (under GNU time, for the peak RSS:
`ru_maxrss`, reaped children included), then --runs rounds, each command once per round in
turn; the table gives the median whole-process wall time with its interquartile range, and the
ratios flow/ninja and flow/make are taken within each round (their median and IQR). W4 runs
each command --runs times in a block. Every run starts from the same state, prepared outside
the timed region: W0-W3 from nothing (a fresh --state-dir for flow, no .ninja_log for ninja,
.PHONY targets for make); W4 from a copy of the state the failed first run left (flow's state
dir; make's and ninja's folder with its stamp files and .ninja_log). Every run must exit 0;
before timing, make and `ninja -v` must print one command per step to run; after it,
`flow status --json` must show every step of the last run succeeded (for W4, with exactly the 51
rerun steps attempted again).
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
import time

sys.dont_write_bytecode = True  # no bench/__pycache__ from the import below
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from validate import ROOT, FreshStateRun, ensure, interleaved, measure, release_flow, spread  # noqa: E402

BASH = "bash --noprofile --norc -eo pipefail"
TARGET = 1.3  # flow/ninja per round on W1-W3, headline rows (issue 17)
MAKE_TARGET = 1.5  # flow/make per round on W1-W3, headline rows
W0_TARGET = 15  # ms: a one-step run with a fresh state dir
VERSION_TARGET = 5  # ms: flow --version
FAILS_AT = 149  # W4: the index of the step that fails in the first run (step 150 of 200)

# W4's command for make and ninja: the step fails for the failing step until ./marker exists,
# and records its success the way make and ninja read it, as a stamp file named after the target.
STEP_SCRIPT = f"""if [ "$1" = s{FAILS_AT} ] && [ ! -e marker ]; then exit 1; fi
: > "$1"
"""


def workloads():
    """name -> (description, [(step, [needs])])."""
    w0 = [("s0", [])]
    w1 = [(f"s{i}", []) for i in range(1000)]
    w2 = []
    for layer in range(50):
        for i in range(20):
            needs = [f"s{layer - 1}-{i}", f"s{layer - 1}-{(i + 1) % 20}"] if layer else []
            w2.append((f"s{layer}-{i}", needs))
    w3 = [(f"s{i}", [f"s{i - 1}"] if i else []) for i in range(200)]
    return {
        "W0": ("one step (start-up, fresh state)", w0),
        "W1": ("1,000 independent steps", w1),
        "W2": ("50 layers x 20 steps, 2 needs each", w2),
        "W3": ("a 200-step chain", w3),
        "W4": (f"resume of the 200-step chain after step {FAILS_AT + 1} failed", w3),
    }


def write_pipeline(directory, name, steps, failing=None):
    """pipeline.yml for flow: every step `run: "true"`; `failing` runs `test -e marker` instead."""
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "pipeline.yml"), "w") as f:
        f.write(f"name: engine-{name}\nmax-parallel: 2\nsteps:\n")
        for step, needs in steps:
            run = "test -e marker" if step == failing else '"true"'
            f.write(f"  {step}:\n" + (f"    needs: [{', '.join(needs)}]\n" if needs else "") + f"    run: {run}\n")


def write_makefile(path, steps, command, phony):
    with open(path, "w") as f:
        targets = " ".join(s for s, _ in steps)
        f.write(f".PHONY: all{' ' + targets if phony else ''}\nall: {targets}\n")
        for step, needs in steps:
            f.write(f"{step}: {' '.join(needs)}\n\t{command}\n")


def write_ninja(path, steps, command):
    with open(path, "w") as f:
        f.write(f"rule step\n  command = {command}\n")
        for step, needs in steps:
            f.write(f"build {step}: step{' | ' + ' '.join(needs) if needs else ''}\n")
        f.write(f"default {' '.join(s for s, _ in steps)}\n")


def count_commands(argv, cwd, command):
    """How many times `argv` runs a command starting with `command` (make echoes each recipe
    line, `ninja -v` each command). It must succeed."""
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(argv)} in {cwd} exited {result.returncode}:\n{result.stderr}")
    return sum(re.sub(r"^\[\d+/\d+\] ", "", line).startswith(command) for line in result.stdout.splitlines())


def flow_status(flow, cwd, state):
    out = subprocess.run([flow, "status", "--json", "--state-dir", state], cwd=cwd, capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def check_flow(flow, cwd, state, steps, attempts=None):
    """Every step of the newest run in `state` succeeded, having taken `attempts` attempts in all when given."""
    run = flow_status(flow, cwd, state)
    ok = [s for s in run["steps"] if s["status"] == "succeeded"]
    if run["status"] != "succeeded" or len(ok) != len(steps) or len(run["steps"]) != len(steps):
        sys.exit(f"flow status: run {run['status']}, {len(ok)} of {len(steps)} steps succeeded")
    total = sum(s["attempts"] for s in run["steps"])
    if attempts is not None and total != attempts:
        sys.exit(f"flow status: {total} attempts in all, expected {attempts}")


def restoring(directory, argv):
    """A `prepare` for measure(): puts `directory` back as its snapshot `directory.pristine` left
    it (file times kept, which make and ninja compare) and flushes it to disk, then returns argv."""
    def prepare():
        shutil.rmtree(directory, ignore_errors=True)
        shutil.copytree(directory + ".pristine", directory, symlinks=True)
        os.sync()
        return argv
    return prepare


def fresh(flow, d, name, steps):
    """W1-W3: every run starts from nothing. Returns (steps run per run, rows, check after timing)."""
    write_pipeline(d, name, steps)
    for suffix, command in (("bash", f"{BASH} -c true"), ("true", "true")):
        write_makefile(os.path.join(d, f"Makefile.{suffix}"), steps, command, phony=True)
        # The outputs are never created, so ninja runs every edge on every run.
        write_ninja(os.path.join(d, f"build.{suffix}.ninja"), steps, command)
        # Outside the timing: each tool runs every step exactly once.
        for argv in (["make", "-j2", "-f", f"Makefile.{suffix}", "all"], ["ninja", "-v", "-j2", "-f", f"build.{suffix}.ninja"]):
            ran = count_commands(argv, d, command)
            if ran != len(steps):
                sys.exit(f"{' '.join(argv)} ran {ran} commands, expected {len(steps)}")

    # Each run gets a fresh state dir, made (and the previous one removed) outside the timing.
    flow_run = FreshStateRun(flow, "pipeline.yml", d)

    def ninja(suffix):
        def argv():
            for log in (".ninja_log", ".ninja_deps"):
                if os.path.exists(os.path.join(d, log)):
                    os.remove(os.path.join(d, log))
            return ["ninja", "-j2", "-f", f"build.{suffix}.ninja"]
        return argv

    rows = [
        ("flow run", flow_run, d),
        ("make -j2", lambda: ["make", "-j2", "-f", "Makefile.true", "all"], d),
        ("ninja -j2", ninja("true"), d),
        ("make -j2 (bash)", lambda: ["make", "-j2", "-f", "Makefile.bash", "all"], d),
        ("ninja -j2 (bash)", ninja("bash"), d),
    ]
    if name == "W0":
        rows.append(("flow --version", lambda: [flow, "--version"], d))

    def check():
        check_flow(flow, d, flow_run.last, steps)
        flow_run.remove()
    return len(steps), rows, check


def resume(flow, d, name, steps):
    """W4: the chain's first run fails at step FAILS_AT (no ./marker yet), once per tool, outside
    the timing; then the marker is created and each tool's state is kept as a snapshot. Every
    timed run starts from a copy of that snapshot and reruns the steps from FAILS_AT on.
    Returns (steps rerun per run, rows, check after timing)."""
    failing = steps[FAILS_AT][0]
    rerun = len(steps) - FAILS_AT
    write_pipeline(d, name, steps, failing=failing)
    state = os.path.join(d, "state")
    first = subprocess.run([flow, "run", "pipeline.yml", "--state-dir", state], cwd=d, capture_output=True)
    run = flow_status(flow, d, state)
    statuses = [s["status"] for s in run["steps"]]
    if first.returncode != 1 or statuses != ["succeeded"] * FAILS_AT + ["failed"] + ["skipped"] * (rerun - 1):
        sys.exit(f"flow's first W4 run exited {first.returncode} with step statuses {sorted(set(statuses))}, expected 1 and "
                 f"{FAILS_AT} succeeded, {failing} failed, the rest skipped")
    shutil.copytree(state, state + ".pristine", symlinks=True)

    tools = {}  # (tool, variant) -> (folder, timed argv, its command prefix, exit status of the failed run)
    for variant, shell in (("bash", BASH), ("sh", "sh")):
        make_dir, ninja_dir = os.path.join(d, f"make-{variant}"), os.path.join(d, f"ninja-{variant}")
        os.makedirs(make_dir)
        os.makedirs(ninja_dir)
        write_makefile(os.path.join(make_dir, "Makefile"), steps, f"{shell} step.sh $@", phony=False)
        write_ninja(os.path.join(ninja_dir, "build.ninja"), steps, f"{shell} step.sh $out")
        tools[("make", variant)] = (make_dir, ["make", "-j2", "all"], f"{shell} step.sh ", 2)
        tools[("ninja", variant)] = (ninja_dir, ["ninja", "-j2"], f"{shell} step.sh ", 1)

    for (tool, variant), (folder, argv, _, fails) in tools.items():
        with open(os.path.join(folder, "step.sh"), "w") as f:
            f.write(STEP_SCRIPT)
        code = subprocess.run(argv, cwd=folder, capture_output=True).returncode
        stamps = {f for f in os.listdir(folder) if re.fullmatch(r"s\d+", f)}
        if code != fails or stamps != {s for s, _ in steps[:FAILS_AT]}:
            sys.exit(f"{tool} ({variant}) first W4 run exited {code} leaving {len(stamps)} stamps; expected {fails} "
                     f"and the stamps of the {FAILS_AT} steps before {failing}")

    # Between the failed run and the resume: the failing step can now succeed.
    open(os.path.join(d, "marker"), "w").close()
    for folder, argv, command, _ in tools.values():
        open(os.path.join(folder, "marker"), "w").close()
        shutil.copytree(folder, folder + ".pristine", symlinks=True)
        # Outside the timing: from the snapshot, each tool reruns exactly the steps that did not
        # succeed (make echoes each command it runs, ninja with -v).
        verbose = argv + ["-v"] if argv[0] == "ninja" else argv
        ran = count_commands(restoring(folder, verbose)(), folder, command)
        if ran != rerun:
            sys.exit(f"{' '.join(verbose)} in a copy of {folder}.pristine ran {ran} commands, expected {rerun}")

    def tool(name, variant):
        folder, argv, _, _ = tools[(name, variant)]
        return restoring(folder, argv), folder

    rows = [
        ("flow resume --last", restoring(state, [flow, "resume", "--last", "--state-dir", state]), d),
        ("make -j2 (bash)", *tool("make", "bash")),
        ("ninja -j2 (bash)", *tool("ninja", "bash")),
        ("make -j2 (sh)", *tool("make", "sh")),
        ("ninja -j2 (sh)", *tool("ninja", "sh")),
    ]
    # After the timing: the run succeeded, with one attempt more than steps (step FAILS_AT's first).
    return rerun, rows, lambda: check_flow(flow, d, state, steps, attempts=len(steps) + 1)


def scale(flow, version, work, sizes):
    """Issue 17's flatness and memory figures: W1's shape (independent `run: "true"` steps,
    max-parallel 2) at each size, flow alone, one run each from a fresh state dir, under GNU time.
    Per step: wall time / steps; per planned step: (peak RSS - the smallest run's) / (steps - its steps)."""
    print(f"flow {version} (release build), {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"{os.cpu_count()} cores, load {open('/proc/loadavg').read().split()[0]}")
    print(f"{'steps':>7} {'wall s':>8} {'per step µs':>12} {'peak RSS MiB':>13} {'RSS per step KiB':>17}")
    rows = []
    for n in sorted(sizes):
        d = os.path.join(work, f"scale-{n}")
        write_pipeline(d, f"scale{n}", [(f"s{i}", []) for i in range(n)])
        flow_run = FreshStateRun(flow, "pipeline.yml", d)
        report = os.path.join(d, "rss")
        argv = [shutil.which("time"), "-f", "%M", "-o", report] + flow_run()
        start = time.perf_counter()
        subprocess.run(argv, cwd=d, stdout=subprocess.DEVNULL, check=True)
        wall = time.perf_counter() - start
        check_flow(flow, d, flow_run.last, [None] * n)
        flow_run.remove()
        with open(report) as f:
            peak = int(f.read().split()[-1]) / 1024
        rows.append((n, wall, peak))
        base_n, _, base_peak = rows[0]
        per_planned = (peak - base_peak) * 1024 / (n - base_n) if n > base_n else float("nan")
        print(f"{n:>7} {wall:>8.2f} {wall / n * 1e6:>12.0f} {peak:>13.1f} {per_planned:>17.2f}")
    first, last = rows[0], rows[-1]
    growth = (last[1] / last[0]) / (first[1] / first[0]) - 1
    print(f"cost per step from {first[0]} to {last[0]} steps: {growth * 100:+.0f}% (target within 10%)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", choices=list(workloads()), action="append", help="run only this workload (repeatable)")
    parser.add_argument("--no-build", action="store_true", help="use the existing .build/release/flow")
    parser.add_argument("--scale", type=int, nargs="*", metavar="STEPS",
                        help="instead: flow alone on W1's shape at these sizes (default 1000 10000 50000), one run each: "
                             "cost per step and peak RSS per planned step")
    args = parser.parse_args()

    ensure("ninja", "ninja-build")
    ensure("time", "time")  # GNU time, for the peak RSS
    flow, version = release_flow(build=not args.no_build)
    work = os.path.join(ROOT, "bench/results/engine")
    shutil.rmtree(work, ignore_errors=True)
    if args.scale is not None:
        return scale(flow, version, work, args.scale or [1000, 10_000, 50_000])

    print(f"flow {version} (release build), {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"{os.cpu_count()} cores, load {open('/proc/loadavg').read().split()[0]}")
    print(f"W0-W3: {args.runs} interleaved rounds after 1 warm-up (each command once per round, in turn), whole process;")
    print("  headline rows run each step as the tool runs a command: flow `run: \"true\"` (one simple command, started")
    print(f"  directly), make `true` (exec'd directly), ninja `true` (through /bin/sh -c); second rows run `{BASH} -c true`")
    print(f"W4: median of {args.runs} runs after 1 warm-up, each command in a block")
    verdicts = []
    for name, (description, steps) in workloads().items():
        if args.only and name not in args.only:
            continue
        d = os.path.join(work, name)
        if name == "W4":
            n, rows, check = resume(flow, d, name, steps)
            print(f"\n{name}: {description} ({n} of {len(steps)} steps rerun, `true` each)")
            print(f"{'command':<20} {'median ms':>10} {'peak RSS MiB':>13} {'per step µs':>12}")
            results = {}
            for label, prepare, cwd in rows:
                median, peak = measure(prepare, cwd, args.runs)
                results[label] = median
                print(f"{label:<20} {median * 1000:>10.1f} {peak:>13.1f} {median / n * 1e6:>12.0f}")
            check()
            print(f"flow/ninja: {results[rows[0][0]] / results['ninja -j2 (bash)']:.2f}   "
                  f"flow/make: {results[rows[0][0]] / results['make -j2 (bash)']:.2f}   (against the bash rows)")
            continue
        n, rows, check = fresh(flow, d, name, steps)
        times, peaks = interleaved(rows, args.runs)
        check()
        print(f"\n{name}: {description} ({n} step{'s' if n != 1 else ''})")
        print(f"{'command':<20} {'median ms':>10} {'IQR ms':>17} {'peak RSS MiB':>13} {'per step µs':>12}")
        for label, values in times.items():
            median, q1, q3, _, _ = spread(values)
            print(f"{label:<20} {median * 1000:>10.1f} {q1 * 1000:>8.1f}-{q3 * 1000:<8.1f} {peaks[label]:>13.1f} "
                  f"{median / n * 1e6:>12.0f}")
        for other, target in (("ninja -j2", TARGET), ("make -j2", MAKE_TARGET)):
            ratios = [f / o for f, o in zip(times["flow run"], times[other])]
            median, q1, q3, _, _ = spread(ratios)
            line = f"flow/{other.split()[0]}: {median:.2f} per round (IQR {q1:.2f}-{q3:.2f})"
            bash = [f / o for f, o in zip(times["flow run"], times[other + " (bash)"])]
            line += f"; against the bash row {statistics.median(bash):.2f}"
            if name != "W0":
                verdict = "met" if median <= target else "MISSED"
                line += f"; target <= {target}: {verdict}"
                verdicts.append(f"{name} flow/{other.split()[0]} {median:.2f} ({verdict})")
            print(line)
        if name == "W0":
            for label, target in (("flow run", W0_TARGET), ("flow --version", VERSION_TARGET)):
                median = statistics.median(times[label]) * 1000
                verdict = "met" if median <= target else "MISSED"
                print(f"{label}: {median:.1f} ms; target <= {target} ms: {verdict}")
                verdicts.append(f"{label} (W0) {median:.1f} ms ({verdict})")

    if verdicts:
        print("\ntargets: " + "; ".join(verdicts))

if __name__ == "__main__":
    main()
