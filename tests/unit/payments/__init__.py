"""Unit tests of the payments domain and HTTP bodies (no I/O)."""
