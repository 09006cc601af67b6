#!/usr/bin/env python3
"""Benchmark: flow's `build` step against `buildah bud` of the same context, and flow's `push`
step against `skopeo copy` of the same image, alternating in one run (issue 12: flow's overhead
over each must be at most 2 %).

  build   a context whose three `RUN` steps each compute a 1,000,000-link SHA-256 chain in
          Python (about 1.2 s of CPU each here) on the local base image, no network, no cache:
            buildah bud --isolation chroot --no-cache --iidfile F -f Dockerfile -t NAME CTX
          against `flow run p.yml` whose one step is `uses: build` with `cache: false`
          (flow runs `buildah bud --isolation chroot --iidfile F -f Dockerfile --layers=false
          --no-cache --pull=missing --label …  CTX`, then `buildah tag`, `buildah inspect`).
  push    the base image plus a 128 MiB layer of random bytes (made once, kept as
          localhost/flow-bench/push:random-128m), pushed to a local docker-registry
          (script/services, basic auth, plain HTTP), every push to a fresh repository of an
          emptied registry so that every push uploads every blob:
            skopeo copy --dest-creds USER:PASS --dest-tls-verify=false
                        containers-storage:NAME docker://HOST/REPO:TAG
          against `flow run p.yml` whose one step is `uses: push` (flow runs `buildah inspect`,
          `buildah push --authfile … --digestfile …`, then reads the manifest back over HTTP and
          checks its digest). A third row, `buildah push` with the same flags as flow's, separates
          what flow adds from what differs between buildah and skopeo.

Rounds alternate the order (A B, B A, A B, …) after one untimed warm-up of each; every
command is timed from fork to reap (wall) with its CPU time (user + system of it and the
children it waited for, from wait4). The table gives the median, min–max and IQR of each row,
and the ratio flow/baseline of each round (median [min–max]): the issue's figure.
Everything outside the timing: writing the pipeline file and a fresh --state-dir, removing
the built image (`buildah rmi`), emptying the registry's storage, and checking each run (exit
0; the image exists under its name, flow's with its `flow.run-id` label; the pushed manifest
reads back, and the registry received the whole image).

Run from the repository root:  python3 bench/container.py   (see bench/README.md)
"""
import argparse
import base64
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

sys.dont_write_bytecode = True  # no bench/__pycache__ from the import below
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from validate import ROOT, release_flow  # noqa: E402

BASE = os.environ.get("FLOW_BASE_IMAGE", "localhost/flow/python:3.11-bookworm")
TARGET = 0.02  # the issue: flow's overhead over buildah bud / skopeo copy at most 2 %
OCI_ACCEPT = ", ".join(["application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"])

WORK_PY = """import hashlib, sys
step, links = sys.argv[1], int(sys.argv[2])
h = step.encode()
for _ in range(links):
    h = hashlib.sha256(h).digest()
open(f"/opt/bench/{step}.txt", "w").write(h.hex() + "\\n")
"""


def dockerfile(base, links):
    return f"""FROM {base}
COPY work.py /opt/bench/work.py
RUN python3 /opt/bench/work.py one {links}
RUN python3 /opt/bench/work.py two {links}
RUN python3 /opt/bench/work.py three {links}
"""


# --- timing -------------------------------------------------------------------------------

class Sample:
    def __init__(self, wall, cpu):
        self.wall, self.cpu = wall, cpu


