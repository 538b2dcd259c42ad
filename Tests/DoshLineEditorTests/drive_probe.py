#!/usr/bin/env python3
"""Drives dosh-lineeditor-probe through a pseudo-terminal, as a user types.

Usage: drive_probe.py PROBE WORKDIR
Prints "ok NAME" per passing check; on the first failure prints what the screen showed and
exits 1.
"""
import os
import signal
import sys

import pexpect

# A test harness may start us with most signals blocked, and a blocked mask survives exec: the
# probe would never see SIGWINCH. A terminal gives a login shell an empty mask.
signal.pthread_sigmask(signal.SIG_SETMASK, [])

PROBE, WORKDIR = sys.argv[1], sys.argv[2]
HISTORY = os.path.join(WORKDIR, "history")
UP, LEFT, ESC = "\x1b[A", "\x1b[D", "\x1b"
CTRL_C, CTRL_D, CTRL_R, TAB = "\x03", "\x04", "\x12", "\t"


def start(*arguments, locale="C.UTF-8", columns=80):
    env = dict(os.environ, TERM="xterm", LC_ALL=locale, HOME=WORKDIR)
    env.pop("EDITRC", None)
    child = pexpect.spawn(PROBE, ["--history", HISTORY, *arguments], env=env,
                          encoding="utf-8", timeout=5, dimensions=(24, columns))
    child.expect_exact("probe> ")
    return child


def got(child, result):
    """Waits for the probe's report of one read, then for the next prompt."""
    child.expect_exact(f"got {result}\r\n")
    if result != "end of file":
        child.expect_exact("probe> ")


def check(name, action):
    try:
        action()
    except (pexpect.TIMEOUT, pexpect.EOF) as error:
        print(f"FAIL {name}: {type(error).__name__}")
        print(f"screen before: {error.args[0] if error.args else ''}"[-3000:])
        sys.exit(1)
    print(f"ok {name}")


with open(HISTORY, "w", encoding="utf-8") as seed:
    seed.write("for i in 1 2\\ndo echo \\\\$i\\ndone\n")

child = start()


def typed_line():
    child.send("echo hi\r")
    got(child, "line [echo hi]")


def left_arrow_editing():
    child.send(f"ac{LEFT}b\r")
    got(child, "line [abc]")


def up_recalls_history():
    child.send(f"{UP}\r")
    got(child, "line [abc]")


def ctrl_r_finds_older_entry():
    child.send(f"{CTRL_R}ech")
    child.send("\r")
    got(child, "line [echo hi]")


def ctrl_r_recalls_multi_line_entry_from_file():
    child.send(f"{CTRL_R}for i")
    child.send("\r")
    got(child, "line [for i in 1 2\\ndo echo \\\\$i\\ndone]")


def ctrl_r_searches_like_bash():
    child.send(CTRL_R)
    child.expect_exact("(reverse-i-search)`': ")
    child.send("o h")
    child.expect_exact("(reverse-i-search)`o h': echo hi")
    child.send("\x07")  # Ctrl-G: back to the empty line
    child.expect_exact("probe> ")
    child.send("\r")
    got(child, "line []")


def tab_completes_unique_candidate():
    child.send(f"eat ban{TAB}\r")
    got(child, "line [eat banana ]")


def tab_inserts_common_prefix():
    child.send(f"a{TAB}r{TAB}\r")  # "a" → "ap" (apple, apricot) → "apr" → "apricot "
    got(child, "line [apricot ]")


def second_tab_lists_candidates():
    child.send(f"b{TAB}")
    child.send(TAB)
    child.expect(r"banana +blueberry +blackberry\r*\n")
    child.expect_exact("probe> b")  # the prompt and the line, drawn again
    child.send(f"lu{TAB}\r")
    got(child, "line [blueberry ]")


def listing_follows_window_size():
    child.setwinsize(24, 20)
    child.send(f"b{TAB}{TAB}")
    child.expect(r"banana\r*\nblueberry\r*\nblackberry\r*\n")
    child.send(CTRL_C)
    got(child, "interrupted")
    child.setwinsize(24, 80)


def ctrl_c_interrupts():
    child.send(f"some text{CTRL_C}")
    got(child, "interrupted")
    child.send("after\r")
    got(child, "line [after]")


def utf8_round_trip():
    child.send("héllo 日本\r")
    got(child, "line [héllo 日本]")
    child.send(f"日本{LEFT}x\r")
    got(child, "line [日x本]")
    child.send(f"日{TAB}\r")
    got(child, "line [日本語 ]")


