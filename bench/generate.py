#!/usr/bin/env python3
"""Generates the validation workload in three equivalent forms: a flow pipeline, a Makefile
and a build.ninja, each a layered DAG of N steps where every step after the first layer
depends on two steps of the layer above. Every flow step carries expressions (a param, an
upstream output, a format() call), so validation parses and checks them all.

usage: generate.py STEPS WIDTH OUTDIR
"""
import os
import sys


def main():
    steps, width, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    os.makedirs(out, exist_ok=True)
    layers = (steps + width - 1) // width
    names = [[f"s{l}-{i}" for i in range(min(width, steps - l * width))] for l in range(layers)]

    def parents(l, i):
        above = names[l - 1]
        return [above[i % len(above)], above[(i + 1) % len(above)]] if l > 0 else []

    with open(os.path.join(out, "pipeline.yml"), "w") as f:
        f.write(f"name: bench-{steps}\nparams:\n  greeting: {{ type: string, default: hello }}\n")
        f.write("defaults:\n  timeout: 5m\nsteps:\n")
        for l, layer in enumerate(names):
            for i, name in enumerate(layer):
                ps = parents(l, i)
                f.write(f"  {name}:\n")
                if ps:
                    f.write(f"    needs: [{ps[0]}, {ps[1]}]\n")
                    f.write(f"    env: {{ UP: \"${{{{ steps.{ps[0]}.outputs.v }}}}\" }}\n")
                    f.write(f"    if: steps.{ps[1]}.outputs.v != ''\n")
                f.write(f"    run: echo \"v=${{{{ format('{{0}}-{{1}}', params.greeting, '{name}') }}}}\" >> \"$FLOW_OUTPUT\"\n")
                f.write("    outputs: [v]\n")

    with open(os.path.join(out, "Makefile"), "w") as f:
        f.write(".PHONY: all\nall: " + " ".join(names[-1]) + "\n")
        for l, layer in enumerate(names):
            for i, name in enumerate(layer):
                f.write(f"{name}: {' '.join(parents(l, i))}\n\t@echo v={name}\n")

    with open(os.path.join(out, "build.ninja"), "w") as f:
        f.write("rule step\n  command = echo v=$out\n")
        for l, layer in enumerate(names):
            for i, name in enumerate(layer):
                deps = " ".join(parents(l, i))
                f.write(f"build {name}: step{' | ' + deps if deps else ''}\n")
        f.write("default " + " ".join(names[-1]) + "\n")


if __name__ == "__main__":
    main()
