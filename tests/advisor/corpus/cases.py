"""One case per change kind: how to build the change from the planted schema, and how to check it.

``build`` may read the catalog (a drop needs the index's definition, as the advisor will read it).
``applied`` checks the target after the draft ran; ``reversible`` says whether the rollback restores
the catalog fingerprint exactly (VALIDATE cannot be undone; VACUUM and REINDEX change nothing visible).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg

from advisor.drafts import (
    AddForeignKey,
    AddForeignKeyIndex,
    AddUniqueConstraint,
    BigintMigration,
    Change,
    CreateIndex,
    DropIndex,
    ForeignKeyDef,
    IndexKey,
    ReduceTableBloat,
    ReindexIndex,
    SetAutovacuum,
    ValidateConstraint,
    WidenSequence,
)

Conn = psycopg.Connection[Any]


def one(conn: Conn, sql: str, *params: Any) -> Any:
    row = conn.execute(sql, params).fetchone()
    return row[0] if row else None


def index_state(conn: Conn, schema: str, name: str) -> bool | None:
    """True/False for a valid/INVALID index, None when it doesn't exist."""
    return one(conn, "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)",
               f'"{schema}"."{name}"')


def column_type(conn: Conn, table: str, column: str) -> str:
    return str(one(conn, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                         "WHERE attrelid = to_regclass(%s) AND attname = %s", table, column))


def constraint_valid(conn: Conn, table: str, name: str) -> bool | None:
    return one(conn, "SELECT convalidated FROM pg_constraint WHERE conrelid = to_regclass(%s) AND conname = %s",
               table, name)


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Conn], Change]
    applied: Callable[[Conn], None]
    reversible: bool = True
    after_rollback: Callable[[Conn], None] | None = None


def _create_index(conn: Conn) -> Change:
    return CreateIndex("Shop", "Orders", keys=("CustomerId", IndexKey(column="Created At", descending=True)),
                       include=("Total",), where="\"Status\" <> 'void'")


def _check_create_index(conn: Conn) -> None:
    assert index_state(conn, "Shop", "Orders_CustomerId_Created At_idx") is True


def _unique_expression(conn: Conn) -> Change:
    return CreateIndex("Shop", "Customers", keys=(IndexKey(expression='lower("Email")'),), unique=True)


def _check_unique_expression(conn: Conn) -> None:
    assert index_state(conn, "Shop", "Customers_lower_email_key") is True
    try:
        conn.execute("""INSERT INTO "Shop"."Customers" ("Email") VALUES ('C1@EXAMPLE.COM')""")
    except psycopg.errors.UniqueViolation:
        return
    raise AssertionError("the unique expression index did not reject a case-insensitive duplicate")


def _fk_index(conn: Conn) -> Change:
    return AddForeignKeyIndex("Shop", "Order Items", columns=("OrderId",), constraint="Order Items_OrderId_fkey")


def _check_fk_index(conn: Conn) -> None:
    assert index_state(conn, "Shop", "Order Items_OrderId_idx") is True


def _drop_duplicate(conn: Conn) -> Change:
    definition = one(conn, "SELECT pg_get_indexdef(%s::regclass)", '"Shop"."Orders Status ""dup"""')
    return DropIndex("Shop", "Orders", name='Orders Status "dup"', definition=definition, reason="duplicate",
                     covered_by="Orders_Status_idx")


def _check_drop(conn: Conn) -> None:
    assert index_state(conn, "Shop", 'Orders Status ""dup""') is None


def _reindex(conn: Conn) -> Change:
    return ReindexIndex("Shop", "Orders", name="Orders_Status_idx")


def _check_reindex(conn: Conn) -> None:
    assert index_state(conn, "Shop", "Orders_Status_idx") is True
    leftovers = one(conn, "SELECT count(*) FROM pg_class WHERE relname LIKE 'Orders_Status_idx_cc%%'")
    assert leftovers == 0


