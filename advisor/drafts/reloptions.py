"""Per-table autovacuum storage parameters: which exist, and how their values are written."""

from __future__ import annotations

# Per-table storage parameters a DBA tunes for autovacuum, with the kind of value each takes.
AUTOVACUUM_PARAMETERS: dict[str, type] = {
    "autovacuum_enabled": bool,
    "autovacuum_vacuum_threshold": int,
    "autovacuum_vacuum_scale_factor": float,
    "autovacuum_vacuum_insert_threshold": int,
    "autovacuum_vacuum_insert_scale_factor": float,
    "autovacuum_analyze_threshold": int,
    "autovacuum_analyze_scale_factor": float,
    "autovacuum_vacuum_cost_delay": float,
    "autovacuum_vacuum_cost_limit": int,
    "autovacuum_freeze_min_age": int,
    "autovacuum_freeze_max_age": int,
    "autovacuum_freeze_table_age": int,
    "autovacuum_multixact_freeze_min_age": int,
    "autovacuum_multixact_freeze_max_age": int,
    "autovacuum_multixact_freeze_table_age": int,
    "log_autovacuum_min_duration": int,
    "toast.autovacuum_enabled": bool,
    "toast.autovacuum_vacuum_threshold": int,
    "toast.autovacuum_vacuum_scale_factor": float,
    "toast.autovacuum_vacuum_cost_delay": float,
    "toast.autovacuum_vacuum_cost_limit": int,
}


def autovacuum_value(key: str, value: str | int | float | bool) -> str:
    """The SQL text of one storage parameter value, checked against the parameter's type."""
    expected = AUTOVACUUM_PARAMETERS[key]
    text = str(value).strip().lower()
    if expected is bool:
        if text in {"true", "on", "1"}:
            return "true"
        if text in {"false", "off", "0"}:
            return "false"
    else:
        try:
            number = expected(text) if expected is float else int(text)
        except ValueError:
            number = None
        if number is not None:
            return repr(number) if expected is float else str(number)
    raise ValueError(f"bad value for {key}: {value!r}")
