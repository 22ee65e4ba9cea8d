"""An hour of the helpdesk's traffic, and the indexes a careful DBA would give it (with the reasons).

Each shape is a statement with ``%s`` parameters, how often it runs per hour, and a query choosing its
parameter values from the data (the scoring plans the first three rows of a read; a write sample takes
``{n}`` rows). Representatives are typical, not extreme: organizations around the 50th largest,
projects around the 20th busiest, tickets of the last weeks.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    name: str
    sql: str
    per_hour: float
    params: str
    write: bool = False


BUSY_ORG = "SELECT org_id FROM tickets GROUP BY org_id ORDER BY count(*) DESC, org_id OFFSET 50 LIMIT {n}"
RECENT_TICKET = "SELECT id FROM tickets WHERE id % 997 = 5 ORDER BY id DESC OFFSET 20 LIMIT {n}"
SOME_USER = "SELECT id FROM users WHERE id % 991 = 7 ORDER BY id LIMIT {n}"

READS = [
    Shape("session by token", "SELECT user_id, expires_at FROM sessions WHERE token = %s", 30_000,
          "SELECT token FROM sessions WHERE id % 997 = 3 ORDER BY id LIMIT {n}"),
    Shape("user by id", "SELECT id, org_id, name, role FROM users WHERE id = %s", 30_000, SOME_USER),
    Shape("login", "SELECT id, password_hash FROM users WHERE lower(email) = lower(%s) AND deleted_at IS NULL", 600,
          "SELECT email FROM users WHERE deleted_at IS NULL AND id % 991 = 7 ORDER BY id LIMIT {n}"),
    Shape("inbox", "SELECT id, ref, subject, priority, updated_at FROM tickets WHERE org_id = %s AND status = %s "
          "ORDER BY updated_at DESC LIMIT 50", 6_000,
          "SELECT org_id, 'open' FROM (" + BUSY_ORG + ") AS o"),
    Shape("project page (keyset)", "SELECT id, ref, subject, created_at FROM tickets WHERE project_id = %s "
          "AND (created_at, id) < (%s, %s) ORDER BY created_at DESC, id DESC LIMIT 25", 3_000,
          "SELECT project_id, max(created_at) - interval '30 days', max(id) FROM tickets GROUP BY project_id "
          "ORDER BY count(*) DESC, project_id OFFSET 20 LIMIT {n}"),
    Shape("my open tickets", "SELECT id, ref, subject, status FROM tickets WHERE assignee_id = %s "
          "AND status <> 'closed' ORDER BY priority DESC, updated_at DESC LIMIT 50", 2_500,
          "SELECT assignee_id FROM tickets WHERE assignee_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 "
          "OFFSET 100 LIMIT {n}"),
    Shape("ticket page", "SELECT t.id, t.ref, t.subject, t.status, p.name FROM tickets t "
          "JOIN projects p ON p.id = t.project_id WHERE t.id = %s", 12_000, RECENT_TICKET),
    Shape("ticket thread", "SELECT c.id, c.body, c.created_at, u.name FROM comments c JOIN users u "
          "ON u.id = c.author_id WHERE c.ticket_id = %s ORDER BY c.created_at", 12_000, RECENT_TICKET),
    Shape("ticket attachments", "SELECT id, name, bytes FROM attachments WHERE ticket_id = %s", 12_000,
          RECENT_TICKET),
    Shape("ticket tags", "SELECT t.name FROM ticket_tags tt JOIN tags t ON t.id = tt.tag_id "
          "WHERE tt.ticket_id = %s", 12_000, RECENT_TICKET),
    Shape("org members", "SELECT id, name, email, role FROM users WHERE org_id = %s AND deleted_at IS NULL "
          "ORDER BY name LIMIT 100", 1_200, BUSY_ORG),
    Shape("org projects", "SELECT id, name FROM projects WHERE org_id = %s AND archived_at IS NULL ORDER BY name",
          3_000, BUSY_ORG),
    Shape("tickets by tag", "SELECT tt.ticket_id FROM ticket_tags tt WHERE tt.tag_id = %s "
          "ORDER BY tt.ticket_id DESC LIMIT 50", 400,
          "SELECT tag_id FROM ticket_tags GROUP BY 1 ORDER BY count(*) DESC, 1 OFFSET 50 LIMIT {n}"),
    Shape("reference search", "SELECT id, ref, subject FROM tickets WHERE ref LIKE %s LIMIT 20", 500,
          "SELECT left(ref, 8) || '%' FROM tickets WHERE id % 997 = 5 ORDER BY id LIMIT {n}"),
    Shape("integration lookup", "SELECT id, status FROM tickets WHERE external_id = %s OR ref = %s", 300,
          "SELECT a.external_id, b.ref FROM tickets a, tickets b WHERE a.id % 997 = 5 AND a.external_id IS NOT NULL "
          "AND b.id = a.id + 1 ORDER BY a.id LIMIT {n}"),
    Shape("dashboard counts", "SELECT status, count(*) FROM tickets WHERE org_id = %s GROUP BY status", 1_500,
          BUSY_ORG),
    Shape("daily report", "SELECT date_trunc('day', created_at) AS day, count(*) FROM tickets WHERE org_id = %s "
          "AND created_at >= %s AND created_at < %s GROUP BY 1 ORDER BY 1", 150,
          "SELECT org_id, timestamptz '2025-06-01', timestamptz '2025-07-01' FROM (" + BUSY_ORG + ") AS o"),
    Shape("SLA report", "SELECT priority, avg(closed_at - created_at) FROM tickets WHERE closed_at >= %s "
          "AND closed_at < %s GROUP BY priority", 4,
          "SELECT timestamptz '2025-10-01', timestamptz '2025-11-01' FROM generate_series(1, {n})"),
    Shape("audit lookup", "SELECT id, kind, created_at FROM events WHERE user_id = %s ORDER BY created_at DESC "
          "LIMIT 50", 3, SOME_USER),
    Shape("active users report", "SELECT count(*) FROM users WHERE last_seen_at > %s", 2,
          "SELECT now() - interval '1 day' FROM generate_series(1, {n})"),
    Shape("job poll", "SELECT id, payload FROM jobs WHERE queue = %s AND run_at <= %s ORDER BY run_at LIMIT 10 "
          "FOR UPDATE SKIP LOCKED", 3_600, "SELECT 'mail', now() FROM generate_series(1, {n})"),
    Shape("user's sessions", "SELECT id, created_at FROM sessions WHERE user_id = %s ORDER BY created_at DESC", 200,
          SOME_USER),
    Shape("profile comments", "SELECT id, ticket_id, created_at FROM comments WHERE author_id = %s "
          "ORDER BY created_at DESC LIMIT 20", 60, SOME_USER),
]

WRITES = [
    Shape("event insert", "INSERT INTO events (org_id, user_id, kind, payload, created_at) "
          "VALUES (%s, %s, %s, %s, now())", 200_000,
          "SELECT org_id, id, 'kind-' || (id % 20), md5(id::text) FROM users WHERE id % 7 = 1 ORDER BY id LIMIT {n}",
          write=True),
    Shape("seen", "UPDATE users SET last_seen_at = now() WHERE id = %s", 25_000,
          "SELECT id FROM users WHERE id % 13 = 2 ORDER BY id LIMIT {n}", write=True),
    Shape("session extend", "UPDATE sessions SET expires_at = now() + interval '14 days' WHERE token = %s", 15_000,
          "SELECT token FROM sessions WHERE id % 31 = 3 ORDER BY id LIMIT {n}", write=True),
    Shape("session insert", "INSERT INTO sessions (user_id, token, created_at, expires_at) "
          "VALUES (%s, md5(random()::text), now(), now() + interval '14 days')", 1_000, SOME_USER, write=True),
    Shape("logout everywhere", "DELETE FROM sessions WHERE user_id = %s", 100, SOME_USER, write=True),
    Shape("comment insert", "INSERT INTO comments (ticket_id, author_id, body, created_at) "
          "VALUES (%s, %s, %s, now())", 6_000,
          "SELECT id, reporter_id, md5(id::text) FROM tickets WHERE id % 97 = 1 ORDER BY id DESC LIMIT {n}",
          write=True),
    Shape("ticket insert", "INSERT INTO tickets (org_id, project_id, reporter_id, ref, status, priority, subject, "
          "created_at, updated_at) VALUES (%s, %s, %s, %s, 'open', 2, %s, now(), now())", 1_500,
          "SELECT org_id, id, 1 + id % 1000, 'N-' || md5(id::text), 'New ' || id FROM projects WHERE id % 97 = 1 "
          "ORDER BY id LIMIT {n}", write=True),
    Shape("ticket status", "UPDATE tickets SET status = %s, updated_at = now() WHERE id = %s", 8_000,
          "SELECT 'pending', id FROM tickets WHERE id % 211 = 9 ORDER BY id DESC LIMIT {n}", write=True),
    Shape("ticket assign", "UPDATE tickets SET assignee_id = %s, updated_at = now() WHERE id = %s", 1_500,
          "SELECT 1 + id % 1000, id FROM tickets WHERE id % 211 = 17 ORDER BY id DESC LIMIT {n}", write=True),
    Shape("ticket delete", "DELETE FROM tickets WHERE id = %s", 40,
          "SELECT id FROM tickets WHERE status = 'closed' AND id % 997 = 11 ORDER BY id LIMIT {n}", write=True),
    Shape("job insert", "INSERT INTO jobs (queue, run_at, payload) VALUES (%s, now(), %s)", 3_600,
          "SELECT 'mail', md5(g::text) FROM generate_series(1, {n}) AS g", write=True),
    Shape("job done", "DELETE FROM jobs WHERE id = %s", 3_600,
          "SELECT id FROM jobs WHERE id % 17 = 4 ORDER BY id LIMIT {n}", write=True),
    Shape("tag ticket", "INSERT INTO ticket_tags (ticket_id, tag_id) VALUES (%s, %s) ON CONFLICT DO NOTHING", 2_000,
          "SELECT id, 1 + id % 500 FROM tickets WHERE id % 89 = 3 ORDER BY id DESC LIMIT {n}", write=True),
]

SHAPES = READS + WRITES

# The indexes a careful DBA would create for this traffic, and why. Left out on purpose: events (200,000
# inserts an hour for an audit lookup run three times an hour), users (last_seen_at) (it would end the HOT
# updates of 25,000 "seen" updates an hour for a report run twice an hour), tickets (closed_at) (an SLA
# report four times an hour, over a range a sequential scan reads fast enough), comments, attachments and
# sessions foreign keys to users (users are never deleted).
DBA_SET = [
    ("CREATE INDEX ON sessions (token)", "every request authenticates by its session token and extends it"),
    ("CREATE INDEX ON users (lower(email))", "login compares the email case-insensitively"),
    ("CREATE INDEX ON tickets (org_id, status, updated_at)",
     "the inbox: one organization's tickets in one status, latest first; also the dashboard's counts"),
    ("CREATE INDEX ON tickets (project_id, created_at, id)", "keyset pagination of a project's tickets"),
    ("CREATE INDEX ON tickets (assignee_id)", "an agent's open tickets: a few hundred per agent, sorted after"),
    ("CREATE INDEX ON comments (ticket_id, created_at)",
     "a ticket's thread in order; also what a ticket delete cascades through"),
    ("CREATE INDEX ON attachments (ticket_id)", "a ticket's attachments; also the cascade of a ticket delete"),
    ("CREATE INDEX ON users (org_id) WHERE deleted_at IS NULL", "an organization's live members"),
    ("CREATE INDEX ON projects (org_id)", "an organization's projects"),
    ("CREATE INDEX ON ticket_tags (tag_id)", "the tickets with a tag; also the foreign key to tags"),
    ("CREATE INDEX ON tickets (ref text_pattern_ops)",
     "reference prefix search under the ICU collation, where a plain btree cannot serve LIKE; equality too"),
    ("CREATE INDEX ON tickets (external_id)", "integration lookups, the other arm of the OR with ref"),
    ("CREATE INDEX ON tickets (org_id, created_at)", "the daily report over one organization's month"),
    ("CREATE INDEX ON sessions (user_id)", "logout everywhere deletes a user's sessions; the session list"),
    ("CREATE INDEX ON jobs (queue, run_at)", "the job poller takes the due jobs of one queue in order"),
    ("CREATE INDEX ON comments (author_id, created_at)", "a user's latest comments on the profile page"),
]
