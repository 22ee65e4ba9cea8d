"""A draft that cannot be made exactly as planned is refused on the page, with the reason, and none of its
parts can be downloaded — on a real target whose foreign-key column is named ``a\\:b`` (SQLAlchemy's
``text()``, behind Alembic's ``op.execute``, would turn it into ``a:b``: a different column)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse

from advisor.models import Recommendation
from advisor.review.decisions import decide
from advisor.review.run import run_advisor
from tests.advisor.planted_shop import collect, grant_reads
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db


def test_it_refuses_a_draft_it_cannot_make_exactly_and_says_why(
    pg18_db: TargetDb, reviewer: User, client_for: Callable[[User], Client],
) -> None:
    with pg18_db.connect() as conn:
        conn.execute("CREATE TABLE parent (id int PRIMARY KEY)")
        conn.execute('CREATE TABLE child (id int PRIMARY KEY, "a\\:b" int REFERENCES parent)')
        conn.execute("INSERT INTO parent SELECT generate_series(1, 100)")
        conn.execute('INSERT INTO child SELECT g, 1 + g % 100 FROM generate_series(1, 1000) g')
        conn.execute("ANALYZE")
        grant_reads(conn)
    target = pg18_db.make_target()
    collect(target)
    run_advisor(target, trigger="cli")
    rec = Recommendation.objects.get(target=target, kind="fk_without_index")
    request = RequestFactory().post("/")
    request.user = reviewer
    decide(rec.pk, "accept", request=request)

    client = client_for(reviewer)
    url = reverse("advisor-draft", args=[target.name])
    response = client.get(url, {"r": rec.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-error="refused"' in page and "Alembic draft was refused" in page
    assert "cannot pass on unchanged" in page
    assert 'id="draft"' not in page and "CREATE INDEX" not in page
    for part in ("sql", "rollback", "django", "alembic"):
        assert client.get(url, {"r": rec.pk, "download": part}).status_code == 404
