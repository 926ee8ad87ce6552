#!/usr/bin/env python3
"""README's command list says what `--help` says: every subcommand of `mnas` appears, every flag a
line of the list names exists in that command's `--help`, every flag of `--help` is in the list,
and a literal value in `[--flag VALUE]` is that flag's default (examples use placeholders in
capitals, like `[--trials N]`, or choices, like `[--reward soft|hard]`).

Usage: readme_commands_test.py README MNAS_BINARY MNAS_DEVICE_BINARY
"""
import re
import subprocess
import sys

FLAG = re.compile(r"--[a-z0-9][a-z0-9-]*")


def command_block(readme):
    """The lines of the fenced block under '## Commands', continuation lines joined."""
    text = open(readme, encoding="utf-8").read()
    section = text.split("\n## Commands\n", 1)
    if len(section) != 2:
        sys.exit(f"{readme}: no '## Commands' section")
    block = section[1].split("```sh\n", 1)[1].split("\n```", 1)[0]
    commands = []
    for line in block.splitlines():
        code = line.split("   #", 1)[0].rstrip()  # a comment after the command
        if not code.strip():
            continue
        if line.startswith((" ", "\t")) and commands:
            commands[-1] += " " + code.strip()
        else:
            commands.append(code.strip())
    return commands


def program_and_subcommand(line, binaries):
    """('mnas', 'lut build') for './build/mnas lut build ...'; None for other lines."""
    words = line.split()
    if words[:1] == ["mpirun"]:
        return None  # `mpirun -np N ./build/mnas search ...` repeats search's flags
    for name in binaries:
        if words and words[0] == "./build/" + name:
            sub = []
            for w in words[1:]:
                if w.startswith(("-", "[", "<")) or w.isupper() or not re.fullmatch(r"[a-z][a-z-]*", w):
                    break
                sub.append(w)
            return name, " ".join(sub)
    return None


def help_options(binary, sub):
    """{flag: its help text} of `binary sub --help`."""
    args = [binary] + (sub.split() if sub else []) + ["--help"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        sys.exit(f"{' '.join(args)} failed: {out.stderr}")
    options, current = {}, []
    in_options = False
    for line in out.stdout.splitlines():
        if line.startswith("Options:"):
            in_options = True
            continue
        if line.startswith(("Subcommands:", "Positionals:")) or (in_options and not line.strip()):
            in_options = False if line.startswith("Subcommands:") else in_options
            if line.startswith(("Subcommands:", "Positionals:")):
                in_options = False
            continue
        if not in_options:
            continue
        if line.startswith("  -"):
            # '  --flag[,--alias] [TYPE [...]] [REQUIRED]  description' (one space when long)
            words = line.split()
            head = []
            while words and (words[0].startswith("-") or re.fullmatch(r"[A-Z]+(:.*)?|\.\.\.|"
                                                                     r"REQUIRED|in|\[.*\]?|-|.*\]",
                                                                     words[0])):
                head.append(words.pop(0))
            current = FLAG.findall(" ".join(head))
            for f in current:
                options[f] = " ".join(words)
        elif current and line.startswith(" " * 10):
            for f in current:
                options[f] += " " + line.strip()
    return options


def subcommands(binary, sub=""):
    args = [binary] + (sub.split() if sub else []) + ["--help"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=60).stdout
    if "Subcommands:" not in out:
        return []
    part = out.split("Subcommands:", 1)[1].split("\n\n", 1)[0]
    return [l.split()[0] for l in part.splitlines() if l.strip()]


def main():
    readme, mnas, device = sys.argv[1:4]
    binaries = {"mnas": mnas, "mnas-device": device}
    failures = []
    listed = {}
    for line in command_block(readme):
        found = program_and_subcommand(line, binaries)
        if found is None:
            continue
        name, sub = found
        key = (name, sub)
        listed.setdefault(key, []).append(line)

    # Every subcommand (and sub-subcommand) of mnas is listed.
    for sub in subcommands(mnas):
        nested = subcommands(mnas, sub)
        for full in ([f"{sub} {n}" for n in nested] if nested else [sub]):
            if ("mnas", full) not in listed:
                failures.append(f"README's command list has no line for `mnas {full}`")

    for (name, sub), lines in sorted(listed.items()):
        options = help_options(binaries[name], sub)
        text = " ".join(lines)
        in_readme = set(FLAG.findall(text))
        what = f"{name} {sub}".strip()
        for flag in sorted(in_readme - set(options)):
            failures.append(f"README lists {flag} for `{what}`; its --help has no such option")
        for flag in sorted(set(options) - in_readme - {"--help", "--version"}):
            failures.append(f"`{what} --help` has {flag}; README's command list does not")
        # A literal value shown for a flag must be its default.
        for flag, value in re.findall(r"\[(--[a-z0-9-]+) ([^\]\s|]+)\]", text):
            if value.startswith("[") or re.search(r"[A-Z]", value) or flag not in options:
                continue  # a placeholder: FILE, N, HxWxC, FILE.html, [NAME=]FILE
            v = re.escape(value)
            if not re.search(r"default:? " + v + r"(?![\w.])|(?<![\w.])" + v + r" \(default",
                             options[flag]):
                failures.append(f"README shows [{flag} {value}] for `{what}`, but its --help "
                                f"does not give {value} as the default: '{options[flag]}'")
    for f in failures:
        print("FAILED:", f)
    print(f"{len(listed)} commands checked, {len(failures)} disagreements")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
