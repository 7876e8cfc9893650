"""Shared platform layer: contracts, money, event store, messaging, settings, dev servers."""
