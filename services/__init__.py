"""The three billing services: credits, payments and invoicing."""
