"""The PostgreSQL database of a benchmark: made fresh, or kept between runs (``--reuse``)."""

from __future__ import annotations


def reset_postgres(url: str) -> None:
    """Drop and create the database named in ``url``; only a name containing "bench"."""
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    if "bench" not in name:
        raise SystemExit(f"Refusing to drop database {name!r}: a bench database's name must contain 'bench'.")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def holds(url: str, table: str, n: int) -> bool:
    """Whether ``table`` already has ``n`` rows (a filled database that ``--reuse`` may keep)."""
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
    except psycopg.Error:
        return False
    return bool(row and row[0] >= n)
