#!/usr/bin/env python3
"""Runs golden cases under dosh, dash and bash --posix and counts the cases each one fails.

    Tests/DoshEndToEndTests/Golden/compare_shells.py            # the posix-*.test files
    Tests/DoshEndToEndTests/Golden/compare_shells.py --all      # every .test file
    Tests/DoshEndToEndTests/Golden/compare_shells.py -v FILE…   # and name each failure

A case runs as GoldenTests.swift runs it: `script.sh` in an empty scratch directory (or the
script on standard input, or after `-c`), with PATH, HOME and LC_ALL=C only. Standard output and
the exit status are compared for every shell; the expected standard error only for dosh, since
each shell words its messages (and their `script.sh: line N:` prefix) its own way.
"""

import argparse
import concurrent.futures
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile

GOLDEN = pathlib.Path(__file__).resolve().parent
ROOT = GOLDEN.parents[2]


def parse(path):
    """The cases of one .test file, as GoldenFiles.parse reads them."""
    cases, current, section, lines, no_newline = [], None, "script", [], False

    def flush():
        nonlocal lines, no_newline
        if current is None:
            return
        if no_newline:
            while lines and lines[-1] == "":
                lines.pop()
        body = "\n".join(lines)
        if lines and not no_newline:
            body += "\n"
        if section in ("script", "stdout", "stderr"):
            current[section] = body
        lines, no_newline = [], False

    for line in path.read_text().split("\n"):
        if line.startswith("=== "):
            flush()
            if current is not None:
                cases.append(current)
            current = {"file": path.name, "name": line[4:], "script": "", "stdout": "",
                       "stderr": None, "status": 0, "mode": "file"}
            section = "script"
        elif line.startswith("--- ") and current is not None:
            flush()
            words = line[4:].split(" ", 1)
            section = "none"
            if words[0] == "stdout":
                section = "stdout"
            elif words[0] == "stdout-no-newline":
                section, no_newline = "stdout", True
            elif words[0] == "stderr":
                section = "stderr"
            elif words[0] == "status":
                current["status"] = int(words[1]) if len(words) > 1 else 0
            elif words[0] == "mode":
                current["mode"] = words[1] if len(words) > 1 else "file"
        elif current is not None and section != "none":
            lines.append(line)
    flush()
    if current is not None:
        cases.append(current)
    for case in cases:
        while case["stdout"].endswith("\n\n"):
            case["stdout"] = case["stdout"][:-1]
        while case["stderr"] is not None and case["stderr"].endswith("\n\n"):
            case["stderr"] = case["stderr"][:-1]
    return cases


def run(shell, case, timeout):
    """(stdout, stderr, status) of one case under one shell (a list: program and options)."""
    directory = tempfile.mkdtemp(prefix="dosh-test-")  # as GoldenTests names it
    try:
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": tempfile.gettempdir(), "LC_ALL": "C"}
        stdin = b""
        if case["mode"] == "stdin":
            argv, stdin = shell, case["script"].encode()
        elif case["mode"] == "c":
            argv = shell + ["-c", case["script"]]
        else:
            pathlib.Path(directory, "script.sh").write_text(case["script"])
            argv = shell + ["script.sh"]
        try:
            done = subprocess.run(argv, input=stdin, capture_output=True, cwd=directory, env=env,
                                  timeout=timeout, start_new_session=True)
        except subprocess.TimeoutExpired as timed_out:
            return (timed_out.stdout or b"").decode(errors="replace"), "timed out", None
        return done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace"), done.returncode
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def failure(shell_name, shell, case, timeout):
    """Why a case fails under a shell, or None."""
    out, err, status = run(shell, case, timeout)
    if status is None:
        return "timed out"
    if out != case["stdout"]:
        return f"stdout {out!r}, expected {case['stdout']!r}"
    if status != case["status"]:
        return f"status {status}, expected {case['status']} (stderr {err.strip()!r})"
    if shell_name == "dosh" and case["stderr"] is not None and err != case["stderr"]:
        return f"stderr {err!r}, expected {case['stderr']!r}"
    return None


def main():
    # Output piped to `head` ends quietly.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("files", nargs="*", help=".test files (default: Golden/posix-*.test)")
    options.add_argument("--all", action="store_true", help="every .test file")
    options.add_argument("-v", "--verbose", action="store_true", help="name each failure and why")
    options.add_argument("--dosh", default=str(ROOT / ".build/debug/dosh"), help="the dosh binary")
    options.add_argument("--timeout", type=float, default=20)
    options.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = options.parse_args()

    if args.files:
        files = [pathlib.Path(name) for name in args.files]
    else:
        files = sorted(GOLDEN.glob("*.test" if args.all else "posix-*.test"))
    cases = [case for path in files for case in parse(path)]
    shells = {"dosh": [args.dosh], "dash": ["dash"], "bash": ["bash", "--posix"]}

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = {name: list(pool.map(lambda case: failure(name, argv, case, args.timeout), cases))
                   for name, argv in shells.items()}

    for name in shells:
        failed = [(case, why) for case, why in zip(cases, results[name]) if why]
        print(f"{name}: {len(failed)} of {len(cases)} cases fail")
        if args.verbose:
            for case, why in failed:
                print(f"  {case['file']}: {case['name']}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
