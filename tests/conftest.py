"""Shared pytest set-up. Fixtures that start servers or build venvs live in tests/support/."""
