"""Operate the credits read models: ``python -m services.credits.projections rebuild|verify``."""

import sys

from services.credits.app import SPEC
from services.credits.projections.read_models import CreditsProjection
from shared.projections.cli import main

if __name__ == "__main__":
    sys.exit(
        main(
            sys.argv[1:],
            prog="python -m services.credits.projections",
            schema=SPEC.name,
            projection=CreditsProjection(),
        )
    )
