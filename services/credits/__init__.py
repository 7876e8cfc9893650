"""The credits service: one credit account per customer, its balance and its ledger."""
