"""Dump the `--help` of every command and sub-command of a CLI, so a refactor can prove the tree is unchanged.

    python scripts/dump_cli_help.py [--out FILE] [--jobs N] -- COMMAND [ARGS...]

e.g. before and after a move:

    cd /tmp/old && PYTHONPATH=src python /work/main/scripts/dump_cli_help.py --out /tmp/before.txt \
        -- python -m cobro.cli.main
    python scripts/dump_cli_help.py --out /tmp/after.txt -- .venv/bin/cobro
    diff /tmp/before.txt /tmp/after.txt

The help is rendered wide and without colour; the program name on the `Usage:` lines is replaced by `cobro` and
those lines are unwrapped, because both depend on how the CLI was started, not on the command tree.
Sub-commands are found in the `Commands` panels (Rich) or the `Commands:` section (plain Click), in the order the
CLI lists them, so a changed order shows up in the diff too.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

WIDTH = "200"
_RICH_ROW = re.compile(r"^│ (\S+)\s")  # a command's first line in a Rich panel (continuations are indented)
_PLAIN_ROW = re.compile(r"^  (\S+)(\s|$)")


def render(prefix: list[str], path: list[str]) -> str:
    env = {**os.environ, "COLUMNS": WIDTH, "TERMINAL_WIDTH": WIDTH, "NO_COLOR": "1", "TERM": "dumb"}
    done = subprocess.run([*prefix, *path, "--help"], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        return f"exit {done.returncode}\n{done.stdout}{done.stderr}"
    return "\n".join(line.rstrip() for line in done.stdout.splitlines()).strip("\n") + "\n"


def unwrap_usage(text: str) -> str:
    """The `Usage:` line in one piece: where it wraps depends on the program name's length."""
    lines = text.splitlines()
    out: list[str] = []
    in_usage = False
    for line in lines:
        if in_usage and line.strip():
            out[-1] += " " + line.strip()
            continue
        in_usage = line.lstrip().startswith("Usage:")
        out.append(line)
    return "\n".join(out) + "\n"


def subcommands(text: str) -> list[str]:
    """The command names of the help's `Commands` panels or section, in listed order."""
    names: list[str] = []
    inside = plain = False
    for line in text.splitlines():
        if line.startswith("╭") and "Commands" in line:
            inside, plain = True, False
        elif line.startswith("Commands:"):
            inside, plain = True, True
        elif inside and (line.startswith("╰") or (plain and line and not line.startswith(" "))):
            inside = False
        elif inside:
            found = (_PLAIN_ROW if plain else _RICH_ROW).match(line)
            if found:
                names.append(found.group(1))
    return names


def program(text: str) -> str:
    """How the root help names the program (`python -m cobro.cli.main`, `cobro`)."""
    found = re.search(r"Usage: (.+?) \[OPTIONS\]", text)
    return found.group(1) if found else ""


def dump(prefix: list[str], jobs: int) -> str:
    root = render(prefix, [])
    prog = program(root)
    pages: dict[tuple[str, ...], str] = {(): root}
    order: list[tuple[str, ...]] = [()]
    frontier = [(name,) for name in subcommands(root)]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        while frontier:
            texts = list(pool.map(lambda p: render(prefix, list(p)), frontier))
            following: list[tuple[str, ...]] = []
            for path, text in zip(frontier, texts, strict=True):
                pages[path] = text
                following.extend((*path, name) for name in subcommands(text))
            order.extend(frontier)
            frontier = following
    order.sort()  # depth-first reading order: a group, then its commands
    out: list[str] = []
    for path in order:
        text = unwrap_usage(pages[path])
        text = text.replace(f"Usage: {prog} ", "Usage: cobro ") if prog else text
        out.append(f"=== cobro {' '.join(path)}".rstrip() + "\n" + text)
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="Write the dump here (default: stdout).")
    parser.add_argument("--jobs", type=int, default=2, help="Help pages rendered at once (default 2).")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="The CLI to run, after `--`.")
    args = parser.parse_args(argv)
    prefix = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not prefix:
        parser.error("give the command after `--`, e.g. `-- .venv/bin/cobro`")
    text = dump(prefix, max(1, args.jobs))
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
