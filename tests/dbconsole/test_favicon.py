"""Browsers find an icon: the pages link one, and /favicon.ico answers without a login (no 404)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_serves_favicon_ico_at_the_root_without_login() -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # type: ignore[attr-defined]


def test_it_links_an_svg_icon_that_is_served() -> None:
    client = Client()
    page = client.get("/accounts/login/").content.decode()
    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert link is not None
    icon = client.get(link.group(1))
    assert icon.status_code == 200 and b"<svg" in b"".join(icon.streaming_content)  # type: ignore[attr-defined]