def _bloat(conn: Conn) -> Change:
    conn.execute("""DELETE FROM "Shop"."Orders" o WHERE "Status" = 'void'
                    AND NOT EXISTS (SELECT 1 FROM "Shop"."Order Items" i WHERE i."OrderId" = o."Id")""")
    return ReduceTableBloat("Shop", "Orders", bloat_bytes=300_000, table_bytes=900_000)


def _check_bloat(conn: Conn) -> None:
    vacuumed = one(conn, "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables "
                         "WHERE relid = '\"Shop\".\"Orders\"'::regclass")
    assert vacuumed is True


def _autovacuum(conn: Conn) -> Change:
    return SetAutovacuum("Shop", "Orders", settings={"autovacuum_vacuum_scale_factor": 0.01,
                                                     "autovacuum_vacuum_threshold": 1000},
                         previous={"autovacuum_vacuum_threshold": "50"})


def _check_autovacuum(conn: Conn) -> None:
    options = one(conn, "SELECT reloptions FROM pg_class WHERE oid = '\"Shop\".\"Orders\"'::regclass")
    assert sorted(options) == ["autovacuum_vacuum_scale_factor=0.01", "autovacuum_vacuum_threshold=1000"]


def _validate(conn: Conn) -> Change:
    return ValidateConstraint("Shop", "Order Items", name="Qty positive")


def _check_validate(conn: Conn) -> None:
    assert constraint_valid(conn, '"Shop"."Order Items"', "Qty positive") is True


def _add_fk(conn: Conn) -> Change:
    # The planted partial index already holds the default name: the draft must be told another one.
    return AddForeignKey("Shop", "Orders", columns=("CustomerId",), ref_schema="Shop", ref_table="Customers",
                         ref_columns=("Id",), on_delete="RESTRICT", index_name="Orders_CustomerId_fk_idx")


def _check_add_fk(conn: Conn) -> None:
    assert constraint_valid(conn, '"Shop"."Orders"', "Orders_CustomerId_fkey") is True
    assert index_state(conn, "Shop", "Orders_CustomerId_fk_idx") is True


def _add_unique(conn: Conn) -> Change:
    return AddUniqueConstraint("Shop", "Customers", columns=("Email",))


def _check_add_unique(conn: Conn) -> None:
    assert one(conn, "SELECT contype FROM pg_constraint WHERE conname = 'Customers_Email_key'") == "u"


def _widen(conn: Conn) -> Change:
    return WidenSequence("Shop", "Ticket No")


def _check_widen(conn: Conn) -> None:
    assert one(conn, "SELECT format_type(seqtypid, NULL) FROM pg_sequence "
                     "WHERE seqrelid = '\"Shop\".\"Ticket No\"'::regclass") == "bigint"
    conn.execute("SELECT setval('\"Shop\".\"Ticket No\"', 3000000000)")
    conn.execute("""INSERT INTO "Shop"."Tickets" ("Subject") VALUES ('past 2^31')""")
    conn.execute("""DELETE FROM "Shop"."Tickets" WHERE "No" > 2147483647""")
    conn.execute("SELECT setval('\"Shop\".\"Ticket No\"', 50)")  # so AS integer can come back


