"""Read models of the credits service (ledger, balances, requests) and their runner's wiring."""

from services.credits.projections.read_models import CreditsProjection

__all__ = ["CreditsProjection"]
