"""Run a command on a pseudo-terminal, as a user at a terminal runs it (progress bars show)."""

from __future__ import annotations

import os
import pty
import re
import subprocess


def run_on_a_terminal(command: list[str], **options) -> tuple[int, str]:
    """The exit code and everything the command wrote to the terminal (stdout and stderr)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        command, stdin=follower, stdout=follower, stderr=follower, close_fds=True, **options
    )
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    return process.wait(), output.decode("utf-8", "replace")


def bars(text: str) -> list[tuple[str, str, str, str]]:
    """Each drawing of a click progress bar: (label, the bar, done, total)."""
    return re.findall(r"\r\x1b\[\?25l(.*?)\s+\[([#-]+)\]\s+(\d+)/(\d+)", text)
