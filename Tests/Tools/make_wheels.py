#!/usr/bin/env python3
"""Makes a local wheel index for tests: tiny pure-Python wheels pip installs offline with
`--no-index --find-links DIR`. Reads a JSON list on stdin, one object per wheel:
  {"name": "alpha", "version": "1.0", "requires": ["beta==1.0"], "import": "alpha",
   "code": "VALUE = 1\n"}
`import` (default: the name with - → _) is the top-level module the wheel installs; `code` its
__init__.py (default: __version__ = the version). Writes NAME-VERSION-py3-none-any.whl into the
directory given first."""
import base64
import hashlib
import json
import sys
import zipfile


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def make(spec, directory):
    name, version = spec["name"], spec["version"]
    dist = name.replace("-", "_")
    module = spec.get("import", dist.lower())
    code = spec.get("code", f"__version__ = {version!r}\n").encode()
    info = f"{dist}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    for requirement in spec.get("requires", []):
        metadata += f"Requires-Dist: {requirement}\n"
    files = {
        f"{module}/__init__.py": code,
        f"{info}/METADATA": metadata.encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: flow-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{info}/top_level.txt": (module + "\n").encode(),
    }
    lines = [record_line(path, data) for path, data in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(lines) + "\n").encode()
    path = f"{directory}/{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for member, data in files.items():
            wheel.writestr(member, data)
    print(path)


for spec in json.load(open(sys.argv[2]) if len(sys.argv) > 2 else sys.stdin):
    make(spec, sys.argv[1])
