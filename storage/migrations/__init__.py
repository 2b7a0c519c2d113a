"""Alembic migrations for the exitbot schema, run through storage.migrate (no alembic.ini).

A new revision, after changing storage/tables.py, against a database already at head:

    python -c "from alembic import command; from storage.migrate import alembic_config; \\
        command.revision(alembic_config('sqlite+aiosqlite:///var/dev.sqlite3'), \\
        message='what changed', autogenerate=True, rev_id='0002')"

Review the file it writes; tests/storage/test_migrations.py checks that the migrated schema
matches storage/tables.py on SQLite and PostgreSQL.
"""
