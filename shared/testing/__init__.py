"""Test helpers shared by the services' test suites (pytest plugins and fixtures)."""
