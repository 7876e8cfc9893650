"""The invoicing service: invoices, paid from credits first and then by card."""
