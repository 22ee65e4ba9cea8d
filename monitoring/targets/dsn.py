"""Parse what a user types as a connection string into target fields, without ever echoing a password."""

from __future__ import annotations

import re
from dataclasses import dataclass

from psycopg.conninfo import conninfo_to_dict

from monitoring.models.target import SSLMODES

EXAMPLE = "postgresql://user:password@host:5432/dbname"


class DsnError(ValueError):
    """The connection string cannot be used; the message is safe to print."""


@dataclass(frozen=True)
class ConnSpec:
    host: str
    port: int
    dbname: str
    user: str
    password: str
    sslmode: str

    def params(self, **overrides: object) -> dict[str, object]:
        values: dict[str, object] = {
            "host": self.host, "port": self.port, "dbname": self.dbname,
            "user": self.user, "password": self.password, "sslmode": self.sslmode,
        }
        values.update(overrides)
        return values

    @property
    def address(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.dbname}"


def parse_dsn(dsn: str) -> ConnSpec:
    """Accept a URI or a ``key=value`` string; host, user and dbname must be explicit."""
    dsn = dsn.strip()
    if not dsn:
        raise DsnError(f"empty connection string; expected e.g. {EXAMPLE}")
    try:
        values = conninfo_to_dict(dsn)
    except Exception as exc:
        raise DsnError(f"not a valid connection string ({_mask(str(exc), dsn)}); expected e.g. {EXAMPLE}") from None
    host = str(values.get("host") or "")
    if not host or host.startswith("/"):
        raise DsnError(f"the connection string must name a TCP host; expected e.g. {EXAMPLE}")
    if "," in host:
        raise DsnError("several hosts in one connection string: add each server as its own target")
    try:
        port = int(values.get("port") or 5432)
    except ValueError:
        raise DsnError(f"port {values.get('port')!r} is not a number") from None
    if not 0 < port < 65536:
        raise DsnError(f"port {port} is out of range")
    user = str(values.get("user") or "")
    if not user:
        raise DsnError(f"the connection string must name a user; expected e.g. {EXAMPLE}")
    dbname = str(values.get("dbname") or "") or user
    sslmode = str(values.get("sslmode") or "prefer")
    if sslmode not in SSLMODES:
        raise DsnError(f"sslmode {sslmode!r} is not one of {', '.join(SSLMODES)}")
    return ConnSpec(host=host, port=port, dbname=dbname, user=user,
                    password=str(values.get("password") or ""), sslmode=sslmode)


def _mask(message: str, dsn: str) -> str:
    """psycopg may quote a fragment of the input; hide anything that could be the password."""
    message = message.strip().splitlines()[0] if message.strip() else "unparsable"
    found = re.search(r"//[^:/@]*:([^@]*)@", dsn) or re.search(r"password\s*=\s*(\S+)", dsn)
    if found and found.group(1):
        message = message.replace(found.group(1), "********")
    return message
