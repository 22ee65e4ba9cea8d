"""Render plans as psql scripts: the migration, its rollback, and the follow-up.

The scripts are meant for ``psql -X -f FILE``: psql runs every statement outside ``BEGIN … COMMIT``
in its own transaction (autocommit), which is what ``CONCURRENTLY``, ``VACUUM`` and DO blocks that
``COMMIT`` need; steps that must be atomic are wrapped in an explicit ``BEGIN … COMMIT`` with
``SET LOCAL`` timeouts. ``\\set ON_ERROR_STOP on`` makes psql stop at the first error instead of
running the steps after a failed one.
"""

from __future__ import annotations

from collections.abc import Sequence

from advisor.drafts.plan import DraftOptions, Mode, Plan, Step
from pgsql.ident import quote_literal, sql_comment

RULE = "-- " + "=" * 96
META_LINE = "\\set ON_ERROR_STOP on"  # the one psql command a script holds
FOOTER_STATEMENTS = ("RESET lock_timeout", "RESET statement_timeout")


def _comment(lines: Sequence[str], prefix: str = "-- ") -> list[str]:
    """Comment lines; every line goes through ``sql_comment``, so no name can end its line."""
    return [(prefix + sql_comment(line)).rstrip() for line in lines]


def settings_for(mode: Mode, options: DraftOptions) -> tuple[bool, list[str]]:
    """(in a transaction?, the SET statements) for a step run in ``mode``."""
    if mode == "concurrent":
        # Waiting for SHARE UPDATE EXCLUSIVE blocks no reads or writes; a lock_timeout would only make
        # the build fail halfway (leaving an INVALID index) behind any long transaction.
        return False, ["SET lock_timeout = 0", "SET statement_timeout = 0"]
    if mode == "long":
        return False, [f"SET lock_timeout = {quote_literal(options.lock_timeout)}", "SET statement_timeout = 0"]
    return True, [f"SET LOCAL lock_timeout = {quote_literal(options.lock_timeout)}",
                  f"SET LOCAL statement_timeout = {quote_literal(options.ddl_statement_timeout)}"]


def step_statements(statements: Sequence[str], mode: Mode, options: DraftOptions) -> list[str]:
    """The statements of one step with its settings (and BEGIN/COMMIT when it runs as one transaction)."""
    transactional, sets = settings_for(mode, options)
    if not statements:
        return []
    if transactional:
        return ["BEGIN", *sets, *statements, "COMMIT"]
    return [*sets, *statements]


def _render_step(number: str, step: Step, statements: Sequence[str], notes: Sequence[str],
                 options: DraftOptions, *, failure: Sequence[str] = ()) -> list[str]:
    out = _comment([f"Step {number}: {step.title}"])
    out += _comment(notes, "--   ")
    if failure:
        out.append("--   If it fails:")
        out += _comment(failure, "--     ")
    body = step_statements(statements, step.mode, options)
    if not body:
        out.append("--   (no statement)")
    out += [s + ";" for s in body]
    out.append("")
    return out


def _header(title: str, purpose: str, extra: Sequence[str]) -> list[str]:
    return [
        *_comment([f"dbconsole migration draft — {purpose}: {title}"]),
        "-- Run with: psql -X -v ON_ERROR_STOP=1 -f THIS_FILE (not inside BEGIN … COMMIT: concurrent",
        "-- statements must each run in their own transaction). Review before running on production.",
        *_comment(extra),
        META_LINE,
        "",
    ]


_FOOTER = [*(s + ";" for s in FOOTER_STATEMENTS), ""]


def render_forward(title: str, plans: Sequence[Plan], options: DraftOptions, *, rollback_name: str) -> str:
    """The migration script."""
    out = _header(title, "apply", [f"Rollback: {rollback_name}"])
    for i, plan in enumerate(plans, 1):
        out += [RULE, *_comment([f"{i}. {plan.title}"]), RULE]
        out += _comment(plan.guidance)
        if plan.guidance:
            out.append("")
        for j, step in enumerate(plan.steps, 1):
            out += _render_step(f"{i}.{j}", step, step.forward, step.notes, options, failure=step.on_failure)
        if plan.followup:
            out.append("-- A follow-up script finishes this change later (see the follow-up file).")
            out.append("")
    return "\n".join(out + _FOOTER)


def render_rollback(title: str, plans: Sequence[Plan], options: DraftOptions) -> str:
    """The rollback script: the plans in reverse order, each plan's steps newest first.

    Every rollback statement is written to succeed whether or not its forward step ran (IF EXISTS,
    guarded DO blocks), so it can be run after a migration that stopped halfway.
    """
    out = _header(title, "rollback", ["Undoes the migration draft of the same name, newest step first."])
    for i, plan in reversed(list(enumerate(plans, 1))):
        out += [RULE, *_comment([f"undo {i}. {plan.title}"]), RULE]
        for j, step in reversed(list(enumerate(plan.steps, 1))):
            out += _render_step(f"{i}.{j}", step, step.rollback, step.rollback_notes, options)
    return "\n".join(out + _FOOTER)


def render_followup(title: str, plans: Sequence[Plan], options: DraftOptions) -> str | None:
    """The follow-up script (e.g. dropping the old column after a bigint swap), or None."""
    if not any(p.followup for p in plans):
        return None
    out = _header(title, "follow-up", ["Run only after the migration has been live for a while."])
    for i, plan in enumerate(plans, 1):
        for j, step in enumerate(plan.followup, 1):
            out += _render_step(f"{i}.f{j}", step, step.forward, [*step.notes, *step.rollback_notes], options)
    return "\n".join(out + _FOOTER)
