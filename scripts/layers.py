#!/usr/bin/env python3
"""The house's layers, checked: no include and no call goes from a lower layer to a higher one.

docs/architecture.md draws the layers; LAYERS below is their order, lowest first. A folder may
include the public headers (include/) and headers of its own layer or lower ones, and may call
functions defined in its own layer or lower ones. The command (cli/) includes only public
headers. Calls are read from the objects of a build ($BUILD/src/<folder>/*.o, through gcc-nm,
which reads LTO objects too): a symbol one folder's objects need and another's define is a call
between the two. Since every edge must go down (or stay inside its folder), no two folders can
tie each other in a cycle.

    python3 scripts/layers.py [--root DIR] [BUILD]
        exit 0 when the house holds, 1 with each breach listed. DIR is the tree to check (this
        script's own by default; tests/cli/layers.sh points it at a deliberately bad one), BUILD
        the build folder under it whose objects are read (build by default).

Why this order: the kernel (core) knows nothing; the sim and its blocks (blocks) run a model
description; decision logic (logic) plugs into blocks through a block's hook (a function
pointer); the model files (model) are read into that description, and the loader compiles the
rules a file carries, so it sits above logic. The writers (results) take plain results and summaries (struct tsim_result,
their own rows) and write them: they know no driver, so every driver can use them. The drivers
sit above: replications, experiments and the optimizer (run) stream their rows into the
writers as they finish (that is what makes a run survive Ctrl-C and --resume); the GPU batch
(gpu) and the live twin (twin) drive the sim and use run's replications; the web server (web)
shows what the others produce. The command (cli/) is above everything and sees only include/.
"""
import os
import re
import subprocess
import sys

# Lowest first. A folder missing from the tree is skipped; a folder in the tree missing here is
# an error, so a new folder must be given its place.
LAYERS = ["core", "blocks", "logic", "model", "results", "run", "gpu", "twin", "web"]

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def rank(folder):
    return LAYERS.index(folder)


def src_folders(root):
    d = os.path.join(root, "src")
    return sorted(f for f in os.listdir(d) if os.path.isdir(os.path.join(d, f)))


def where(root, inc, includer):
    """The folder an include names: 'include', a src folder, 'cli', or None (system/unknown)."""
    if os.path.exists(os.path.join(root, "include", inc)):
        return "include"
    if "/" in inc and os.path.exists(os.path.join(root, "src", inc)):
        return inc.split("/")[0]
    here = os.path.dirname(includer)
    if os.path.exists(os.path.join(here, inc)):
        return os.path.basename(here) if here.endswith("cli") else here.split(os.sep)[-1]
    return None


def check_includes(root, problems):
    for top in ("src", "cli"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, root)
                me = "cli" if top == "cli" else rel.split(os.sep)[1]
                with open(path, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
                for inc in INCLUDE_RE.findall(text):
                    to = where(root, inc, path)
                    if to in (None, "include", me):
                        continue
                    if me == "cli":
                        problems.append(f"{rel}: includes \"{inc}\": the command uses the public "
                                        f"headers only")
                    elif to == "cli":
                        problems.append(f"{rel}: includes \"{inc}\" from the command")
                    elif rank(to) > rank(me):
                        problems.append(f"{rel}: includes \"{inc}\": {me} is below {to}")


def nm(obj):
    out = subprocess.run(["gcc-nm", "--format=posix", obj], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"layers: gcc-nm failed on {obj}: {out.stderr.strip()}")
    defined, needed = set(), set()
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        name, kind = parts[0], parts[1]
        if kind == "U":
            needed.add(name)
        elif kind.upper() in "TDBRWVGS":
            defined.add(name)
    return defined, needed


def check_calls(root, build, problems):
    objdir = os.path.join(root, build, "src")
    if not os.path.isdir(objdir):
        raise SystemExit(f"layers: no objects under {objdir}: build first")
    owner, needs = {}, []
    for folder in os.listdir(objdir):
        for dirpath, _, files in os.walk(os.path.join(objdir, folder)):
            for f in files:
                # An object whose source has gone (moved or deleted since the last build) is
                # stale: it is not part of the house any more.
                src = os.path.join(root, os.path.relpath(dirpath, os.path.join(root, build)),
                                   f[:-2] + ".c")
                if f.endswith(".o") and os.path.exists(src):
                    d, n = nm(os.path.join(dirpath, f))
                    for s in d:
                        owner[s] = folder
                    needs.append((folder, os.path.join(folder, f[:-2] + ".c"), n))
    seen = set()
    for folder, unit, needed in needs:
        for s in sorted(needed):
            to = owner.get(s)
            if to is None or to == folder or (unit, s) in seen:
                continue
            seen.add((unit, s))
            if rank(to) > rank(folder):
                problems.append(f"src/{unit}: calls {s}, defined in src/{to}: {folder} is below {to}")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    args = sys.argv[1:]
    if args[:1] == ["--root"]:
        if len(args) < 2:
            raise SystemExit("layers: '--root' needs a folder")
        root, args = os.path.abspath(args[1]), args[2:]
    build = args[0] if args else "build"
    problems = []
    for f in src_folders(root):
        if f not in LAYERS:
            problems.append(f"src/{f}: a folder without a layer (add it to LAYERS in scripts/layers.py "
                            f"and to docs/architecture.md)")
    if not problems:
        check_includes(root, problems)
        check_calls(root, build, problems)
    for p in problems:
        print(p)
    print(f"layers: {len(problems)} breach{'es' if len(problems) != 1 else ''}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
