"""The invoice in pure code: its state, the commands it takes and the events it decides.

Nothing here does I/O: ``decide`` turns an invoice's state and a command into
events (the wire models of ``shared.contracts.invoicing`` and the internal
events of ``events``), ``evolve`` folds them into the state, and ``policy``
checks what people type.
"""
