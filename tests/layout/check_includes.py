#!/usr/bin/env python3
"""The layout rule of ARCHITECTURE.md, checked from the code's own #include lines.

- sdk/, the bundled plugins (plugins/), the sector adapters (adapters/) and the example adapter include nothing from hub/: they
  build against the installed SDK alone.
- Each folder of hub/ stands on a floor; a folder includes only folders on lower floors (never one
  beside it or above it), so the folders cannot form a loop.
- Inside one folder, files do not include each other in a loop (a.cpp/.hpp and b.cpp/.hpp count
  as the units a and b).

Usage: check_includes.py REPO_ROOT        exit 0 when the rule holds, 1 with every breach listed
       check_includes.py --self-test      checks that each kind of breach is found
"""
import os
import re
import sys
import tempfile

# The floors of hub/, from the ground up. Keep in step with ARCHITECTURE.md ("Layout rule").
FLOORS = {
    "base": 0,
    "model": 1,
    "metrics": 1,
    "i18n": 1,
    "xml": 2,
    "http": 2,
    "exchange": 3,
    "store": 3,
    "intake": 4,
    "evidence": 4,
    "delivery": 4,
    "export": 4,
    "dashboard": 4,
    "plugin_host": 4,
    "isolation": 5,
    "api": 5,
    "runtime": 6,
    "testkit": 6,
    "app": 7,
    "main.cpp": 8,
}

# Trees that build against the installed SDK alone.
SDK_ONLY = ["sdk", "plugins", "adapters", "examples/adapter-example"]

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]', re.M)
SOURCE = (".c", ".cc", ".cpp", ".h", ".hpp")


def sources(root, top):
    base = os.path.join(root, top)
    if os.path.isfile(base):
        yield top
        return
    for folder, dirs, files in os.walk(base):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "build"]
        for f in sorted(files):
            if f.endswith(SOURCE):
                yield os.path.relpath(os.path.join(folder, f), root)


def includes(root, path):
    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
        return INCLUDE.findall(f.read())


def folder_of(path):
    """'hub/store/x.cpp' -> 'store'; 'hub/main.cpp' -> 'main.cpp'."""
    parts = path.split("/")
    return parts[1] if len(parts) > 1 else None


def unit_of(path):
    return os.path.splitext(os.path.basename(path))[0]


def find_cycle(graph):
    """A list of nodes forming a cycle in {node: set(nodes)}, or None."""
    colour = {}
    stack = []

    def visit(n):
        colour[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if colour.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in colour:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        colour[n] = 2
        return None

    for n in sorted(graph):
        if n not in colour:
            found = visit(n)
            if found:
                return found
    return None


def check(root):
    problems = []
    for top in SDK_ONLY:
        if not os.path.exists(os.path.join(root, top)):
            continue
        for path in sources(root, top):
            for inc in includes(root, path):
                if inc.startswith("hub/"):
                    problems.append(
                        f"{path}: includes \"{inc}\": {top}/ builds against the installed SDK "
                        "alone; reach the hub through the host API table (sdk/ijro_plugin.h) or "
                        "a header the SDK ships")

    units = {}  # folder -> {unit: set(units)}
    for path in sources(root, "hub"):
        here = folder_of(path)
        if here not in FLOORS:
            problems.append(f"{path}: folder hub/{here} has no floor in the layout rule: add it "
                            "to FLOORS in tests/layout/check_includes.py and to ARCHITECTURE.md")
            continue
        for inc in includes(root, path):
            if not inc.startswith("hub/"):
                continue
            there = folder_of(inc)
            if there == here:
                units.setdefault(here, {}).setdefault(unit_of(path), set()).add(unit_of(inc))
                continue
            if there not in FLOORS or FLOORS[there] >= FLOORS[here]:
                problems.append(
                    f"{path}: includes \"{inc}\": hub/{here} (floor {FLOORS[here]}) may include "
                    f"only folders below it, and hub/{there} is on floor "
                    f"{FLOORS.get(there, '?')}; move the shared part down or turn the call "
                    "around (a callback or an interface owned by the lower folder)")

    for folder, graph in sorted(units.items()):
        for unit in graph:
            graph[unit].discard(unit)
        cycle = find_cycle(graph)
        if cycle:
            problems.append(f"hub/{folder}: files include each other in a loop: "
                            + " -> ".join(cycle)
                            + "; move what both need into a header of its own")
    return problems


def self_test():
    cases = {
        "sdk": ({"sdk/a.hpp": '#include "hub/model/types.hpp"\n'}, "builds against the installed"),
        "plugin": ({"plugins/p/p.cpp": '#include "hub/xml/safe_reader.hpp"\n'},
                   "builds against the installed"),
        "upward": ({"hub/model/m.cpp": '#include "hub/store/store.hpp"\n',
                    "hub/store/store.hpp": ""}, "may include only folders below"),
        "sideways": ({"hub/xml/x.cpp": '#include "hub/http/server.hpp"\n',
                      "hub/http/server.hpp": ""}, "may include only folders below"),
        "unknown": ({"hub/newroom/n.cpp": ""}, "has no floor"),
        "loop": ({"hub/store/a.cpp": '#include "hub/store/b.hpp"\n',
                  "hub/store/b.cpp": '#include "hub/store/a.hpp"\n'}, "in a loop"),
    }
    failed = 0
    for name, (files, expected) in cases.items():
        with tempfile.TemporaryDirectory() as root:
            for path, text in files.items():
                os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
                with open(os.path.join(root, path), "w") as f:
                    f.write(text)
            problems = check(root)
            if not any(expected in p for p in problems):
                print(f"self-test {name}: not found (expected \"{expected}\"), got {problems}")
                failed += 1
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "hub/store"))
        os.makedirs(os.path.join(root, "hub/model"))
        with open(os.path.join(root, "hub/store/s.cpp"), "w") as f:
            f.write('#include "hub/model/types.hpp"\n#include "hub/store/s.hpp"\n')
        if check(root):
            print(f"self-test clean: a tree that keeps the rule was refused: {check(root)}")
            failed += 1
    print("self-test: all breaches found" if failed == 0 else f"self-test: {failed} failed")
    return 1 if failed else 0


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--self-test":
        return self_test()
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    problems = check(sys.argv[1])
    for p in problems:
        print(p)
    if not problems:
        print("layout: sdk/ and plugins/ include nothing of hub/; hub/ folders include only "
              "lower floors; no include loops")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
