"""The payments service: the only code that talks to Stripe."""
