"""Documents generated from the code: OpenAPI per service, AsyncAPI, event JSON Schemas.

``python -m ops.docs`` (``make docs``) writes them under ``docs/``; the unit tests
regenerate them in memory and fail when the committed files differ.
"""

from ops.docs.tree import MANAGED_FOLDERS, differences, documents, write_documents

__all__ = ["MANAGED_FOLDERS", "differences", "documents", "write_documents"]
