"""tests/dagster has no __init__.py on purpose: as a package it would be named `dagster`
and shadow the library."""

from dagster_fixtures import dagster_home  # noqa: F401  (a fixture for every test here)
