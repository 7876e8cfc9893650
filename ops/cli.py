"""``billing``: the operator's command line for the credits platform (typer + rich).

Subcommands: ``credits`` (ledger, balance, grant over the HTTP API), ``projections``
(rebuild, verify), ``events`` (tail the services' topics), ``dlq`` (list and replay
dead letters) and ``outbox`` (how far each relay has published). Every failure is
one line on stderr with exit code 2 (bad input or a refusal) or 3 (something does
not answer); ``projections verify`` exits 1 when it finds a difference.
"""

from __future__ import annotations

import logging
import os
import sys

import typer

from . import (
    credits_commands,
    dlq_commands,
    events_commands,
    outbox_commands,
    projections_commands,
)
from .errors import UNEXPECTED, OpsError
from .output import err

HELP = """The operator's command line for the credits platform.

Where things are comes from the environment (make run's defaults otherwise):
CREDITS_URL, PAYMENTS_URL, INVOICING_URL, OPERATOR_TOKEN, KAFKA_BOOTSTRAP_SERVERS,
KAFKA_TOPIC_PREFIX, DATABASE_URL with DATABASE_PREFIX, or <SERVICE>_DATABASE_URL.

Exit codes: 0 done; 1 projections verify found a difference; 2 bad input or a
service refused the request (4xx); 3 a service, database or Kafka did not answer;
4 an unexpected error (BILLING_DEBUG=1 shows its traceback).
"""

app = typer.Typer(
    name="billing",
    help=HELP,
    rich_markup_mode=None,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(credits_commands.app, name="credits")
app.add_typer(projections_commands.app, name="projections")
app.add_typer(events_commands.app, name="events")
app.add_typer(dlq_commands.app, name="dlq")
app.add_typer(outbox_commands.app, name="outbox")

INTERRUPTED = 130


def main() -> None:
    """Run the CLI: errors become a message on stderr and an exit code, never a traceback."""
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # failures are reported once, by us
    try:
        app(prog_name="billing")
    except OpsError as error:
        err.print(f"billing: error: {error.message}", markup=False)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.exit(INTERRUPTED)
    except Exception as error:
        if os.environ.get("BILLING_DEBUG"):
            raise
        err.print(f"billing: unexpected error: {type(error).__name__}: {error}", markup=False)
        sys.exit(UNEXPECTED)
