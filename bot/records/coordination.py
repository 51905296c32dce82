"""Records that let several processes (and hosts) cooperate: claimed deliveries, content versions, leases.

Each function is one atomic statement, so it is correct under concurrency on both backends without
application locks: `INSERT ... ON CONFLICT` is atomic in PostgreSQL, and SQLite runs it under its write lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, Insert, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.records.schema import ContentVersion, Delivery, Lease


def upsert(connection: Connection, entity) -> Insert:  # noqa: ANN001
    """An INSERT that supports `on_conflict_do_nothing` / `on_conflict_do_update` on this backend."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(entity)


def claim_delivery(connection: Connection, channel: str, delivery_id: str, now: datetime) -> bool:
    """True for the first claim of (channel, delivery_id), False for every later one."""
    statement = (
        upsert(connection, Delivery)
        .values(channel=channel, delivery_id=delivery_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "delivery_id"])
        .returning(Delivery.delivery_id)
    )
    return connection.execute(statement).first() is not None


def content_version(connection: Connection, collection: str) -> int:
    version = connection.scalar(select(ContentVersion.version).where(ContentVersion.collection == collection))
    return int(version or 0)


def bump_content_version(connection: Connection, collection: str, now: datetime) -> int:
    """Increment the collection's version (1 on first use) and return the new value."""
    statement = upsert(connection, ContentVersion).values(collection=collection, version=1, updated_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=["collection"],
        set_={"version": ContentVersion.version + 1, "updated_at": statement.excluded.updated_at},
    ).returning(ContentVersion.version)
    return int(connection.execute(statement).scalar_one())


def acquire_lease(connection: Connection, name: str, holder: str, ttl_s: float, now: datetime) -> bool:
    """Take or renew the lease: succeeds when it is free, expired, or already held by `holder`."""
    statement = upsert(connection, Lease).values(name=name, holder=holder, expires_at=now + timedelta(seconds=ttl_s))
    statement = statement.on_conflict_do_update(
        index_elements=["name"],
        set_={"holder": statement.excluded.holder, "expires_at": statement.excluded.expires_at},
        where=(Lease.holder == statement.excluded.holder) | (Lease.expires_at <= now),
    ).returning(Lease.holder)
    return connection.execute(statement).first() is not None


def release_lease(connection: Connection, name: str, holder: str) -> None:
    """Give the lease up; does nothing when `holder` does not hold it (any more)."""
    connection.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))


def lease_holder(connection: Connection, name: str, now: datetime) -> str | None:
    return connection.scalar(select(Lease.holder).where(Lease.name == name, Lease.expires_at > now))


def take_over_lease(connection: Connection, name: str, dead_holder: str, holder: str, ttl_s: float,
                    now: datetime) -> bool:
    """Compare-and-swap: the lease passes to `holder` only while `dead_holder` still holds it."""
    statement = update(Lease).where(Lease.name == name, Lease.holder == dead_holder)
    return connection.execute(statement.values(holder=holder, expires_at=now + timedelta(seconds=ttl_s))).rowcount == 1
