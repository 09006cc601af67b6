#!/usr/bin/env python3
"""Benchmark: flow's `push` step against `skopeo copy` of the same local image to the same
local registry, alternating, in one run.

A private `registry-open` (Debian's docker-registry, no auth: bcrypt checks on every request
would dominate a small push) is started through script/services. Each round builds two fresh
images (FROM scratch, one file of --size-mb random bytes each, outside the timing), so that
every push uploads its layer (the same image twice would be a cross-repository mount found in
containers/image's blob-info cache), and pushes one with each tool, in alternating order:
  flow run push.yml      a pipeline whose only step is `push` (engine buildah, one tag,
                         insecure), which also reads the image id and verifies the manifest
                         over HTTP; timed from spawn to exit, flow's start-up and state included
  skopeo copy --dest-tls-verify=false --digestfile F containers-storage:IMAGE docker://REG/REPO:t
The table gives the median wall time of each and flow's overhead over skopeo in per cent.

Run from the repository root:  python3 bench/push.py [--runs 7] [--size-mb 64] [--no-build] [--flow PATH]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from validate import ROOT, release_flow  # noqa: E402


def start_registry(state):
    process = subprocess.Popen([os.path.join(ROOT, "script/services"), "run", "registry-open", "--dir", state, "--no-base"],
                               stdout=subprocess.PIPE, text=True, start_new_session=True)
    address = None
    for line in process.stdout:
        if line.startswith("export FLOW_REGISTRY_OPEN="):
            address = line.strip().split("=", 1)[1]
        if line.startswith("READY"):
            return process, address
    raise SystemExit("script/services run registry-open did not get ready")


def fresh_image(work, size_mb):
    """A FROM scratch image of one file of random bytes; returns its name."""
    context = tempfile.mkdtemp(dir=work)
    with open(os.path.join(context, "Dockerfile"), "w") as f:
        f.write("FROM scratch\nCOPY blob /blob\n")
    with open(os.path.join(context, "blob"), "wb") as f:
        f.write(os.urandom(size_mb << 20))
    name = f"localhost/flow-bench/{uuid.uuid4().hex[:12]}:t"
    subprocess.run(["buildah", "bud", "--quiet", "--isolation", "chroot", "-t", name, context],
                   check=True, stdout=subprocess.DEVNULL)
    return name


def timed(arguments, **kwargs):
    started = time.perf_counter()
    result = subprocess.run(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **kwargs)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{arguments[0]} failed ({result.returncode}): {result.stderr[-2000:]}")
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--size-mb", type=int, default=64)
    parser.add_argument("--flow", help="a flow binary (default: the release build)")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    flow, version = (args.flow, "given") if args.flow else release_flow(build=not args.no_build)
    with tempfile.TemporaryDirectory(prefix="flow-bench-push-") as work:
        process, registry = start_registry(os.path.join(work, "services"))
        try:
            times = {"flow push": [], "skopeo copy": []}
            images = []
            for run in range(args.runs + 1):  # the first round warms caches and is not counted
                order = ["flow push", "skopeo copy"] if run % 2 == 0 else ["skopeo copy", "flow push"]
                for name in order:
                    image = fresh_image(work, args.size_mb)
                    images.append(image)
                    repository = f"bench/{uuid.uuid4().hex[:12]}"
                    if name == "flow push":
                        folder = os.path.join(work, f"flow-{run}")
                        os.makedirs(folder)
                        with open(os.path.join(folder, "push.yml"), "w") as f:
                            f.write(f"name: bench\nsteps:\n  push:\n    uses: push\n    with: {{ image: \"{image}\", "
                                    f"registry: \"{registry}\", repository: {repository}, tags: [t], insecure: true, engine: buildah }}\n")
                        elapsed = timed([flow, "run", "push.yml"], cwd=folder)
                    else:
                        elapsed = timed(["skopeo", "copy", "--quiet", "--dest-tls-verify=false", "--digestfile",
                                         os.path.join(work, f"digest-{run}"), f"containers-storage:{image}",
                                         f"docker://{registry}/{repository}:t"])
                    if run > 0:
                        times[name].append(elapsed)
        finally:
            os.killpg(process.pid, 15)
            process.wait()
            for image in images:
                subprocess.run(["buildah", "rmi", "-f", image], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    flow_median = statistics.median(times["flow push"])
    skopeo_median = statistics.median(times["skopeo copy"])
    print(f"flow {version}, fresh {args.size_mb} MiB images, {args.runs} runs each, alternating\n")
    print("| row | median wall | runs |")
    print("| --- | --- | --- |")
    for name, values in times.items():
        print(f"| {name} | {statistics.median(values):.3f} s | " + " ".join(f"{v:.2f}" for v in values) + " |")
    print(f"\nflow's overhead over skopeo copy: {100 * (flow_median - skopeo_median) / skopeo_median:+.1f} %")


if __name__ == "__main__":
    main()
