"""The fixture plugins every test folder may use (pytest allows `pytest_plugins` only here)."""

pytest_plugins = [
    "tests.fixtures.databases",
    "tests.fixtures.service",
    "tests.fixtures.journey",
    "tests.fixtures.hr_api",
]
