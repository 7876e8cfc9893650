"""The operator CLI's errors and exit codes: a clear message on stderr, never a traceback."""

from __future__ import annotations

OK = 0
"""The command did what it was asked."""

DIFFERENCES = 1
"""``projections verify`` found rows that differ from a fold of the events."""

BAD_INPUT = 2
"""Bad input: an unknown service or topic, a malformed amount or time, a refusal (4xx)."""

UNAVAILABLE = 3
"""A service, database or Kafka broker did not answer, or answered with a server error."""

UNEXPECTED = 4
"""A failure the CLI did not foresee (a bug): ``BILLING_DEBUG=1`` shows its traceback."""


class OpsError(Exception):
    """A failure the CLI reports as one line on stderr with its exit code."""

    def __init__(self, message: str, exit_code: int = BAD_INPUT) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class InputError(OpsError):
    """The operator's input cannot be used (exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, BAD_INPUT)


class UnavailableError(OpsError):
    """Something the command needs does not answer (exit 3)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, UNAVAILABLE)
