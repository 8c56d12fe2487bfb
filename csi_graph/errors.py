"""Errors a user can cause, each with the exit code the command line gives it.

Exit codes (documented in the README and in ``csi-graph --help``):
0 success; 1 the data is invalid or a check failed; 2 usage or input error
(bad option, unreadable file, malformed RDF or SPARQL, a limit reached); 70 an internal
error, a bug to report (``EX_SOFTWARE`` of BSD's sysexits.h); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


class CsiError(Exception):
    """An error with a message meant for the user and an exit code."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(CsiError):
    """A file cannot be read or parsed; the message names the file (and line and column)."""

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None) -> None:
        where = path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.column = column
