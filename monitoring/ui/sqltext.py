"""SQL text made readable for a page: re-indented, keywords in upper case."""

from __future__ import annotations

import sqlparse
from sqlparse.exceptions import SQLParseError

FORMAT_MAX_CHARS = 4_000     # longer texts are shown as stored: formatting them would cost the page


def format_sql(text: str) -> str:
    """Re-indented with upper-case keywords; a text too long to format quickly is shown as stored."""
    if not text or len(text) > FORMAT_MAX_CHARS:
        return text
    try:
        return sqlparse.format(text, reindent=True, keyword_case="upper", indent_width=2).strip()
    except SQLParseError:   # more tokens than sqlparse agrees to group
        return text
