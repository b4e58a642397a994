#!/usr/bin/env python3
"""The house drawn from the code: every #include of src/ points down the layers.

    python3 tests/lint_layers.py [SRC]        check (ctest lint.layers)
    python3 tests/lint_layers.py --dot [SRC]  print the module graph (graphviz)

A module is a folder of src/ (main.c is the top). A file may include its own
module's headers and those of any module below it in LAYERS; an include that
runs back up fails, and so does a circle of headers including each other.
`finding` sits below `rules` (rules, and the model review, produce findings;
reports, forges and memory read them) and `net` below `review` (review is a
client of it, like the forges).
"""
import os
import re
import sys

LAYERS = ["util", "config", "change", "syntax", "crate", "finding", "rules", "net", "review", "report",
          "forge", "memory", "run", "cmd", "main.c"]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module_of(rel):
    return rel.split("/", 1)[0] if "/" in rel else rel


def main():
    args = [a for a in sys.argv[1:] if a != "--dot"]
    src = os.path.abspath(args[0] if args else os.path.join(os.path.dirname(__file__), "..", "src"))
    edges = {}  # file -> included files, both relative to src
    for root, _, names in os.walk(src):
        for name in names:
            if name.endswith((".c", ".h")):
                path = os.path.join(root, name)
                rel = os.path.relpath(path, src)
                with open(path, encoding="utf-8") as f:
                    edges[rel] = [i for i in INCLUDE.findall(f.read()) if "/" in i or i in edges]
    if "--dot" in sys.argv:
        pairs = sorted({(module_of(a), module_of(b)) for a, incs in edges.items() for b in incs
                        if module_of(a) != module_of(b)})
        print("digraph crabgate {\n  rankdir=BT;")
        for a, b in pairs:
            print(f'  "{a}" -> "{b}";')
        print("}")
        return 0
    problems = []
    for rel, incs in sorted(edges.items()):
        mod = module_of(rel)
        if mod not in LAYERS:
            problems.append(f"src/{rel}: module '{mod}' has no place in LAYERS (tests/lint_layers.py)")
            continue
        for inc in incs:
            target = module_of(inc)
            if target not in LAYERS:
                problems.append(f"src/{rel}: includes \"{inc}\" of unknown module '{target}'")
            elif LAYERS.index(target) > LAYERS.index(mod):
                problems.append(f"src/{rel}: includes \"{inc}\": {mod} may not use {target}, a layer above it")
    # Circles of headers: a depth-first walk over header-to-header includes.
    state = {}

    def visit(h, stack):
        state[h] = 1
        stack.append(h)
        for inc in edges.get(h, []):
            if not inc.endswith(".h") or inc not in edges:
                continue
            if state.get(inc) == 1:
                cycle = stack[stack.index(inc):] + [inc]
                problems.append("include circle: " + " -> ".join(cycle))
            elif not state.get(inc):
                visit(inc, stack)
        stack.pop()
        state[h] = 2

    for h in sorted(e for e in edges if e.endswith(".h")):
        if not state.get(h):
            visit(h, [])
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} include(s) break the layers: " + " < ".join(LAYERS))
        return 1
    print(f"{len(edges)} files, every include points down: " + " < ".join(LAYERS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
