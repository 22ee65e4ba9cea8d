"""Migration drafts: from what a recommendation wants done to SQL, Django and Alembic, with rollback.

    from advisor.drafts import CreateIndex, generate_draft
    draft = generate_draft(CreateIndex("public", "orders", keys=("customer_id",)))
    draft.sql, draft.rollback_sql, draft.django, draft.alembic, draft.files, draft.lint

The advisor never runs a draft: people review it and run it.
"""

from __future__ import annotations

from advisor.drafts.changes import (
    ALL_CHANGES,
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
from advisor.drafts.django_migration import DjangoModel
from advisor.drafts.draft import Draft, DraftFiles, generate_draft
from advisor.drafts.plan import DraftOptions
from advisor.drafts.verify import UnsafeDraft

__all__ = [
    "ALL_CHANGES", "AddForeignKey", "AddForeignKeyIndex", "AddUniqueConstraint", "BigintMigration", "Change",
    "CreateIndex", "DjangoModel", "Draft", "DraftFiles", "DraftOptions", "DropIndex", "ForeignKeyDef",
    "IndexKey", "ReduceTableBloat", "ReindexIndex", "SetAutovacuum", "UnsafeDraft", "ValidateConstraint",
    "WidenSequence", "generate_draft",
]