def timed(argv, cwd, out, env=None):
    """Runs argv (stdout and stderr to the file `out`), returns (wall s, CPU s, exit code).
    CPU is wait4's user + system time: the process and every descendant it waited for."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.chdir(cwd)
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.execvpe(argv[0], argv, env if env is not None else os.environ)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def run_checked(argv, cwd, out, env=None, what=None):
    wall, cpu, code = timed(argv, cwd, out, env)
    if code != 0:
        with open(out, errors="replace") as f:
            tail = "".join(f.readlines()[-30:])
        sys.exit(f"{what or argv[0]} exited {code}: {' '.join(argv)}\n--- last lines ({out}) ---\n{tail}")
    return Sample(wall, cpu)


def quiet(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def spread(values):
    """median, min, max, IQR (q1, q3) of values."""
    values = sorted(values)
    if len(values) >= 4:
        q = statistics.quantiles(values, n=4, method="inclusive")
        q1, q3 = q[0], q[2]
    else:
        q1, q3 = values[0], values[-1]
    return statistics.median(values), values[0], values[-1], q1, q3


def load():
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


# --- flow's own report --------------------------------------------------------------------

def flow_events(path):
    """The --json events of a flow run: (run seconds, step seconds, step status, run status)."""
    run_s = step_s = None
    step_status = run_status = None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            event = json.loads(line)
            if event.get("event") == "step-finished":
                step_s, step_status = float(event["seconds"]), event["status"]
            elif event.get("event") == "run-finished":
                run_s, run_status = float(event["seconds"]), event["status"]
    return run_s, step_s, step_status, run_status


class FlowRun:
    """One `flow run` of a one-step pipeline in a fresh folder (pipeline file, --state-dir)."""

    def __init__(self, flow, directory, text, env=None):
        os.makedirs(directory)
        self.directory, self.env = directory, env
        with open(os.path.join(directory, "p.yml"), "w") as f:
            f.write(text)
        self.state = os.path.join(directory, "state")
        self.out = os.path.join(directory, "out.jsonl")
        self.argv = [flow, "run", "p.yml", "--json", "--state-dir", self.state]

    def run(self):
        sample = run_checked(self.argv, self.directory, self.out, self.env, what="flow run")
        sample.run_s, sample.step_s, step_status, run_status = flow_events(self.out)
        if run_status != "succeeded" or step_status != "succeeded":
            sys.exit(f"flow run in {self.directory}: run {run_status}, step {step_status}")
        return sample

    def remove(self):
        shutil.rmtree(self.directory, ignore_errors=True)


# --- images -------------------------------------------------------------------------------

def image_json(name):
    result = quiet(["buildah", "inspect", "--type", "image", name])
    return json.loads(result.stdout) if result.returncode == 0 else None


def image_labels(info):
    return ((info.get("OCIv1") or {}).get("config") or {}).get("Labels") or {}


def remove_image(name):
    quiet(["buildah", "rmi", "--force", name])


def require_base():
    if image_json(BASE) is None:
        sys.exit(f"the base image {BASE} is missing: run script/setup (script/base-image makes it)")


def push_image(mb, work):
    """The image pushed: the base image plus one layer of `mb` MiB of random bytes (seeded), made
    once and kept (`--remake-push-image` makes it again)."""
    name = f"localhost/flow-bench/push:random-{mb}m"
    if image_json(name) is not None:
        return name
    ctx = os.path.join(work, "push-image")
    os.makedirs(ctx, exist_ok=True)
    with open(os.path.join(ctx, "Dockerfile"), "w") as f:
        f.write(f"FROM {BASE}\nRUN python3 -c \"import random; open('/opt/random.bin', 'wb')"
                f".write(random.Random(12).randbytes({mb} << 20))\"\n")
    print(f"making {name} (once): {BASE} + {mb} MiB of random bytes", file=sys.stderr)
    result = quiet(["buildah", "bud", "--isolation", "chroot", "-t", name, ctx])
    if result.returncode != 0:
        sys.exit(f"buildah bud of the push image failed:\n{result.stderr[-3000:]}")
    return name


# --- build --------------------------------------------------------------------------------

def bench_build(flow, work, runs, links, baselines_only=False):
    d = os.path.join(work, "build")
    ctx = os.path.join(d, "context")
    os.makedirs(ctx)
    with open(os.path.join(ctx, "work.py"), "w") as f:
        f.write(WORK_PY)
    with open(os.path.join(ctx, "Dockerfile"), "w") as f:
        f.write(dockerfile(BASE, links))
    tag = uuid.uuid4().hex[:8]
    made = []

    def buildah_bud(i):
        name = f"localhost/flow-bench/build-{tag}:buildah-{i}"
        iid = os.path.join(d, f"iid-{i}")
        argv = ["buildah", "bud", "--isolation", "chroot", "--no-cache", "--iidfile", iid,
                "-f", os.path.join(ctx, "Dockerfile"), "-t", name, ctx]
        sample = run_checked(argv, d, os.path.join(d, f"buildah-{i}.out"), what="buildah bud")
        info = image_json(name)
        with open(iid) as f:
            built = f.read().strip()
        if info is None or "sha256:" + info["FromImageID"] != (built if built.startswith("sha256:") else "sha256:" + built):
            sys.exit(f"buildah bud: {name} is not the image in {iid}")
        made.append(name)
        return sample

    def flow_build(i):
        name = f"localhost/flow-bench/build-{tag}:flow-{i}"
        run = FlowRun(flow, os.path.join(d, f"flow-{i}"), f"""name: bench-build
