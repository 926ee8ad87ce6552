#!/usr/bin/env python3
"""The module rules of docs/design.md hold in src/: every production file (tests and their helpers
aside) includes only its own module and the modules below it, LibTorch only where training lives,
and each outside library only in the module that wraps it. Run with --check-detects to see it fail
on deliberate violations (a copy of src/ with a LibTorch include in space/ and an upward include
in latency/); CTest runs both.

Usage: dependency_rules_test.py SRC_DIR [--check-detects]
"""
import os
import re
import shutil
import sys
import tempfile

# Who may include whom (docs/design.md, "Modules"); a module may always include itself.
ALLOWED = {
    "base": set(),
    "space": {"base"},
    "detection": {"base", "space"},
    "graph": {"base", "space", "detection"},  # detector_graph.h: SSDLite's layout
    "testing": {"base", "space"},  # what tests share; no production file includes it
    "table": {"base", "space"},
    "latency": {"base", "space", "graph"},
    "export": {"base", "space", "graph", "latency", "detection"},  # a detector's boxes
    "serve": {"base", "space", "graph", "latency"},
    "devices": {"base", "space", "graph", "latency", "export"},
    "nn": {"base", "space", "detection"},
    "data": {"base", "space", "detection"},
    "train": {"base", "space", "graph", "latency", "detection", "data", "nn"},  # latency: XNNPACK evaluation
    "store": {"base", "space", "table"},
    "search": {"base", "space", "graph", "latency", "export", "devices", "table", "store",
               "detection", "data", "train"},
    "mpi": {"base", "space", "latency", "store", "search", "train"},
    "report": {"base", "space", "store", "search"},
    "cli": {"base", "space", "graph", "table", "latency", "export", "devices", "serve", "nn",
            "detection", "data", "train", "store", "search", "mpi", "report"},
    # python/search_module.cc (mnas._mnas_search, mnas.Search) links the search; the rest of
    # python/ (mnas._mnas, what `import mnas` loads) stays torch-free: TORCH_FREE_FILES.
    "python": {"base", "space", "graph", "latency", "devices", "store", "search", "train"},
}

# Files of a module that may include fewer modules than the module: `import mnas` must not load
# LibTorch, so the files of mnas._mnas include no module that includes it.
TORCHED = {"search", "train", "nn", "data", "mpi", "report", "cli"}
TORCH_FREE_FILES = {"python/module.cc", "python/store_bindings.cc", "python/json_convert.cc",
                    "python/errors.h",
                    "python/json_convert.h", "python/interruptible.h"}

# Outside libraries: the modules that may include them directly.
LIBRARIES = {
    "torch/": {"data", "nn", "train", "search"},  # LibTorch: never space, latency, serve, export
    "ATen/": {"data", "nn", "train", "search"},
    "c10/": {"data", "nn", "train", "search"},
    "sqlite3.h": {"store"},
    "mpi.h": {"mpi"},
    "onnx/": {"export"},
    "xnnpack.h": {"latency"},
    "pthreadpool.h": {"latency"},
    "httplib.h": {"latency", "serve"},            # the device client and the device server
    "stb/": {"data"},
    "pybind11/": {"python"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]', re.M)


def production_files(src):
    for module in sorted(os.listdir(src)):
        folder = os.path.join(src, module)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".h", ".cc")) or "_test" in name:
                continue
            yield module, os.path.join(folder, name)


def violations(src):
    found = []
    for module, path in production_files(src):
        if module not in ALLOWED:
            found.append(f"{path}: module '{module}' is not in docs/design.md's table")
            continue
        text = open(path, encoding="utf-8", errors="replace").read()
        for kind, target in INCLUDE.findall(text):
            if kind == '"':
                other = target.split("/", 1)[0]
                if "/" in target and other != module and other not in ALLOWED[module]:
                    found.append(f"{path}: includes \"{target}\": {module}/ may include only "
                                 f"{', '.join(sorted(ALLOWED[module])) or 'nothing of mnas'}")
                relative = module + "/" + os.path.basename(path)
                if relative in TORCH_FREE_FILES and other in TORCHED:
                    found.append(f"{path}: includes \"{target}\": {relative} is part of what "
                                 "`import mnas` loads, which must not load LibTorch")
            else:
                for prefix, owners in LIBRARIES.items():
                    if target.startswith(prefix) and module not in owners:
                        found.append(f"{path}: includes <{target}>: only "
                                     f"{', '.join(sorted(owners))} may")
    return found


def check_detects(src):
    """The rules catch what they are for: a copy of src/ with two deliberate violations."""
    work = tempfile.mkdtemp(prefix="mnas_deps_")
    try:
        copy = os.path.join(work, "src")
        shutil.copytree(src, copy)
        with open(os.path.join(copy, "space", "zz_violation.h"), "w") as f:
            f.write("#include <torch/torch.h>\n")
        with open(os.path.join(copy, "latency", "zz_violation.cc"), "w") as f:
            f.write('#include "store/store.h"\n')
        with open(os.path.join(copy, "python", "module.cc"), "a") as f:
            f.write('#include "search/ask_tell.h"\n')
        found = violations(copy)
        wanted = ["space/zz_violation.h: includes <torch/torch.h>",
                  'latency/zz_violation.cc: includes "store/store.h"',
                  'python/module.cc: includes "search/ask_tell.h"']
        missed = [w for w in wanted if not any(w in v for v in found)]
        for v in found:
            print("detected:", v)
        return missed
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    src = sys.argv[1]
    if "--check-detects" in sys.argv[2:]:
        missed = check_detects(src)
        for m in missed:
            print("FAILED: not detected:", m)
        return 1 if missed else 0
    found = violations(src)
    for v in found:
        print("FAILED:", v)
    count = sum(1 for _ in production_files(src))
    print(f"{count} files checked against the module rules, {len(found)} violations")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
