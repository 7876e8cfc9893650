"""Run the payments service: `python -m services.payments` (settings from the environment)."""

from services.payments.app import create_app
from services.payments.settings import PaymentsSettings
from shared.serve import serve

if __name__ == "__main__":
    serve(create_app, PaymentsSettings())
