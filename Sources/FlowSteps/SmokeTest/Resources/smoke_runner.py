"""flow smoke-test: runs the checks of one level inside an image.

Usage: python3 smoke_runner.py SPEC.json OUT_DIR

SPEC.json is data written by flow (never Python source): a list of checks, each with an id, a
kind and its arguments (distribution and module names). Results go to OUT_DIR/results.jsonl, one
JSON object a line, written and flushed as each check starts and ends, so a check that kills the
interpreter still leaves the results before it and the name of the check that was running.
The runner exits 0 whatever the checks find; flow judges the results.
"""
import contextlib
import io
import json
import os
import platform
import re
import signal
import sys
import time
import traceback

OUTPUT_LIMIT = 16384
TRACEBACK_LINES = 12
MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class CheckFailed(Exception):
    """A check's own verdict (not an exception of the code under test); `exception` names the
    exception behind it, when there is one."""

    def __init__(self, message, exception=None):
        super().__init__(message)
        self.exception = exception


class CheckTimeout(Exception):
    pass


class Skip(Exception):
    pass


def marker_environment():
    """The PEP 508 marker variables of this interpreter, for flow to evaluate markers with."""
    impl = sys.implementation
    version = impl.version
    impl_version = "%d.%d.%d" % (version.major, version.minor, version.micro)
    if version.releaselevel != "final":
        impl_version += version.releaselevel[0] + str(version.serial)
    return {
        "implementation_name": impl.name,
        "implementation_version": impl_version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def distribution(name):
    from importlib import metadata
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        # An older pip may record a name spelt otherwise; compare normalized names.
        wanted = normalize(name)
        for dist in metadata.distributions():
            if normalize(dist.metadata.get("Name") or "") == wanted:
                return dist
        return None


def top_level_modules(dist):
    """The modules a distribution installs, from top_level.txt or else its RECORD."""
    text = dist.read_text("top_level.txt")
    names = []
    if text:
        names = [line.strip().replace("/", ".") for line in text.splitlines() if line.strip()]
    else:
        for path in dist.files or []:
            parts = path.parts
            if not parts or parts[0].endswith((".dist-info", ".egg-info", ".data")) or parts[0] in ("..", "__pycache__"):
                continue
            if len(parts) == 1 and parts[0].endswith(".py"):
                names.append(parts[0][:-3])
            elif len(parts) > 1 and parts[1] == "__init__.py":
                names.append(parts[0])
    seen = []
    for name in names:
        if MODULE_NAME.match(name) and name not in seen:
            seen.append(name)
    return seen


def modules_for(check):
    """The modules to import for a requirement, and where the names came from."""
    if check.get("modules"):
        return check["modules"], check.get("source", "given")
    name = check["distribution"]
    dist = distribution(name)
    guess = normalize(name).replace("-", "_")
    if dist is not None:
        found = top_level_modules(dist)
        public = [m for m in found if not m.startswith("_") and m not in ("test", "tests")]
        if guess in public:
            return [guess], "metadata"
        if len(public) == 1:
            return public, "metadata"
        if public:
            return public, "metadata"
    return [guess], "name"


def check_python(check, data):
    data["version"] = platform.python_version()
    data["executable"] = sys.executable
    return "Python %s at %s" % (platform.python_version(), sys.executable)


def check_import(check, data):
    import importlib
    modules, source = modules_for(check)
    data["modules"] = ",".join(modules)
    data["source"] = source
    if check.get("distribution"):
        dist = distribution(check["distribution"])
        if dist is not None:
            data["installed"] = dist.version
    for module in modules:
        importlib.import_module(module)
    return "imported " + ", ".join(modules)


def check_version(check, data):
    dist = distribution(check["distribution"])
    if dist is None:
        raise CheckFailed("%s is not installed (importlib.metadata finds no distribution of that name)" % check["distribution"])
    data["installed"] = dist.version
    return "installed " + dist.version


TORCH = {}


def torch_module():
    if "module" in TORCH:
        return TORCH["module"]
    if "error" in TORCH:
        raise TORCH["error"]
    try:
        import torch
    except BaseException as error:  # noqa: B902 - recorded, re-raised for each torch check
        TORCH["error"] = error
        raise
    TORCH["module"] = torch
    return torch


def torch_needed():
    try:
        return torch_module()
    except BaseException as error:
        raise CheckFailed("torch does not import (%s: %s)" % (type(error).__name__, error), type(error).__name__) from None


def check_torch_import(check, data):
    torch = torch_module()
    data["version"] = str(torch.__version__)
    data["cuda_build"] = str(torch.version.cuda)
    return "torch %s (CUDA build: %s)" % (torch.__version__, torch.version.cuda)


def matmul(torch, device):
    a = torch.arange(6, dtype=torch.float32, device=device).reshape(2, 3)
    b = torch.arange(6, dtype=torch.float32, device=device).reshape(3, 2)
    c = (a @ b).cpu().tolist()
    if c != [[10.0, 13.0], [28.0, 40.0]]:
        raise CheckFailed("a 2x3 @ 3x2 matmul on %s gave %r, expected [[10, 13], [28, 40]]" % (device, c))


def check_torch_matmul(check, data):
    torch = torch_needed()
    matmul(torch, "cpu")
    return "a 2x3 @ 3x2 matmul on the CPU is right"


def check_torch_cuda(check, data):
    expected = check.get("gpu", "optional")
    if expected == "none":
        raise Skip("gpu: none; CUDA is not checked")
    torch = torch_needed()
    available = bool(torch.cuda.is_available())
    built = torch.version.cuda
    data["available"] = str(available).lower()
    data["cuda_build"] = str(built)
    facts = "torch.cuda.is_available() is %s; torch is built for CUDA %s" % (available, built)
    if not available:
        if expected == "required":
            if built is None:
                raise CheckFailed("gpu: required, but this torch is a CPU-only build (torch.version.cuda is None); "
                                  "install torch from a CUDA index (+cuXYZ)")
            raise CheckFailed("gpu: required, but no GPU is visible: " + facts
                              + "; run the smoke test where a GPU and its driver are passed into the container")
        return "no GPU visible (gpu: optional): " + facts
    count = torch.cuda.device_count()
    data["devices"] = str(count)
    name = torch.cuda.get_device_name(0)
    matmul(torch, "cuda")
    torch.cuda.synchronize()
    return "%d GPU(s), %s; a matmul on cuda:0 is right" % (count, name)


def check_torch_distributed(check, data):
    torch = torch_needed()
    import datetime
    import tempfile
    dist = torch.distributed
    if not dist.is_available():
        raise CheckFailed("torch.distributed is not available in this torch build")
    if not dist.is_gloo_available():
        raise CheckFailed("torch.distributed has no gloo backend in this torch build")
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    store = tempfile.mkdtemp(prefix="flow-smoke-")
    dist.init_process_group("gloo", init_method="file://" + os.path.join(store, "store"), rank=0, world_size=1,
                            timeout=datetime.timedelta(seconds=60))
    try:
        t = torch.ones(4)
        dist.all_reduce(t)
        if t.tolist() != [1.0, 1.0, 1.0, 1.0]:
            raise CheckFailed("all_reduce over one process gave %r" % t.tolist())
        size = dist.get_world_size()
    finally:
        dist.destroy_process_group()
    return "gloo process group of world size %d started, all_reduce ran, torn down" % size


CHECKS = {
    "python": check_python,
    "import": check_import,
    "version": check_version,
    "torch-import": check_torch_import,
    "torch-matmul": check_torch_matmul,
    "torch-cuda": check_torch_cuda,
    "torch-distributed": check_torch_distributed,
}


def traceback_lines(error):
    """The traceback's last lines, without the runner's own frames."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if os.path.abspath(f.filename) != os.path.abspath(__file__)]
    lines = ["Traceback (most recent call last):"] if frames else []
    lines += "".join(traceback.format_list(frames)).rstrip("\n").split("\n") if frames else []
    lines += "".join(traceback.format_exception_only(type(error), error)).rstrip("\n").split("\n")
    return lines[-TRACEBACK_LINES:]


LIMIT = {"seconds": 0}


def on_alarm(signum, frame):
    raise CheckTimeout("the check did not finish within check-timeout (%ds)" % LIMIT["seconds"])


def run(check, timeout):
    data = {}
    started = time.monotonic()
    output = io.StringIO()
    result = {"event": "end", "id": check["id"], "data": data}
    handler = CHECKS.get(check.get("kind"))
    try:
        if handler is None:
            raise CheckFailed("unknown check kind %r" % check.get("kind"))
        if timeout:
            signal.alarm(timeout)
        try:
            with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
                message = handler(check, data)
        finally:
            signal.alarm(0)
        result.update(status="passed", message=message)
    except Skip as skip:
        result.update(status="skipped", message=str(skip))
    except CheckFailed as failed:
        result.update(status="failed", message=str(failed))
        if failed.exception:
            result["exception"] = failed.exception
    except BaseException as error:  # noqa: B902 - SystemExit and KeyboardInterrupt of imported code too
        result.update(status="failed", exception=type(error).__name__,
                      message="%s: %s" % (type(error).__name__, error), traceback=traceback_lines(error))
    result["time"] = round(time.monotonic() - started, 3)
    captured = output.getvalue()
    if captured:
        result["output"] = captured[-OUTPUT_LIMIT:]
    return result


def main():
    spec_path, out_dir = sys.argv[1], sys.argv[2]
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    # The image's working directory comes first on sys.path, as for `python -c`: the training
    # code's own modules import from there (the runner's own folder is not on the path).
    sys.path[0] = os.getcwd()
    results = open(os.path.join(out_dir, "results.jsonl"), "w", encoding="utf-8")

    def emit(record):
        results.write(json.dumps(record, sort_keys=True) + "\n")
        results.flush()

    emit({"event": "runner", "python": platform.python_version(), "executable": sys.executable,
          "cwd": os.getcwd(), "markers": marker_environment()})
    timeout = int(spec.get("check_timeout") or 0)
    LIMIT["seconds"] = timeout
    signal.signal(signal.SIGALRM, on_alarm)
    for check in spec.get("checks", []):
        emit({"event": "start", "id": check["id"]})
        emit(run(check, timeout))
    emit({"event": "done"})
    results.close()


if __name__ == "__main__":
    main()
