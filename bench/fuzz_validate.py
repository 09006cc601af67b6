#!/usr/bin/env python3
"""Smoke fuzzing of `flow validate`: mutates the fixture corpus and the example pipelines
(inserted YAML/expression/shell tokens, deletions, splices) and checks that every case exits
0 or 2 within 5 s. A crash or hang is saved as /tmp/fuzz-crash-N.yml.

usage (from the repository root, after `swift build -c release --static-swift-stdlib --product flow`):
    python3 bench/fuzz_validate.py [SEED] [CASES]
"""
import os, random, subprocess, glob, sys
random.seed(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
files = glob.glob("Tests/FlowCoreTests/Fixtures/*/*.yml") + glob.glob("pipelines/*.yml")
corpus = [open(f, "rb").read() for f in files]
tokens = [b"${{", b"}}", b"'", b'"', b"&a ", b"*a", b"<<: *a", b"\n  ", b"- ", b": ", b"[", b"{", b"]", b"}", b"\xff", b"\t", b"\x00", b"|", b">", b"!!str ", b"$((", b"<<'EOF'\n", b"`", b"$(", b"matrix:", b"needs: [", b"steps.", b"\\"]
bad = 0
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
for i in range(n):
    data = bytearray(random.choice(corpus))
    for _ in range(random.randint(1, 6)):
        op = random.random()
        pos = random.randint(0, len(data))
        if op < 0.4: data[pos:pos] = random.choice(tokens)
        elif op < 0.7 and data: del data[pos:pos + random.randint(1, 8)]
        else:
            other = random.choice(corpus); s = random.randint(0, len(other))
            data[pos:pos] = other[s:s + random.randint(1, 60)]
    open("/tmp/fuzz-case.yml", "wb").write(data)
    try:
        r = subprocess.run([".build/release/flow", "validate", "--steps-dir", "/nonexistent", "/tmp/fuzz-case.yml"], capture_output=True, timeout=5)
        code = r.returncode
    except subprocess.TimeoutExpired:
        code = "timeout"
    if code not in (0, 2):
        bad += 1
        open(f"/tmp/fuzz-crash-{i}.yml", "wb").write(data)
        print("BAD", i, code, r.stderr[-300:] if code != "timeout" else "")
print(f"{n} cases, {bad} crashes or timeouts")
