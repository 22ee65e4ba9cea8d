"""Render plans as a Django migration file (``atomic = False``).

A plan for a plain column index on a table Django knows becomes ``AddIndexConcurrently`` /
``RemoveIndexConcurrently`` (so Django's migration state learns about the index); everything else
becomes ``RunSQL`` with ``reverse_sql``, one per step. Each element of a ``RunSQL`` list is sent as
one query: a transactional step is one element ``BEGIN; …; COMMIT;`` and every concurrent statement
is its own element, so none of them lands in a transaction block (the migration is not atomic and
Django's connection is in autocommit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from advisor.drafts.plan import DraftOptions, Plan, Step
from advisor.drafts.pysource import py_comment, py_str
from advisor.drafts.sql_script import step_statements


@dataclass(frozen=True)
class DjangoModel:
    """A Django model behind a table: ``fields`` maps column names to field names (``customer_id`` →
    ``customer``); ``indexes`` lists index names declared in the model's ``Meta.indexes``."""

    app_label: str
    model_name: str
    fields: Mapping[str, str] = field(default_factory=dict)
    indexes: frozenset[str] = frozenset()


def _runsql(step: Step, options: DraftOptions, indent: str) -> str:
    def statements(stmts: Sequence[str]) -> list[str]:
        body = step_statements(stmts, step.mode, options)
        if body and body[0] == "BEGIN":
            return [";\n".join(body) + ";"]  # one query: the whole transaction
        return body

    def as_list(items: list[str]) -> str:
        if not items:
            return "migrations.RunSQL.noop"
        inner = "".join(f"{indent}        {py_str(s)},\n" for s in items)
        return f"[\n{inner}{indent}    ]"

    return (f"{indent}{py_comment(step.title)}\n"
            f"{indent}migrations.RunSQL(\n"
            f"{indent}    sql={as_list(statements(step.forward))},\n"
            f"{indent}    reverse_sql={as_list(statements(step.rollback))},\n"
            f"{indent}),\n")


def _index_operation(plan: Plan, model: DjangoModel, indent: str) -> str | None:
    spec = plan.django_index
    if spec is None:
        return None
    if spec.operation == "remove":
        if spec.name not in model.indexes:
            return None  # Django's state doesn't know this index: RemoveIndexConcurrently would fail
        return (f"{indent}RemoveIndexConcurrently(model_name={py_str(model.model_name)}, "
                f"name={py_str(spec.name)}),\n")
    if any(c not in model.fields for c in (*spec.columns, *spec.include)):
        return None
    fields = ", ".join(py_str(("-" if d else "") + model.fields[c]) for c, d in zip(spec.columns, spec.descending,
                                                                                    strict=True))
    include = ""
    if spec.include:
        include = ", include=[" + ", ".join(py_str(model.fields[c]) for c in spec.include) + "]"
    return (f"{indent}AddIndexConcurrently(\n"
            f"{indent}    model_name={py_str(model.model_name)},\n"
            f"{indent}    index=models.Index(fields=[{fields}], name={py_str(spec.name)}{include}),\n"
            f"{indent}),\n")


def render_django(title: str, plans: Sequence[Plan], options: DraftOptions, *,
                  models: Mapping[tuple[str, str], DjangoModel] | None = None,
                  dependencies: Sequence[tuple[str, str]] = ()) -> str:
    """The text of a Django migration module carrying out ``plans``."""
    models = models or {}
    indent = " " * 8
    ops: list[str] = []
    uses_index_ops = False
    for plan in plans:
        spec = plan.django_index
        model = models.get((spec.schema, spec.table)) if spec else None
        operation = _index_operation(plan, model, indent) if model else None
        if operation is not None:
            uses_index_ops = True
            sets = "['SET lock_timeout = 0', 'SET statement_timeout = 0']"
            ops.append(f"{indent}{py_comment(plan.title + ': ' + plan.steps[0].title)}\n"
                       f"{indent}# A concurrent build blocks no reads or writes; no timeout may cancel it halfway.\n"
                       f"{indent}migrations.RunSQL(sql={sets}, reverse_sql={sets}),\n"
                       + operation)
            continue
        ops += [_runsql(step, options, indent) for step in plan.steps]
    ops.append(f"{indent}# Leave the connection's timeouts as they were for the migrations after this one.\n"
               f"{indent}migrations.RunSQL(sql=['RESET lock_timeout', 'RESET statement_timeout'], "
               f"reverse_sql=['RESET lock_timeout', 'RESET statement_timeout']),\n")
    imports = ["from django.db import migrations" + (", models" if uses_index_ops else "")]
    if uses_index_ops:
        imports.insert(0, "from django.contrib.postgres.operations import AddIndexConcurrently, "
                          "RemoveIndexConcurrently")
    deps = "".join(f"        ({py_str(a)}, {py_str(b)}),\n" for a, b in dependencies)
    # The docstring is fixed text: names reach this file only as repr() literals and escaped comments.
    return (
        '"""dbconsole migration draft (its title is the comment below the imports).\n\n'
        "Not atomic: concurrent index builds cannot run in a transaction. Set the dependencies to the\n"
        "app's latest migration before committing this file. A model whose index is added here should\n"
        "also declare it in Meta.indexes, or makemigrations will want to remove it.\n"
        '"""\n\n'
        + "\n".join(imports) + "\n\n"
        + py_comment(f"dbconsole migration draft: {title}") + "\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    atomic = False\n\n"
        f"    dependencies = [\n{deps}    ]\n\n"
        "    operations = [\n" + "".join(ops) + "    ]\n"
    )
