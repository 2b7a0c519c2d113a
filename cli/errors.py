"""How a command stops: one line on stderr and an exit code, printed by `cli.main` alone."""

from __future__ import annotations

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class CommandFailed(Exception):
    """The command stops; the message says why (one line), `code` is the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code
