"""Help page with the hotline setting, robots.txt, meta descriptions and htmx's indicator
style (issue 15, items 9 and 11)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_help_page_shows_the_configured_hotline(client, settings):
    settings.TINHSO_HOTLINE = "0274 3 822 822"
    settings.TINHSO_HOTLINE_HOURS = "7 giờ 30 đến 17 giờ, thứ Hai đến thứ Sáu"
    page = client.get("/tro-giup/").content.decode()
    assert 'href="tel:02743822822"' in page and "0274 3 822 822" in page
    assert "7 giờ 30 đến 17 giờ" in page
    # every page's footer points to it
    home = client.get("/").content.decode()
    assert 'href="/tro-giup/"' in home and "0274 3 822 822" in home


def test_help_page_without_hotline(client, settings):
    settings.TINHSO_HOTLINE = ""
    page = client.get("/tro-giup/").content.decode()
    assert "tel:" not in page and "Tổng đài hỗ trợ" not in page
    assert "Câu hỏi thường gặp" in page


def test_robots_txt_is_plain_text_rules(client):
    r = client.get("/robots.txt")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/plain")
    lines = r.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert all(re.fullmatch(r"(User-agent: \*|Disallow: /\S*|)", line) for line in lines)
    assert "Disallow: /tai-khoan/" in lines and "Disallow: /dich-vu-cong/" not in lines


def _description(html: str) -> str:
    m = re.search(r'<meta name="description" content="([^"]*)">', html)
    return m[1] if m else ""


def test_every_page_has_a_meta_description_and_htmx_config(client):
    html = client.get("/").content.decode()
    assert len(_description(html)) > 50
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false}\'>' in html


def test_stylesheet_carries_the_htmx_indicator_style():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("web/tinhso.css")).read_text(encoding="utf-8")
    assert ".htmx-indicator { opacity: 0; }" in css
    assert ".htmx-request .htmx-indicator" in css
