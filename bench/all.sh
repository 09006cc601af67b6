#!/usr/bin/env bash
# Runs every benchmark of bench/README.md in order, building flow and flow-bench (release)
# first, and keeps the whole output in bench/results/all-<UTC time>.txt.
# Usage (from anywhere):  bench/all.sh [--runs N]    (--runs goes to the Python benchmarks)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
out="bench/results/all-$(date -u +%Y%m%d-%H%M).txt"
{
    swift build -c release --static-swift-stdlib --product flow
    swift build -c release --static-swift-stdlib --product flow-bench
    echo "== $(uname -srm), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "== python3 bench/validate.py --no-build $*"
    python3 bench/validate.py --no-build "$@"
    echo "== python3 bench/engine.py --no-build $*"
    python3 bench/engine.py --no-build "$@"
    echo "== .build/release/flow-bench overhead"
    .build/release/flow-bench overhead
    echo "== python3 bench/flood.py --no-build $*"
    python3 bench/flood.py --no-build "$@"
    echo "== python3 bench/http_vs_curl.py --no-build $*"
    python3 bench/http_vs_curl.py --no-build "$@"
    echo "== load $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$out"
echo "saved in $out"
