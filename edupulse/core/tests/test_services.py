"""Production services: Redis as the cache (and task queue). Runs in CI; skips elsewhere if Redis is down."""

from __future__ import annotations

import socket
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

from edupulse.conftest import require_service

REDIS_URL = "redis://127.0.0.1:6379/15"


def _reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


def test_redis_cache_round_trip():
    require_service("Redis", _reachable("127.0.0.1", 6379), "127.0.0.1:6379")
    cache = RedisCache(REDIS_URL, {})
    key = f"edupulse-test-{uuid.uuid4()}"
    cache.set(key, {"学校": 25000}, timeout=30)
    assert cache.get(key) == {"学校": 25000}
    cache.delete(key)
    assert cache.get(key) is None


@pytest.mark.django_db
def test_database_matches_the_configured_engine(settings):
    """On the PostgreSQL run (DATABASE_URL set by tools/pytest-postgres) the suite really uses PostgreSQL."""
    import os

    from django.db import connection

    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected
