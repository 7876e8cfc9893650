"""The customer portal: the Credits tab, Add credit, invoices and payment options."""
