"""The fixture plugins every test folder may use (pytest allows `pytest_plugins` only here)."""

pytest_plugins = [
    "tests.fixtures.databases",
    "tests.fixtures.service",
    "tests.fixtures.journey",
    "tests.fixtures.hr_api",
    # Python 3.12's DeprecationWarning for sqlite3's default date adapters, also on 3.11.
    "tests.fixtures.sqlite_adapters",
]
