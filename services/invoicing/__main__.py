"""Run the invoicing service: `python -m services.invoicing` (settings from the environment)."""

from services.invoicing.app import create_app
from services.invoicing.settings import InvoicingSettings
from shared.serve import serve

if __name__ == "__main__":
    serve(create_app, InvoicingSettings())
