#!/usr/bin/env python3
"""Crash benchmark: a 200-step DAG (max-parallel 4) killed with SIGKILL at random moments and
resumed each time, for --cycles kills (default 200). The long version of the test
`CrashResumeTests.aDAGKilledAtRandomMomentsNeverRerunsASucceededStepAndFinishes`.

Each cycle starts `flow run` (or `flow resume --last` once the run exists), waits a random
--min-delay..--max-delay ms, then kills the way a dying machine would: SIGKILL to flow, then
SIGKILL to every process whose environment carries this benchmark's marker
(`FLOW_CRASH_BENCH=<uuid>`, which flow passes on to its steps; steps run in sessions of their
own, so killing flow alone would leave them running). When a run finishes between kills, a
fresh one starts (new working directory and ledger, same state directory), so any number of
kills can be made; each run ends with a `flow resume --last` that is not killed.

Every step appends `<step> <token> <outputs received>` to a ledger when it starts, sleeps
0-90 ms, then writes `v=<token>` to $FLOW_OUTPUT. After every kill the database is opened
read-only (sqlite3 module) and checked: `PRAGMA integrity_check` is ok; no step that had
succeeded is anything else now, nor appears in the ledger again; a step that executed has a
row saying running or succeeded (the row is committed before the process starts); at most 4
steps are running. At the end of each run: every step succeeded, every execution but a
step's last was in flight at a kill, each step's stored output is its last execution's token,
and each step received its needs' stored outputs byte for byte.

The summary gives cycles, kills (and how many landed with steps running), steps in flight at
kills, repeated executions, integrity checks, and the latency from starting `flow resume` to
its first step executing (p50/p99, over cycles where one executed before the kill).
Exit status 1 if any check failed.

Run from the repository root:  python3 bench/crash.py [--cycles N] [--seed S] [--no-build]
(see bench/README.md). It uses .build/release/flow, built first unless --no-build.
"""
import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_PARALLEL = 4


def dag(rng, independent=20, layers=(24, 22, 22, 22, 22, 22, 22), chains=4, chain_length=6):
    """[(step, [needs])]: independent steps, layers needing 1-3 steps of the two layers above,
    and chains hanging off the layers; 200 steps with the defaults."""
    steps = []

    def add(needs):
        step = f"s{len(steps):03d}"
        steps.append((step, sorted(needs)))
        return step

    for _ in range(independent):
        add([])
    layered = []
    for depth, width in enumerate(layers):
        pool = [s for layer in layered[-2:] for s in layer]
        layered.append([add([]) if depth == 0 else add(rng.sample(pool, rng.randint(1, 3))) for _ in range(width)])
    flat = [s for layer in layered for s in layer]
    for _ in range(chains):
        previous = rng.choice(flat)
        for _ in range(chain_length):
            previous = add([previous])
    return steps


def pipeline_yaml(steps):
    text = f"name: crash\nmax-parallel: {MAX_PARALLEL}\nsteps:\n"
    for step, needs in steps:
        received = ",".join(f"${{{{ steps.{n}.outputs.v }}}}" for n in needs) or "-"
        text += f"  {step}:\n"
        if needs:
            text += f"    needs: [{', '.join(needs)}]\n"
        text += ("    outputs: [v]\n    run: |\n"
                 '      v="$FLOW_STEP.$$.$RANDOM$RANDOM"\n'
                 f'      echo "$FLOW_STEP $v {received}" >> ledger\n'
                 "      sleep 0.0$((RANDOM % 10))\n"
                 '      echo "v=$v" >> "$FLOW_OUTPUT"\n')
    return text


def carriers(entry):
    """Live processes whose environment holds exactly `entry` (zombies have an empty environ)."""
    wanted, found = entry.encode(), []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as f:
                if wanted in f.read().split(b"\0"):
                    found.append(int(name))
        except OSError:
            pass
    return found


