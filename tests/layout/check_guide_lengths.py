#!/usr/bin/env python3
"""The plugin guide's figures on how long a plugin is, checked against the files themselves.

docs/plugin-guide.md says how many lines a minimal source plugin (tests/plugins/option_probe.cpp)
and the example adapter (examples/adapter-example/src/education_diary.cpp) take. A change to
either file that the guide does not follow fails here, so the figures a newcomer reads stay true.
The example adapter must also stay shorter than it was on SDK 0.1 (287 lines).

Usage: check_guide_lengths.py REPO_ROOT
"""
import os
import re
import sys

SDK_0_1_EXAMPLE_LINES = 287

# (file, pattern whose group 1 is the guide's figure for it)
CLAIMS = [
    ("tests/plugins/option_probe.cpp", r"option_probe\.cpp`.*?is (\d+) lines with its comments"),
    ("examples/adapter-example/src/education_diary.cpp",
     r"The example adapter,.*?is (\d+) lines with its comments"),
]


def main(root):
    with open(os.path.join(root, "docs/plugin-guide.md"), encoding="utf-8") as f:
        guide = f.read()
    failures = []
    lengths = {}
    for path, pattern in CLAIMS:
        with open(os.path.join(root, path), encoding="utf-8") as f:
            lines = f.read().count("\n")
        lengths[path] = lines
        m = re.search(pattern, guide, re.S)
        if not m:
            failures.append(f"docs/plugin-guide.md does not say how long {path} is")
        elif int(m.group(1)) != lines:
            failures.append(f"docs/plugin-guide.md says {path} is {m.group(1)} lines; it is {lines}")
    example = lengths["examples/adapter-example/src/education_diary.cpp"]
    if example >= SDK_0_1_EXAMPLE_LINES:
        failures.append(f"the example adapter is {example} lines, no shorter than on SDK 0.1 "
                        f"({SDK_0_1_EXAMPLE_LINES})")
    for f in failures:
        print(f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
