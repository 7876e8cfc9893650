"""Run the credits service: `python -m services.credits` (settings from the environment)."""

from services.credits.app import create_app
from services.credits.settings import CreditsSettings
from shared.serve import serve

if __name__ == "__main__":
    serve(create_app, CreditsSettings())
