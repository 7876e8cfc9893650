"""The pure core of payments: payment and payment-profile state, decisions and events."""
