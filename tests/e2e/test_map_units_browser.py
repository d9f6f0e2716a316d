"""The map page on the 2025 units in a real browser: 64 polygons from their own static file with
every outside request blocked, converted values with their marks in the tooltip, and the switch
back to the 2022–2024 units keeping the indicator."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import MAP_IFRAME, MAP_PAGE, N_COMMUNES, commune_point, commune_styles, wait_map

pytestmark = pytest.mark.e2e

UNITS_2025 = 64
AN_XUYEN, TAN_THANH, BAC_LIEU = "32002", "32025", "31825"


def tooltip_of(page, code: str) -> str:
    """Hover a hit-tested point inside the unit's polygon and return the tooltip's text."""
    point = commune_point(page, code)
    page.mouse.move(point["x"], point["y"])
    tip = page.frame_locator(MAP_IFRAME).locator(".leaflet-tooltip")
    expect(tip).to_be_visible()
    return tip.inner_text()


def test_the_2025_units_are_drawn_offline_with_their_conversion_marks(page, app_url, no_outside_requests):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(app_url + MAP_PAGE + "?units=2025&ind=population_2019")
    wait_map(page, communes=UNITS_2025)
    styles = commune_styles(page)
    assert len(styles) == UNITS_2025 and {AN_XUYEN, TAN_THANH, BAC_LIEU} <= set(styles)
    assert any(re.search(r"/app/static/geo/communes-2025-[0-9a-f]+\.geojson$", u) for u in requested), requested
    assert styles[BAC_LIEU]["dashArray"] and not styles[AN_XUYEN]["dashArray"]    # no data: dashed

    an_xuyen = tooltip_of(page, AN_XUYEN)
    assert "Phường An Xuyên" in an_xuyen and "70.252" in an_xuyen
    assert "Quy đổi từ đơn vị cũ (2022–2024)" in an_xuyen
    assert "ước tính" in tooltip_of(page, TAN_THANH)
    bac_lieu = tooltip_of(page, BAC_LIEU)
    assert "Không có dữ liệu" in bac_lieu and "Bạc Liêu cũ" in bac_lieu
    no_outside_requests()


def test_switching_the_unit_set_keeps_the_indicator(page, app_url, no_outside_requests):
    page.goto(app_url + MAP_PAGE + "?ind=population_density")
    wait_map(page)
    page.get_by_text("Từ 01/07/2025 (64 xã, phường)", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]units=2025(&|$)"))
    wait_map(page, communes=UNITS_2025)
    # the outlines (geo/choropleth_layer.js outlineStyle): the merged province, no districts since 2025
    frame = page.frame_locator(MAP_IFRAME)
    province, districts = frame.locator('path[stroke="#1a1a1a"]'), frame.locator('path[stroke="#262626"]')
    expect(province).to_have_count(1)
    expect(districts).to_have_count(0)
    expect(page).to_have_url(re.compile(r"[?&]ind=population_density(&|$)"))
    expect(page.get_by_role("combobox", name="Chỉ tiêu", exact=True)).to_have_value(re.compile("Mật độ dân số"))
    page.get_by_text("2022–2024 (101 xã, phường, thị trấn)", exact=True).click()
    wait_map(page, communes=N_COMMUNES)
    expect(province).to_have_count(1)
    expect(districts).to_have_count(9)
    expect(page).not_to_have_url(re.compile(r"[?&]units="))
    expect(page).to_have_url(re.compile(r"[?&]ind=population_density(&|$)"))
    no_outside_requests()
