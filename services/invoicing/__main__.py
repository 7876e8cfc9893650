"""Run the invoicing service: `python -m services.invoicing` (settings from the environment)."""

import uvicorn

from services.invoicing.app import create_app
from services.invoicing.settings import InvoicingSettings
from shared.logs import configure_logging
from shared.tuning import tune_gc


def main() -> None:
    """Serve the HTTP API and the Kafka consumers until stopped."""
    settings = InvoicingSettings()
    configure_logging(settings.log_level)
    tune_gc()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
