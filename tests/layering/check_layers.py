#!/usr/bin/env python3
"""check_layers.py - src/ is layered: a folder never includes one above it.

    check_layers.py SRC_DIR [OBJECT_FILE ...]

Reads every #include "..." of SRC_DIR/<folder>/*.[ch] and fails, naming
each offending line, when:
  - a file includes a header of a folder ABOVE its own (the order below),
  - a file includes a header of a folder that is not in the order,
  - an include reaches out with "../" or names a header that does not exist,
  - a public entry point (BITS_API) is defined outside src/api/.
With object files (the library's), it also fails when one of them defines
an external symbol that is neither a public name (bits_*, in api/) nor an
internal one carrying the ob_ prefix, so nothing internal looks public.
"""
import os
import re
import subprocess
import sys

# Bottom to top. A folder may include its own headers and those of any
# folder before it.
ORDER = ["util", "model", "fs", "store", "events", "engine", "api"]
RANK = {name: i for i, name in enumerate(ORDER)}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def check_includes(src):
    problems = []
    for folder in sorted(os.listdir(src)):
        path = os.path.join(src, folder)
        if not os.path.isdir(path):
            continue
        if folder not in RANK:
            problems.append(f"{folder}/: a folder that is not in the layer order {ORDER}")
            continue
        for name in sorted(os.listdir(path)):
            if not name.endswith((".c", ".h")):
                continue
            rel = f"{folder}/{name}"
            with open(os.path.join(path, name), encoding="utf-8") as f:
                lines = f.readlines()
            for number, line in enumerate(lines, 1):
                m = INCLUDE.match(line)
                if m:
                    problems += check_edge(src, rel, number, folder, m.group(1))
                if "BITS_API" in line and folder != "api" and "(" in line:
                    problems.append(f"{rel}:{number}: a public function outside src/api/")
    return problems


def check_edge(src, rel, number, folder, target):
    if target.startswith("openbits/"):
        return []  # the public headers: every layer may use the types
    if ".." in target.split("/"):
        return [f"{rel}:{number}: \"{target}\" reaches out of its folder with ../"]
    parts = target.split("/")
    if len(parts) == 1:
        parts = [folder, target]  # a header of the same folder
    other = parts[0]
    if other not in RANK:
        return [f"{rel}:{number}: \"{target}\" is in no layer"]
    if not os.path.exists(os.path.join(src, *parts)):
        return [f"{rel}:{number}: \"{target}\" does not exist"]
    if RANK[other] > RANK[folder]:
        return [f"{rel}:{number}: {folder}/ includes \"{target}\" of {other}/, a layer above it"]
    return []


def check_symbols(objects):
    problems = []
    for obj in objects:
        out = subprocess.run(["nm", "-g", "--defined-only", obj], capture_output=True,
                             text=True, check=True).stdout
        in_api = "/api/" in obj.replace(os.sep, "/")
        for line in out.splitlines():
            fields = line.split()
            if len(fields) < 3:
                continue
            symbol = fields[2]
            if symbol.startswith("__"):
                continue  # the compiler's and sanitizers' own (__odr_asan.*, ...)
            if symbol.startswith("ob_"):
                continue
            if symbol.startswith("bits_") and in_api:
                continue
            problems.append(f"{os.path.basename(obj)}: external symbol {symbol} has neither "
                            "the ob_ prefix nor a public name defined in api/")
    return problems


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    problems = check_includes(argv[1]) + check_symbols(argv[2:])
    for p in problems:
        print(f"layering: {p}", file=sys.stderr)
    if not problems:
        print(f"layering: {' < '.join(ORDER)}: no include goes up, every symbol is named")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
