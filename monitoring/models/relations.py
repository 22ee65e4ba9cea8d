"""Tables and indexes of a target: identity and definition. Their numbers (sizes, scans, tuples,
vacuum times, bloat) live in the history store's columnar snapshots, keyed by ``seq``.

Partitions are not listed: they roll up to their top-level partitioned table (and partition indexes
to the partitioned index), which is what a DBA reasons about.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models

from monitoring.models.target import Target

TABLE_KINDS = {"r": "table", "p": "partitioned table", "m": "materialized view"}
INDEX_KINDS = {"i": "index", "I": "partitioned index"}


class Relation(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="relations")
    seq = models.PositiveIntegerField(help_text="Dense per-target number used in snapshot arrays.")
    oid = models.BigIntegerField()
    kind = models.CharField(max_length=1, help_text="pg_class.relkind: r, p, m (tables) or i, I (indexes).")
    schema = models.CharField(max_length=63)
    name = models.CharField(max_length=63)
    table = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="indexes")
    is_unique = models.BooleanField(default=False)
    is_primary = models.BooleanField(default=False)
    constraint_type = models.CharField(max_length=1, blank=True, default="",
                                       help_text="p, u or x when the index backs a constraint.")
    is_valid = models.BooleanField(default=True)
    method = models.CharField(max_length=63, blank=True, default="")
    definition = models.TextField(blank=True, default="")
    key_columns = ArrayField(models.TextField(), default=list, blank=True)
    predicate = models.TextField(blank=True, default="")
    first_seen = models.DateTimeField()
    dropped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "seq"], name="relation_target_seq")]
        indexes = [models.Index(fields=["target", "oid"], name="relation_target_oid")]

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def is_index(self) -> bool:
        return self.kind in INDEX_KINDS

    @property
    def backs_constraint(self) -> bool:
        return bool(self.constraint_type) or self.is_primary
