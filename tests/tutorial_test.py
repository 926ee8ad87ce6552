#!/usr/bin/env python3
"""docs/tutorial.md runs as written: its shell blocks marked `<!-- tutorial: here -->`, in order, in
one bash with `set -e`, on a generated 3-class folder of 32x32 colour images, with an mnas-device
on loopback as the board (the `board` block's command, run here) and the tiny budgets the page
lists at its end. Then: the exported file's accuracy in another engine (examples/check_onnx.py)
equals `mnas eval` of the checkpoint, and the finalist is the most accurate trial within T.

Usage: tutorial_test.py REPO_ROOT BUILD_DIR
"""
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

# What the page says the test changes (docs/tutorial.md, "What the test changes").
SUBSTITUTIONS = [
    ("--input 96x96x3", "--input 32x32x3"),
    ("--trials 48", "--trials 4 --batch 2 --train-images 120 --holdout 30 "
                    "--references mnasnet-small"),
    ("--holdout 0", "--holdout 0 --epochs 5"),
]


def blocks(page, kind):
    """The ```sh blocks preceded by <!-- tutorial: KIND -->, in order."""
    text = open(page, encoding="utf-8").read()
    return re.findall(r"<!-- tutorial: " + kind + r" -->\n```sh\n(.*?)\n```", text, re.S)


def make_folder(root):
    """root/{train,test}/{blue,green,red}/N.png: 32x32 images, one colour channel bright."""
    from PIL import Image
    rng = random.Random(3)
    for split, count in (("train", 50), ("test", 12)):
        for c, name in enumerate(("blue", "green", "red")):
            folder = os.path.join(root, split, name)
            os.makedirs(folder)
            for i in range(count):
                pixels = bytearray()
                for _ in range(32 * 32):
                    rgb = [rng.randrange(0, 110) for _ in range(3)]
                    rgb[2 - c] += rng.randrange(90, 145)  # red=0 is channel 0: blue is 2
                    pixels += bytes(rgb)
                Image.frombytes("RGB", (32, 32), bytes(pixels)).save(
                    os.path.join(folder, f"{i}.png"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    root, build = sys.argv[1], sys.argv[2]
    page = os.path.join(root, "docs", "tutorial.md")
    here, board = blocks(page, "here"), blocks(page, "board")
    if len(here) < 6 or len(board) != 1:
        print(f"FAILED: {page}: {len(here)} blocks for this machine, {len(board)} for the board")
        return 1
    work = tempfile.mkdtemp(prefix="mnas_tutorial_")
    device = None
    try:
        images = os.path.join(work, "images")
        make_folder(images)
        # The board: its block's commands, with this build's mnas-device on loopback.
        os.symlink(os.path.join(build, "mnas-device"), os.path.join(work, "mnas-device"))
        os.symlink(build, os.path.join(work, "build"))
        os.symlink(os.path.join(root, "examples"), os.path.join(work, "examples"))
        port = free_port()
        start = board[0].replace("0.0.0.0:8765", f"127.0.0.1:{port}")
        lines = [l for l in start.splitlines() if l.strip()]
        subprocess.run(["bash", "-ec", lines[0]], cwd=work, check=True)
        device = subprocess.Popen(["bash", "-ec", "exec " + lines[1]], cwd=work,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        script = "\n".join(here)
        for old, new in SUBSTITUTIONS:
            if old not in script:
                print(f"FAILED: the page no longer has '{old}' (update the test and the page)")
                return 1
            script = script.replace(old, new)
        # The page's variables, set for this run (the first block's own values are replaced).
        script = re.sub(r"^IMAGES=.*$", f"IMAGES={images}", script, flags=re.M)
        script = re.sub(r"^BOARD=.*$", f"BOARD=http://127.0.0.1:{port}", script, flags=re.M)
        env = dict(os.environ, PATH="/usr/bin:/bin:" + os.environ.get("PATH", ""))
        started = time.time()
        run = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=work, env=env,
                             capture_output=True, text=True, timeout=900)
        print(run.stdout[-4000:])
        print(run.stderr[-4000:], file=sys.stderr)
        if run.returncode != 0:
            print(f"FAILED: the tutorial's commands exited {run.returncode}")
            return 1
        print(f"tutorial: every command ran in {time.time() - started:.0f} s")

        failures = []
        finalists = json.load(open(os.path.join(work, "finalists.json")))["finalists"]
        ckpt = finalists[0]["checkpoint"]
        check = json.loads(subprocess.run(
            ["/usr/bin/python3", os.path.join(root, "examples", "check_onnx.py"),
             os.path.join(work, "pets.onnx"), os.path.join(images, "test"), "--json"],
            capture_output=True, text=True, check=True).stdout)
        ev = json.loads(subprocess.run([os.path.join(build, "mnas"), "eval", ckpt, "--json"],
                                       cwd=work, capture_output=True, text=True,
                                       check=True).stdout)
        if check["images"] != 36 or abs(check["top1"] - ev["top1"]) > 1 / 36 + 1e-9:
            failures.append(f"{check['engine']} gives {check} on the exported file, mnas eval "
                            f"{ev['top1']} on its checkpoint")
        described = json.loads(subprocess.run(
            [os.path.join(build, "mnas"), "export", "--describe", "pets.onnx", "--json"],
            cwd=work, capture_output=True, text=True, check=True).stdout)
        if described["metadata"].get("mnas.labels") != '["blue","green","red"]' or \
                described["metadata"].get("mnas.channel_order") != "RGB":
            failures.append(f"the exported file's notes: {described['metadata']}")
        if ev["top1"] <= 1 / 3:
            failures.append(f"the finalist is at chance on 3 classes: {ev['top1']}")
        # The finalist: the most accurate trial within T (every trial here is: T is 20 ms).
        results = json.loads(subprocess.run(
            [os.path.join(build, "mnas"), "results", os.path.join(work, "pets.db"), "--json",
             "--top", "100"], capture_output=True, text=True, check=True).stdout)
        best = max(results["top"], key=lambda t: t["accuracy"])
        if finalists[0]["trial"] != best["id"]:
            failures.append(f"finalist is trial {finalists[0]['trial']}, the most accurate "
                            f"within T is {best['id']}")
        if results["config"]["space"]["input"] != {"height": 32, "width": 32, "channels": 3} or \
                results["config"]["space"]["classes"] != 3:
            failures.append(f"the search's space: {results['config']['space']}")
        for f in failures:
            print("FAILED:", f)
        print(f"{check['engine']}: top-1 {check['top1']:.4f}; mnas eval {ev['top1']:.4f}")
        return 1 if failures else 0
    finally:
        if device is not None:
            device.terminate()
            device.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
