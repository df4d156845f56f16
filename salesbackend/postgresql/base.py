"""Django's PostgreSQL backend with a pool that recovers at once from a database restart.

Settings select it (ENGINE "salesbackend.postgresql") when the psycopg pool is on.
"""

from typing import Any

from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool


def check_pooled_connection(conn: Any) -> None:
    """Run before the pool hands out a connection.

    After a database restart every idle connection in the pool is dead. psycopg_pool's own
    check finds them one at a time and waits 1, 2, 4 ... seconds between tries, so with a few
    idle connections the first request times out. Here the first dead connection has the pool
    check all the others at once (dead ones are replaced in the background): the next try
    gets a working connection.
    """
    try:
        ConnectionPool.check_connection(conn)
    except Exception:
        conn._pool.check()
        raise


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        pool = super().pool
        if pool is not None and pool._check is not None:  # CONN_HEALTH_CHECKS on
            pool._check = check_pooled_connection
        return pool