def ctrl_d_ends_input():
    child.send(f"x{CTRL_D}")  # not on an empty line: deletes nothing, keeps reading
    child.send("\r")
    got(child, "line [x]")
    child.send(CTRL_D)
    child.expect_exact("\r\ngot end of file\r\n")  # a new line, no ^D echoed (bash)
    child.expect(pexpect.EOF)


for name, action in [
    ("typed line", typed_line),
    ("left arrow editing", left_arrow_editing),
    ("up recalls history", up_recalls_history),
    ("ctrl-r finds an older entry", ctrl_r_finds_older_entry),
    ("ctrl-r recalls a multi-line entry from the file", ctrl_r_recalls_multi_line_entry_from_file),
    ("ctrl-r searches like bash", ctrl_r_searches_like_bash),
    ("tab completes a unique candidate", tab_completes_unique_candidate),
    ("tab inserts the common prefix", tab_inserts_common_prefix),
    ("second tab lists candidates", second_tab_lists_candidates),
    ("listing follows the window size", listing_follows_window_size),
    ("ctrl-c interrupts", ctrl_c_interrupts),
    ("utf-8 round trip", utf8_round_trip),
    ("ctrl-d ends input", ctrl_d_ends_input),
]:
    check(name, action)


def history_survives_restart():
    again = start()
    again.send(f"{UP}\r")
    got(again, "line [x]")
    again.send(CTRL_D)
    got(again, "end of file")


def c_locale_still_reads_utf8():
    plain = start(locale="C")
    plain.send("héllo 日本\r")
    got(plain, "line [héllo 日本]")
    plain.send(CTRL_D)
    got(plain, "end of file")


def vi_mode_in_a_shell_that_ignores_signals():
    vi = start("--vi", "--like-a-shell")
    vi.send(f"abc{ESC}0iX\r")
    got(vi, "line [Xabc]")
    vi.send(f"ban{TAB}\r")
    got(vi, "line [banana ]")
    vi.send(f"junk{CTRL_C}")
    got(vi, "interrupted")
    vi.send("\x1a\x1c")  # ^Z and ^\ while editing: plain keys, nothing happens
    vi.send(CTRL_C)
    got(vi, "interrupted")
    vi.send("half typed")
    vi.expect_exact("typed")
    vi.kill(signal.SIGINT)  # from another process
    got(vi, "interrupted")
    vi.send(CTRL_D)
    got(vi, "end of file")


def background_output_appears_above_the_line():
    fifo = os.path.join(WORKDIR, "background")
    os.mkfifo(fifo)
    shown = start("--background-output", fifo)

    def write(text):
        with open(fifo, "w") as writer:
            writer.write(text)

    shown.send("half typed")
    shown.expect_exact("typed")
    write("from the background\n")
    shown.expect(r"\r\x1b\[Jfrom the background\r*\n")  # the prompt's row cleared first
    shown.expect_exact("probe> half typed")  # the prompt and the line, drawn again below it
    shown.send(f"{LEFT}{LEFT}X")
    shown.expect_exact("Xed")
    write("no newline")
    shown.expect(r"no newline\r*\n")
    shown.expect_exact("probe> half typXed")
    # A line longer than the terminal is wide: every row of it is cleared and drawn again.
    shown.send(" " + "w" * 100)
    shown.expect(pexpect.TIMEOUT, timeout=0.5)  # let the editor take and draw every key
    write("third\n")
    shown.expect(r"\x1b\[A\x1b\[Jthird\r*\n")  # one row up, then cleared
    shown.expect_exact("probe> half typX www")
    shown.send("\r")
    got(shown, "line [half typX " + "w" * 100 + "ed]")
    shown.send(CTRL_D)
    got(shown, "end of file")


for name, action in [
    ("history survives a restart", history_survives_restart),
    ("C locale still reads UTF-8", c_locale_still_reads_utf8),
    ("vi mode in a shell that ignores signals", vi_mode_in_a_shell_that_ignores_signals),
    ("background output appears above the line", background_output_appears_above_the_line),
]:
    check(name, action)

with open(HISTORY, encoding="utf-8") as stored:
    records = stored.read().split("\n")
if "for i in 1 2\\ndo echo \\\\$i\\ndone" not in records or "héllo 日本" not in records:
    print(f"FAIL history file: {records!r}")
    sys.exit(1)
print("ok history file")
