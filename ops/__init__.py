"""The operator command line: `billing`, over the services' APIs, stores and topics."""
