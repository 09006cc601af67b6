#!/usr/bin/env python3
"""Benchmark: `flow run` of one step that floods its output, for the engine's peak memory.

  lines  2 GiB in 1 KiB lines (`cat` of a 1 MiB file of 1,024-byte lines, 2,048 times)
  line   one 100 MiB line without a newline (`head -c 100M /dev/zero | tr '\\0' a`)

The step's output goes through flow's pipe reader, secret masker and log writer into the
attempt's log. The peak RSS is GNU time's %M of the `flow` process (wait4's ru_maxrss, which
includes flow's reaped children: bash, cat, head and tr, each a few MiB); the issue's target is
< 64 MiB whatever the volume. The throughput is the volume over the median whole-process wall
time. The "baseline" row runs the same script with bash, its output through a pipe into
`cat > file`: the same path flow's bytes take (flow does not fsync logs), minus flow.

After the timing, the script checks that the last run succeeded and that the log holds every
byte (the step has no `log-limit`; with one the log would keep its head and tail).
Exits 1 when flow's peak RSS misses the target.
Run from the repository root:  python3 bench/flood.py   (see bench/README.md)
"""
import argparse
import datetime
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no bench/__pycache__ from the imports below
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from engine import BASH, flow_status  # noqa: E402
from validate import ROOT, FreshStateRun, ensure, measure, release_flow  # noqa: E402

TARGET_MIB = 64  # peak RSS of flow, from the issue
MIB = 1 << 20

# name -> (description, script, bytes printed)
FLOODS = {
    "lines": ("2 GiB in 1 KiB lines", "cat $(printf 'lines.txt %.0s' $(seq 2048))\n", 2048 * MIB),
    "line": ("one 100 MiB line, no newline", "head -c 100M /dev/zero | tr '\\0' a\n", 100 * MIB),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=list(FLOODS), action="append", help="run only this flood (repeatable)")
    parser.add_argument("--no-build", action="store_true", help="use the existing .build/release/flow")
    args = parser.parse_args()

    ensure("time", "time")  # GNU time, for the peak RSS
    flow, version = release_flow(build=not args.no_build)
    work = os.path.join(ROOT, "bench/results/flood")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    # 1,024 lines of 1,023 digits and a newline: exactly 1 MiB, made once outside the timing.
    with open(os.path.join(work, "lines.txt"), "w") as f:
        f.writelines(f"{i:01023d}\n" for i in range(1024))

    print(f"flow {version} (release build), {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"{os.cpu_count()} cores; median of {args.runs} runs after 1 warm-up (whose peak RSS is shown), whole process")
    print(f"{'flood':<7} {'command':<10} {'median s':>9} {'MB/s':>7} {'peak RSS MiB':>13} {'log MiB':>8}")
    verdicts, missed = [], False
    for name, (description, script, size) in FLOODS.items():
        if args.only and name not in args.only:
            continue
        with open(os.path.join(work, f"{name}.sh"), "w") as f:
            f.write(script)
        with open(os.path.join(work, f"{name}.yml"), "w") as f:
            f.write(f"name: flood-{name}\nsteps:\n  flood:\n    run: |\n      {script}")

        # Each run gets a fresh state dir, made (and the previous one, with its log, removed) outside the timing.
        flow_run = FreshStateRun(flow, f"{name}.yml", work)

        def baseline():
            return ["bash", "-c", f'{BASH} {name}.sh | cat > baseline.log']

        rows = [("flow run", flow_run), ("baseline", baseline)]
        peaks = {}
        for label, prepare in rows:
            median, peak = measure(prepare, work, args.runs)
            if label == "flow run":
                run = flow_status(flow, work, flow_run.last)
                log = os.path.join(flow_run.last, run["id"], "flood", "attempt-1.log")
                logged = os.path.getsize(log)
                if run["status"] != "succeeded" or logged != size:
                    sys.exit(f"flow run {name}: run {run['status']}, log {logged} bytes, expected succeeded and {size}")
                flow_run.remove()
            else:
                logged = os.path.getsize(os.path.join(work, "baseline.log"))
                os.remove(os.path.join(work, "baseline.log"))
            peaks[label] = peak
            print(f"{name:<7} {label:<10} {median:>9.2f} {size / median / 1e6:>7.0f} {peak:>13.1f} {logged / MIB:>8.1f}")
        peak = peaks["flow run"]
        verdict = "met" if peak < TARGET_MIB else f"MISSED by {peak - TARGET_MIB:.1f} MiB"
        missed = missed or peak >= TARGET_MIB
        verdicts.append(f"{name} ({description}) {peak:.1f} MiB, {verdict}")

    print(f"\ntarget: flow's peak RSS < {TARGET_MIB} MiB: " + "; ".join(verdicts))
    sys.exit(1 if missed else 0)  # memory, unlike time, does not depend on the load: a miss fails


if __name__ == "__main__":
    main()
