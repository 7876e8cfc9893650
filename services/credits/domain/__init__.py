"""The credit account in pure code: its state, the commands it takes and the events it decides.

Nothing here does I/O: ``decide`` functions turn an account's state and a command
into events (the wire models of ``shared.contracts.credits``), ``evolve`` folds
those events into the state, and ``policy`` checks amounts typed by people.
"""
