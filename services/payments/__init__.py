"""The payments service: the only code that talks to Stripe.

It owns each customer's payment profile (``payment-profile-{customer_id}``: the
Stripe Customer, saved cards, the default card) and one stream per payment
(``payment-{payment_id}``, the id derived from purpose, customer and request).
Consumers only record what is asked (a ``PaymentScheduled`` and a job row, in
the inbox transaction); the worker charges, polls, saves cards and refunds,
never inside a transaction, recording each attempt before calling Stripe and
looking Stripe up by metadata before trying again (see ``steps``).
"""