steps:
  build:
    uses: build
    with:
      context: {ctx}
      image: {name}
      cache: false
      engine: buildah
""")
        sample = run.run()
        info = image_json(name)
        if info is None or "flow.run-id" not in image_labels(info):
            sys.exit(f"flow run: no image {name} with a flow.run-id label after the build step")
        made.append(name)
        run.remove()
        return sample

    def cleanup():
        for name in made:
            remove_image(name)
        made.clear()

    rows = {"buildah bud": buildah_bud} if baselines_only else {"flow run (build step)": flow_build, "buildah bud": buildah_bud}
    try:
        results = alternate(rows, runs, cleanup=cleanup)
    finally:
        for name in made:
            remove_image(name)
    return results


# --- push ---------------------------------------------------------------------------------

class Registry:
    """docker-registry through script/services, in a folder of its own; emptied between pushes."""

    def __init__(self, directory):
        self.directory = directory
        result = quiet([os.path.join(ROOT, "script/services"), "up", "registry", "--dir", directory, "--no-base"])
        if result.returncode != 0:
            sys.exit(f"script/services up registry failed:\n{result.stderr}")
        env = {}
        for line in result.stdout.splitlines():
            if line.startswith("export ") and "=" in line:
                key, value = line[len("export "):].split("=", 1)
                env[key] = value
        self.host, self.user, self.password = env["FLOW_REGISTRY"], env["FLOW_REGISTRY_USERNAME"], env["FLOW_REGISTRY_PASSWORD"]
        self.storage = os.path.join(directory, "registry", "storage")

    def stop(self):
        quiet([os.path.join(ROOT, "script/services"), "down", "--dir", self.directory])

    def empty(self):
        """Removes every repository and blob (the registry keeps no index of them in memory:
        this config has no blob descriptor cache), so the next push finds nothing to reuse."""
        shutil.rmtree(os.path.join(self.storage, "docker"), ignore_errors=True)

    def stored_bytes(self):
        total = 0
        for root, _, files in os.walk(os.path.join(self.storage, "docker", "registry", "v2", "blobs")):
            total += sum(os.path.getsize(os.path.join(root, f)) for f in files if f == "data")
        return total

    def manifest(self, repository, tag):
        request = urllib.request.Request(f"http://{self.host}/v2/{repository}/manifests/{tag}", headers={
            "Accept": OCI_ACCEPT,
            "Authorization": "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()


def bench_push(flow, work, runs, mb, with_buildah, baselines_only=False):
    d = os.path.join(work, "push")
    os.makedirs(d)
    image = push_image(mb, work)
    info = image_json(image)
    image_id = "sha256:" + info["FromImageID"]
    registry = Registry(os.path.join(d, "services"))
    uploaded = {}
    env = dict(os.environ, REG_PASSWORD=registry.password)
    auth = os.path.join(d, "auth.json")  # for the buildah push row, as flow writes it (mode 0600)
    with open(os.open(auth, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        token = base64.b64encode(f"{registry.user}:{registry.password}".encode()).decode()
        json.dump({"auths": {registry.host: {"auth": token}}}, f)

    def check(label, repository, tag, expected=None):
        body = registry.manifest(repository, tag)
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        if expected is not None and digest != expected:
            sys.exit(f"{label}: the registry serves {digest} for {repository}:{tag}, not {expected}")
        config = json.loads(body).get("config", {}).get("digest")
        if config != image_id:
            sys.exit(f"{label}: the manifest's config is {config}, not the image id {image_id}")
        uploaded.setdefault(label, []).append(registry.stored_bytes())
        registry.empty()

    def skopeo(i):
        repository = f"flow-bench/skopeo-{uuid.uuid4().hex[:12]}"
        argv = ["skopeo", "copy", "--dest-creds", f"{registry.user}:{registry.password}", "--dest-tls-verify=false",
                f"containers-storage:{image}", f"docker://{registry.host}/{repository}:b"]
        sample = run_checked(argv, d, os.path.join(d, f"skopeo-{i}.out"), what="skopeo copy")
        check("skopeo copy", repository, "b")
        return sample

    def buildah_push(i):
        repository = f"flow-bench/buildah-{uuid.uuid4().hex[:12]}"
        digest_file = os.path.join(d, f"digest-{i}")
        argv = ["buildah", "push", "--authfile", auth, "--digestfile", digest_file, "--tls-verify=false", "--quiet",
                image, f"docker://{registry.host}/{repository}:b"]
        sample = run_checked(argv, d, os.path.join(d, f"buildah-{i}.out"), what="buildah push")
        with open(digest_file) as f:
            check("buildah push", repository, "b", f.read().strip())
        return sample

    def flow_push(i):
        repository = f"flow-bench/flow-{uuid.uuid4().hex[:12]}"
        run = FlowRun(flow, os.path.join(d, f"flow-{i}"), f"""name: bench-push