def _bigint_serial_pk(conn: Conn) -> Change:
    fk = one(conn, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'Order Items_OrderId_fkey'")
    return BigintMigration("Shop", "Orders", column="Id", primary_key="Orders_pkey", sequence="Orders_Id_seq",
                           referencing_foreign_keys=(ForeignKeyDef("Shop", "Order Items",
                                                                   "Order Items_OrderId_fkey", fk),),
                           batch_size=700)


def _check_bigint_serial_pk(conn: Conn) -> None:
    assert column_type(conn, '"Shop"."Orders"', "Id") == "bigint"
    assert one(conn, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'Orders_pkey'") \
        == 'PRIMARY KEY ("Id")'
    assert constraint_valid(conn, '"Shop"."Order Items"', "Order Items_OrderId_fkey") is True
    conn.execute("SELECT setval('\"Shop\".\"Orders_Id_seq\"', 3000000000)")
    new_id = one(conn, """INSERT INTO "Shop"."Orders" ("CustomerId") VALUES (7) RETURNING "Id" """)
    assert new_id == 3000000001
    conn.execute("""DELETE FROM "Shop"."Orders" WHERE "Id" = 3000000001""")
    conn.execute("SELECT setval('\"Shop\".\"Orders_Id_seq\"', 6000)")
    # Written after the swap: the rollback must carry it back to the integer column.
    conn.execute("""INSERT INTO "Shop"."Orders" ("CustomerId") VALUES (8)""")


def _after_bigint_serial_rollback(conn: Conn) -> None:
    # The row written after the swap came back into the integer column through the reverse trigger.
    assert one(conn, """SELECT "CustomerId" FROM "Shop"."Orders" WHERE "Id" = 6001""") == 8
    conn.execute("""DELETE FROM "Shop"."Orders" WHERE "Id" = 6001""")


def _bigint_identity_pk(conn: Conn) -> Change:
    definition = one(conn, "SELECT pg_get_indexdef('\"Shop\".\"Customers_Id_Name_idx\"'::regclass)")
    return BigintMigration("Shop", "Customers", column="Id", primary_key="Customers_pkey", identity="d",
                           other_indexes=(definition,), batch_size=500)


def _check_bigint_identity_pk(conn: Conn) -> None:
    assert column_type(conn, '"Shop"."Customers"', "Id") == "bigint"
    assert index_state(conn, "Shop", "Customers_Id_Name_idx_bigint") is True
    new_id = one(conn, """INSERT INTO "Shop"."Customers" ("Email") VALUES ('new@example.com') RETURNING "Id" """)
    assert new_id > 2000
    conn.execute("""DELETE FROM "Shop"."Customers" WHERE "Id" = %s""", (new_id,))


def _bigint_plain_column(conn: Conn) -> Change:
    definition = one(conn, "SELECT pg_get_indexdef('\"Shop\".\"Orders_CustomerId_idx\"'::regclass)")
    return BigintMigration("Shop", "Orders", column="CustomerId", key_column="Id", other_indexes=(definition,),
                           batch_size=1000)


def _check_bigint_plain_column(conn: Conn) -> None:
    assert column_type(conn, '"Shop"."Orders"', "CustomerId") == "bigint"
    assert one(conn, """SELECT count(*) FROM "Shop"."Orders" WHERE "CustomerId" IS NULL""") == 0
    conn.execute("""INSERT INTO "Shop"."Orders" ("CustomerId") VALUES (5000000000)""")
    conn.execute("""DELETE FROM "Shop"."Orders" WHERE "CustomerId" = 5000000000""")


CASES = [
    Case("create_index", _create_index, _check_create_index),
    Case("create_unique_expression_index", _unique_expression, _check_unique_expression),
    Case("fk_index", _fk_index, _check_fk_index),
    Case("drop_duplicate_index", _drop_duplicate, _check_drop),
    Case("reindex", _reindex, _check_reindex),
    Case("table_bloat", _bloat, _check_bloat),
    Case("autovacuum", _autovacuum, _check_autovacuum),
    Case("validate_constraint", _validate, _check_validate, reversible=False),
    Case("add_foreign_key", _add_fk, _check_add_fk),
    Case("add_unique", _add_unique, _check_add_unique),
    Case("widen_sequence", _widen, _check_widen),
    Case("bigint_serial_primary_key", _bigint_serial_pk, _check_bigint_serial_pk,
         after_rollback=_after_bigint_serial_rollback),
    Case("bigint_identity_primary_key", _bigint_identity_pk, _check_bigint_identity_pk),
    Case("bigint_plain_column", _bigint_plain_column, _check_bigint_plain_column),
]
