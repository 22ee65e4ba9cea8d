"""Statements seen in ``pg_stat_statements``: one row per (target, statement key), texts de-duplicated.

``seq`` is a small dense number per target (1, 2, 3, …). The history store keys every statement sample
by it instead of the wide ``(queryid, dbid, userid, toplevel)`` key, and the rollup rows are arrays
indexed by it — that is most of what keeps a statement sample under a few dozen bytes on disk.
"""

from __future__ import annotations

from django.db import models

from monitoring.models.target import Target


class QueryText(models.Model):
    """A statement text stored once, whichever targets and statements share it (keyed by its md5)."""

    digest = models.CharField(max_length=32, unique=True)
    text = models.TextField()

    class Meta:
        indexes = [
            # The few texts that carry dbconsole's marker anywhere, which the Queries page tests against
            # the own-statement rule (``pgsql.own_statements``) to hide them: found without reading
            # every text of the fleet.
            models.Index(fields=["id"], name="querytext_marked",
                         condition=models.Q(text__contains="/* dbconsole */")),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Statement(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="statements")
    seq = models.PositiveIntegerField(help_text="Dense per-target number; index into rollup arrays.")
    queryid = models.BigIntegerField()
    dbid = models.BigIntegerField()
    userid = models.BigIntegerField()
    toplevel = models.BooleanField(default=True)
    datname = models.CharField(max_length=63, blank=True, default="")
    usename = models.CharField(max_length=63, blank=True, default="")
    text = models.ForeignKey(QueryText, on_delete=models.PROTECT, null=True, blank=True)
    first_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "seq"], name="statement_target_seq"),
            models.UniqueConstraint(fields=["target", "queryid", "dbid", "userid", "toplevel"],
                                    name="statement_target_key"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id}#{self.seq} ({self.queryid})"


class StatementRanking(models.Model):
    """A target's top statements by execution + planning time since their first collection, ranked by the
    statements rollup each time it moves (``statements/rank_top.sql``) so that no reader ranks thousands of
    statements per target: what ``/metrics`` exports. ``ranked`` lists up to ``top`` statements, best first:
    seq, queryid, database, user, toplevel, fingerprint (8 hex digits of the text's md5, never the text),
    and their cumulative calls, time_us and rows as of ``through`` (the rollup's watermark)."""

    # No database constraint, like the rest of the statements' history: a rollup may rank a target while it
    # is being removed (a foreign key would make the two wait for each other); the retention task removes
    # the ranking of a target that is gone, and readers only ask for existing targets.
    target = models.OneToOneField(Target, on_delete=models.CASCADE, primary_key=True, related_name="+",
                                  db_constraint=False)
    through = models.DateTimeField()
    top = models.PositiveIntegerField()
    ranked = models.JSONField(default=list)
    ranked_at = models.DateTimeField()

    class Meta:
        db_table = "monitoring_stmt_top"

    def __str__(self) -> str:
        return f"{self.target_id}: top {self.top} through {self.through:%Y-%m-%d %H:%M}"