secrets: [REG_PASSWORD]
steps:
  push:
    uses: push
    with:
      image: {image}
      registry: {registry.host}
      repository: {repository}
      tags: [b]
      username: {registry.user}
      password: ${{{{ env.REG_PASSWORD }}}}
      insecure: true
      engine: buildah
""", env=env)
        sample = run.run()
        check("flow run (push step)", repository, "b")
        run.remove()
        return sample

    rows = {} if baselines_only else {"flow run (push step)": flow_push}
    rows["skopeo copy"] = skopeo
    if with_buildah:
        rows["buildah push (flow's command)"] = buildah_push
    try:
        registry.empty()
        results = alternate(rows, runs)
    finally:
        registry.stop()
    sizes = {label: statistics.median(values[1:] or values) for label, values in uploaded.items()}
    return results, sizes, image, info


# --- rounds and the table -----------------------------------------------------------------

def alternate(rows, runs, cleanup=None):
    """One untimed warm-up of each row, then `runs` rounds, the order rotating each round (A B,
    B A, … ; with three rows A B C, B C A, C A B, …). Returns {label: [Sample]} and the
    warm-up samples under {label + " warm-up"}."""
    labels = list(rows)
    results = {label: [] for label in labels}
    for label in labels:
        results[label + " warm-up"] = [rows[label]("warm-up")]
    if cleanup:
        cleanup()
    for i in range(runs):
        order = labels[i % len(labels):] + labels[:i % len(labels)] if len(labels) > 2 else (labels if i % 2 == 0 else labels[::-1])
        for label in order:
            results[label].append(rows[label](i))
        if cleanup:
            cleanup()
        print(f"  round {i + 1}/{runs}: " + ", ".join(f"{label} {results[label][-1].wall:.2f} s" for label in labels)
              + f"  (load {load()})", file=sys.stderr)
    return results


def table(title, results, flow_label, baselines):
    print(f"\n### {title}\n")
    print("| row | median wall | min–max | IQR | CPU (median) |")
    print("| --- | --- | --- | --- | --- |")
    for label, samples in results.items():
        if label.endswith("warm-up"):
            continue
        med, lo, hi, q1, q3 = spread([s.wall for s in samples])
        cpu = statistics.median(s.cpu for s in samples)
        print(f"| {label} | {med:.2f} s | {lo:.2f}–{hi:.2f} s | {q1:.2f}–{q3:.2f} s | {cpu:.2f} s |")
    if flow_label not in results:
        return []
    flow = results[flow_label]
    print()
    print("| ratio, per round | median | min–max | IQR | flow − baseline, median | ratio of CPU medians |")
    print("| --- | --- | --- | --- | --- | --- |")
    verdicts = []
    for baseline in baselines:
        base = results[baseline]
        ratios = [f.wall / b.wall for f, b in zip(flow, base)]
        med, lo, hi, q1, q3 = spread(ratios)
        diff = statistics.median(f.wall - b.wall for f, b in zip(flow, base))
        cpu_ratio = statistics.median(s.cpu for s in flow) / statistics.median(s.cpu for s in base)
        print(f"| flow / {baseline} | {med:.3f} | {lo:.3f}–{hi:.3f} | {q1:.3f}–{q3:.3f} | {diff * 1000:+.0f} ms | {cpu_ratio:.3f} |")
        verdicts.append((baseline, med))
    run_s = [s.run_s for s in flow if s.run_s is not None]
    step_s = [s.step_s for s in flow if s.step_s is not None]
    if run_s and step_s:
        walls = [s.wall for s in flow]
        print(f"\nInside flow (its --json events, medians): the step {statistics.median(step_s):.3f} s, the run "
              f"{statistics.median(run_s):.3f} s, the whole process {statistics.median(walls):.3f} s: "
              f"{(statistics.median(r - s for r, s in zip(run_s, step_s))) * 1000:.0f} ms of run around the step, "
              f"{(statistics.median(w - r for w, r in zip(walls, run_s))) * 1000:.0f} ms of process around the run.")
    return verdicts


def small_costs(flow, work, image_for_inspect):
    """What flow runs besides the engine's build or push, each timed alone (median of 7): the
    process start of flow, a one-step `true` pipeline, and the buildah calls it adds."""
    d = os.path.join(work, "small")
    os.makedirs(d)
    out = os.path.join(d, "out")
    rows = []

    def median_of(argv, prepare=None, n=7, env=None):
        walls, cpus = [], []
        for i in range(n + 1):
            if prepare:
                argv = prepare()
            w, cpu, code = timed(argv, d, out, env)
            if code != 0:
                sys.exit(f"{' '.join(argv)} exited {code}")
            if i:
                walls.append(w)
                cpus.append(cpu)
        return statistics.median(walls), statistics.median(cpus)

    rows.append(("`flow --version` (process start)", median_of([flow, "--version"])))
    with open(os.path.join(d, "true.yml"), "w") as f:
        f.write("name: bench-true\nsteps:\n  t:\n    run: \"true\"\n")
    states = []

    def fresh_true():
        if states:
            shutil.rmtree(states.pop(), ignore_errors=True)
        states.append(tempfile.mkdtemp(prefix="state-", dir=d))
        return [flow, "run", "true.yml", "--state-dir", states[-1]]
    rows.append(("`flow run` of one `run: \"true\"` step (fresh state dir)", median_of(None, fresh_true)))
    if image_for_inspect:
        rows.append((f"`buildah inspect --type image` (build reads the size; push reads the image id)",
                     median_of(["buildah", "inspect", "--type", "image", image_for_inspect])))
        names = []

        def tag():
            names.append(f"localhost/flow-bench/tag-{uuid.uuid4().hex[:12]}:t")
            return ["buildah", "tag", image_for_inspect, names[-1]]
        rows.append(("`buildah tag ID NAME` (build names the image after the build)", median_of(None, tag)))
        for name in names:  # without --force: removes the name only, the image has others
            quiet(["buildah", "rmi", name])
    rows.append(("`git -C CONTEXT remote get-url origin` (build's source label; no repository here)",
                 median_of(["sh", "-c", f"git -C {d} remote get-url origin || true"])))
    print("\n### What flow adds, each timed alone (median of 7)\n")
    print("| command | median wall | median CPU |")
    print("| --- | --- | --- |")
    for label, (wall, cpu) in rows:
        print(f"| {label} | {wall * 1000:.0f} ms | {cpu * 1000:.0f} ms |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9, help="timed rounds per comparison (default 9)")
    parser.add_argument("--only", choices=["build", "push"], action="append", help="run only this comparison (repeatable)")
    parser.add_argument("--no-build", action="store_true", help="use the existing .build/release/flow")
    parser.add_argument("--flow", help="this flow binary instead of .build/release/flow (implies --no-build)")
    parser.add_argument("--links", type=int, default=1_000_000, help="SHA-256 links per RUN step of the build (default 1,000,000)")
    parser.add_argument("--push-mb", type=int, default=128, help="MiB of random bytes in the pushed image's layer (default 128)")
    parser.add_argument("--no-buildah-push", action="store_true", help="leave out the `buildah push` row")
    parser.add_argument("--dir", help="working folder (default: a new one under the system temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--baselines-only", action="store_true",
                        help="time buildah and skopeo alone (to try the workload; no flow needed)")
    args = parser.parse_args()

    for tool in ("buildah", "skopeo", "docker-registry"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed: run script/setup")
    require_base()
    wanted = args.only or ["build", "push"]
    if args.baselines_only:
        flow, version = None, "(not run: --baselines-only)"
    else:
        if args.flow:
            flow = os.path.abspath(args.flow)
            version = quiet([flow, "--version"]).stdout.strip()
        else:
            flow, version = release_flow(build=not args.no_build)
        listed = {re.match(r"[^\s:(]+", line).group(0) for line in quiet([flow, "steps"]).stdout.splitlines()
                  if line.strip() and not line[0].isspace()}
        for step in wanted:
            if step not in listed:
                sys.exit(f"{flow} has no `{step}` step type (`flow steps` does not list it): build flow from a branch that has it")

    work = tempfile.mkdtemp(prefix="flow-bench-container-", dir=args.dir)
    loads = [load()]
    kind = f"binary {flow}" if args.flow else "release build"
    print(f"flow {version} ({kind}), {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"{os.cpu_count()} cores, {platform.machine()}, Linux {platform.release()}")
    print(f"{quiet(['buildah', '--version']).stdout.strip()}; {quiet(['skopeo', '--version']).stdout.strip()}; "
          f"storage driver {quiet(['buildah', 'info', '--format', '{{.store.GraphDriverName}}']).stdout.strip()}; "
          f"base image {BASE}; load average at start {loads[0]} (1/5/15 min)")
    print(f"{args.runs} rounds per comparison after one warm-up of each row; the order alternates each round; "
          f"whole-process wall time")
    try:
        verdicts = []
        last_image = None
        if "build" in wanted:
            print(f"\nbuild: {args.links:,} SHA-256 links in each of 3 RUN steps, no cache", file=sys.stderr)
            results = bench_build(flow, work, args.runs, args.links, args.baselines_only)
            loads.append(load())
            verdicts += [("build", *v) for v in table(
                f"build: `flow run` (`uses: build`, `cache: false`) against `buildah bud --no-cache` (3 RUN steps of "
                f"{args.links:,} SHA-256 links each)", results, "flow run (build step)", ["buildah bud"])]
        if "push" in wanted:
            print(f"\npush: {BASE} + {args.push_mb} MiB random, fresh repository each time", file=sys.stderr)
            results, sizes, image, info = bench_push(flow, work, args.runs, args.push_mb, not args.no_buildah_push, args.baselines_only)
            last_image = image
            loads.append(load())
            baselines = ["skopeo copy"] + ([] if args.no_buildah_push else ["buildah push (flow's command)"])
            verdicts += [("push", *v) for v in table(
                f"push: `flow run` (`uses: push`) against `skopeo copy` of {image} to a fresh repository of an emptied "
                f"local registry", results, "flow run (push step)", baselines)]
            print("\nBytes the registry stored per push (median): " + "; ".join(
                f"{label} {size / 1e6:.1f} MB" for label, size in sizes.items()))
        if flow:
            small_costs(flow, work, last_image or BASE)
        loads.append(load())
        print(f"\nLoad average (1/5/15 min) at start, after each comparison and at the end: {' → '.join(loads)}")
        print()
        for what, baseline, ratio in verdicts:
            overhead = ratio - 1
            verdict = "met" if overhead <= TARGET else "MISSED"
            print(f"{what}: flow's overhead over {baseline}: {overhead * 100:+.1f} % (median of the per-round ratios); "
                  f"target at most {TARGET * 100:.0f} %: {verdict}")
    finally:
        if args.keep:
            print(f"working folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