def kill_all(entry, limit=5.0):
    """SIGKILL every carrier of `entry` until a scan finds none; returns the survivors."""
    deadline = time.monotonic() + limit
    while True:
        found = carriers(entry)
        if not found or time.monotonic() > deadline:
            return found
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.002)


def snapshot(db_path):
    """(integrity rows, {run id: status}, {step: (status, outputs json)} of the newest run),
    read through a read-only connection; None when there is no database yet."""
    if not os.path.exists(db_path):
        return None
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        integrity = [row[0] for row in con.execute("PRAGMA integrity_check")]
        if not con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'").fetchone():
            return integrity, {}, None, {}
        runs = dict(con.execute("SELECT id, status FROM runs"))
        newest = con.execute("SELECT id FROM runs ORDER BY createdAt DESC, id DESC LIMIT 1").fetchone()
        steps = {}
        if newest:
            steps = {s: (st, out) for s, st, out in con.execute("SELECT stepId, status, outputs FROM steps WHERE runId = ?", newest)}
        return integrity, runs, newest[0] if newest else None, steps
    finally:
        con.close()


def output_v(outputs_json):
    return json.loads(outputs_json or "{}").get("v")


class Run:
    """One run of the DAG from `flow run` to success, with the checks of every cycle."""

    def __init__(self, number, steps, work):
        self.number, self.steps, self.needs = number, steps, dict(steps)
        self.dir = os.path.join(work, f"run-{number}")
        os.makedirs(self.dir)
        with open(os.path.join(self.dir, "crash.yml"), "w") as f:
            f.write(pipeline_yaml(steps))
        self.run_id = None
        self.succeeded = set()
        self.ledger_seen = 0
        self.executions = {}  # step -> [(cycle, token, received)]
        self.running_at_kill = {}  # step -> {cycle}

    def ledger(self):
        path = os.path.join(self.dir, "ledger")
        if not os.path.exists(path):
            return [], True
        with open(path) as f:
            text = f.read()
        return text.splitlines(), text == "" or text.endswith("\n")

    def ledger_size(self):
        try:
            return os.path.getsize(os.path.join(self.dir, "ledger"))
        except OSError:
            return 0

    def observe(self, cycle, killed, snap, problems, known_runs):
        """Checks after a cycle; returns the steps running (at a kill)."""
        where = f"run {self.number}, cycle {cycle}"
        integrity, runs, newest, rows = snap
        if integrity != ["ok"]:
            problems.append(f"{where}: integrity_check said {integrity}")
        new_runs = set(runs) - known_runs
        if len(new_runs) > 1:
            problems.append(f"{where}: {len(new_runs)} new runs, expected at most one")
        if self.run_id is None and new_runs:
            self.run_id = new_runs.pop()
        if self.run_id is not None and newest != self.run_id:
            problems.append(f"{where}: newest run is {newest}, not {self.run_id}")
        if self.run_id is None:
            rows = {}
        now = {s for s, (st, _) in rows.items() if st == "succeeded"}
        running = {s for s, (st, _) in rows.items() if st == "running"}
        if self.succeeded - now:
            problems.append(f"{where}: succeeded steps lost: {sorted(self.succeeded - now)}")
        odd = sorted(f"{s}:{st}" for s, (st, _) in rows.items() if st not in ("pending", "running", "succeeded"))
        if odd:
            problems.append(f"{where}: steps neither pending, running nor succeeded: {odd}")
        if killed and len(running) > MAX_PARALLEL:
            problems.append(f"{where}: {len(running)} steps running: {sorted(running)}")
        lines, whole = self.ledger()
        if not whole:
            problems.append(f"{where}: the ledger ends in a partial line")
        seen = set()
        for line in lines[self.ledger_seen:]:
            fields = line.split(" ")
            if len(fields) != 3 or fields[0] not in self.needs:
                problems.append(f"{where}: unreadable ledger line {line!r}")
                continue
            step, token, received = fields[0], fields[1], [] if fields[2] == "-" else fields[2].split(",")
            if step in self.succeeded:
                problems.append(f"{where}: {step} had succeeded and ran again")
            if step in seen:
                problems.append(f"{where}: {step} ran twice in one cycle")
            seen.add(step)
            if rows.get(step, (None,))[0] not in ("running", "succeeded"):
                problems.append(f"{where}: {step} executed but its row says {rows.get(step, (None,))[0]}")
            self.executions.setdefault(step, []).append((cycle, token, received))
        self.ledger_seen = len(lines)
        if killed:
            for step in running:
                self.running_at_kill.setdefault(step, set()).add(cycle)
        self.succeeded = now
        return running

    def check_final(self, snap, problems):
        integrity, runs, newest, rows = snap
        where = f"run {self.number}"
        if runs.get(self.run_id) != "succeeded":
            problems.append(f"{where}: run {self.run_id} is {runs.get(self.run_id)}")
        for step, needs in self.steps:
            status, outputs = rows.get(step, (None, None))
            execs = self.executions.get(step, [])
            if status != "succeeded" or not execs:
                problems.append(f"{where}: {step} is {status} after {len(execs)} executions")
                continue
            for cycle, _, _ in execs[:-1]:
                if cycle not in self.running_at_kill.get(step, set()):
                    problems.append(f"{where}: {step} executed in cycle {cycle} and again, but was not running at that kill")
            _, token, received = execs[-1]
            if output_v(outputs) != token:
                problems.append(f"{where}: {step} output {output_v(outputs)!r}, last execution produced {token!r}")
            expected = [output_v(rows.get(n, (None, None))[1]) for n in needs]
            if received != expected:
                problems.append(f"{where}: {step} received {received}, upstream outputs are {expected}")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=200, help="how many kills (default 200)")
    parser.add_argument("--seed", type=int, help="seed for the DAGs and delays (default: random, printed)")
    parser.add_argument("--min-delay", type=int, default=50, help="shortest wait before a kill, ms (default 50)")
    parser.add_argument("--max-delay", type=int, default=400, help="longest wait before a kill, ms (default 400)")
    parser.add_argument("--flow", help="the flow binary (default .build/release/flow)")
    parser.add_argument("--no-build", action="store_true", help="use the existing .build/release/flow")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (printed)")
    args = parser.parse_args()

    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    flow = args.flow or os.path.join(ROOT, ".build/release/flow")
    if not args.flow and not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "flow"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="flow-crash-")
    state = os.path.join(work, "state")
    db_path = os.path.join(state, "flow.db")
    token = str(uuid.uuid4())
    marker = f"FLOW_CRASH_BENCH={token}"
    env = {**os.environ, "NO_COLOR": "1", "FLOW_CRASH_BENCH": token}
    print(f"flow crash benchmark: seed {seed}, {args.cycles} kills, delays {args.min_delay}-{args.max_delay} ms, "
          f"{os.cpu_count()} cores, {flow}")

    problems, kills, in_flight, latencies, cycles, ended = [], [], 0, [], 0, 0
    runs_done, repeated_execs, repeated_steps, integrity_ok, integrity_checks, survivors = 0, 0, 0, 0, 0, 0
    known_runs = set()
    started = time.monotonic()

    def finish(run):
        """Resume without a kill, then the end-of-run checks."""
        nonlocal runs_done, repeated_execs, repeated_steps, integrity_ok, integrity_checks, cycles
        cycles += 1
        argv = ["resume", "--last"] if run.run_id is not None else ["run", "crash.yml"]
        done = subprocess.run([flow, *argv, "--state-dir", state], cwd=run.dir, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            problems.append(f"run {run.number}: final `flow {argv[0]}` exited {done.returncode}: {done.stderr[-500:]}")
        snap = snapshot(db_path)
        integrity_checks += 1
        integrity_ok += snap[0] == ["ok"]
        run.observe(cycles, False, snap, problems, known_runs)
        run.check_final(snap, problems)
        known_runs.add(run.run_id)
        runs_done += 1
        repeated_execs += sum(len(e) - 1 for e in run.executions.values())
        repeated_steps += sum(len(e) > 1 for e in run.executions.values())

    run = Run(1, dag(rng), work)
    try:
        while len(kills) < args.cycles:
            cycles += 1
            resuming = run.run_id is not None
            argv = [flow, "resume", "--last", "--state-dir", state] if resuming else [flow, "run", "crash.yml", "--state-dir", state]
            log = open(os.path.join(run.dir, f"cycle-{cycles}.log"), "w")
            size_before = run.ledger_size()
            launched = time.monotonic()
            process = subprocess.Popen(argv, cwd=run.dir, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            log.close()
            deadline = launched + rng.randint(args.min_delay, args.max_delay) / 1000
            first_step = None
            while time.monotonic() < deadline and process.poll() is None:
                if first_step is None and run.ledger_size() != size_before:
                    first_step = time.monotonic() - launched
                time.sleep(0.001)
            if process.poll() is not None:
                ended += 1
                # Ended before the kill: the run finished (or flow failed, which the checks report).
                if process.returncode != 0:
                    problems.append(f"run {run.number}, cycle {cycles}: flow exited {process.returncode} on its own "
                                    f"(log {run.dir}/cycle-{cycles}.log)")
                snap = snapshot(db_path)
                integrity_checks += 1
                integrity_ok += snap[0] == ["ok"]
                run.observe(cycles, False, snap, problems, known_runs)
                finish(run)
                run = Run(run.number + 1, dag(rng), work)
                continue
            os.kill(process.pid, signal.SIGKILL)
            left = kill_all(marker)
            survivors += len(left)
            if left:
                problems.append(f"cycle {cycles}: processes outlived the kill: {left}")
            process.wait()
            if resuming and first_step is not None:
                latencies.append(first_step)
            snap = snapshot(db_path) or (["ok"], {}, None, {})
            integrity_checks += 1
            integrity_ok += snap[0] == ["ok"]
            running = run.observe(cycles, True, snap, problems, known_runs)
            kills.append(len(running))
            in_flight += len(running)
        finish(run)
    finally:
        survivors += len(kill_all(marker))
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    elapsed = time.monotonic() - started
    final_problems = [p for p in problems if p.startswith("run ") and ", cycle" not in p]
    mid = sum(1 for n in kills if n)
    print(f"cycles:                 {cycles} in {elapsed:.1f} s: {len(kills)} killed, {ended} ended on their own "
          f"(their run had finished), {runs_done} final resumes")
    print(f"runs completed:         {runs_done} ({len(run.steps)} steps each; every step succeeded, outputs intact: "
          f"{'yes' if not final_problems else 'NO'})")
    print(f"kills mid-step:         {mid} of {len(kills)} ({in_flight} steps in flight in all, at most {max(kills, default=0)} at one kill)")
    print(f"repeated executions:    {repeated_execs} ({repeated_steps} steps ran more than once; each was in flight at a kill: "
          f"{'yes' if not any('not running at that kill' in p for p in problems) else 'NO'})")
    print(f"succeeded steps rerun:  {sum('ran again' in p for p in problems)}")
    print(f"succeeded steps lost:   {sum('lost' in p for p in problems)}")
    print(f"integrity_check ok:     {integrity_ok}/{integrity_checks}")
    if latencies:
        print(f"resume to first step:   p50 {percentile(latencies, 50) * 1000:.0f} ms, p99 {percentile(latencies, 99) * 1000:.0f} ms "
              f"({len(latencies)} resumes that reached a step before the kill)")
    print(f"processes left behind:  {survivors}")
    if args.keep:
        print(f"working directory:      {work}")
    if problems:
        print(f"\n{len(problems)} problems (seed {seed}):")
        for p in problems[:50]:
            print(f"  {p}")
        sys.exit(1)
    print("no problems")


if __name__ == "__main__":
    main()
