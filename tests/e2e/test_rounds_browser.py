"""A reporting round in a real browser: two editors, each in a browser of their own, file their
district's sheet into one round; the second publishes it incomplete after confirming the gaps; the
map shows both districts' figures and "Chưa báo cáo" everywhere else. Every request outside the
app server is aborted and recorded.

The server is shared with the map tests, which expect the sample (version 0) published: the test
rolls back at the end, and ``sample_stays_published`` repairs and fails if it stops half-way.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from geo.reference import load_reference
from indicators.catalogue import load_catalogue
from tests.test_rounds import DAM_DOI, NAM_CAN, district_sheet

from .helpers import wait_map
from .test_import_browser import (
    SUCCESS_TIMEOUT,
    choose_indicator,
    hover_tooltip,
    nav_link,
    published_number,
    sample_stays_published,  # noqa: F401 - a fixture
    wait_idle,
)

pytestmark = pytest.mark.e2e

EDITORS = {"tong_hop_a": "mat-khau-dot-a-123", "tong_hop_b": "mat-khau-dot-b-456"}
PHUONG_1 = "32005"


@pytest.fixture(scope="module")
def round_id(manage):
    for user, password in EDITORS.items():
        created = manage("create-editor", user, stdin=password + "\n")
        assert created.returncode == 0 or "đã có" in created.stderr, created.stdout + created.stderr
    created = manage("round", "create", "--period", "Quý III/2026 (thử)", "--indicators", "hamlet_teams,team_members")
    assert created.returncode == 0, created.stderr
    return created.stdout.strip()


def sign_in(page, app_url, user: str) -> None:
    page.goto(app_url + "/dang-nhap")
    form = page.locator('[data-testid="stForm"]')
    form.get_by_label("Tên đăng nhập", exact=True).fill(user)
    form.get_by_label("Mật khẩu", exact=True).fill(EDITORS[user])
    form.get_by_role("button", name="Đăng nhập").click()
    expect(nav_link(page, "Đợt báo cáo")).to_be_visible()


def file_into_round(page, path, sender: str) -> None:
    nav_link(page, "Nhập dữ liệu").click()
    uploader = page.locator('[data-testid="stFileUploader"]')
    uploader.locator('input[type="file"]').set_input_files(path)
    expect(page.get_by_text("Bảng hợp lệ: có thể lưu thành phiên bản mới.")).to_be_visible(timeout=SUCCESS_TIMEOUT)
    page.get_by_text("Nộp vào một đợt báo cáo", exact=True).click()
    page.get_by_label("Đơn vị gửi", exact=True).fill(sender)
    page.get_by_label("Đơn vị gửi", exact=True).press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Nộp vào đợt", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Đã nộp vào đợt \d+ \(đơn vị gửi: "))).to_be_visible(timeout=SUCCESS_TIMEOUT)


def test_two_editors_file_one_round_and_the_map_shows_who_has_not_reported(
        make_context, app_url, manage, tmp_path, round_id, sample_stays_published, no_outside_requests):  # noqa: F811
    units = load_reference().units
    sheets = {}
    for name in (DAM_DOI, NAM_CAN):
        sheets[name] = tmp_path / f"{name}.xlsx"
        sheets[name].write_bytes(district_sheet(units, name))

    first = make_context(app_url).new_page()
    second = make_context(app_url).new_page()
    sign_in(first, app_url, "tong_hop_a")
    sign_in(second, app_url, "tong_hop_b")
    file_into_round(first, sheets[DAM_DOI], "UBND huyện Đầm Dơi")
    file_into_round(second, sheets[NAM_CAN], "UBND huyện Năm Căn")

    # --- the round page: completeness, then publishing it incomplete after confirming ------------
    nav_link(second, "Đợt báo cáo").click()
    expect(second.get_by_text("24/101", exact=True)).to_be_visible()
    submissions = second.locator('[data-testid="stDataFrame"]')
    expect(submissions.first).to_be_visible()
    publish = second.get_by_role("button", name="Công bố bảng của đợt", exact=True)
    expect(publish).to_be_disabled()
    expect(second.get_by_text(re.compile(r"^Đợt chưa đủ\. Còn thiếu: Phường 1 \("))).to_be_visible()
    second.get_by_text("Tôi xác nhận công bố dù đợt còn thiếu", exact=True).click()
    expect(publish).to_be_enabled()
    publish.click()
    expect(second.get_by_text(re.compile(r"^Đã công bố đợt thành phiên bản \d+\.$"))).to_be_visible(
        timeout=SUCCESS_TIMEOUT)
    assert published_number(manage) != 0

    # --- the map: both districts' figures, "Chưa báo cáo" elsewhere ------------------------------
    teams = load_catalogue()["hamlet_teams"].name["vi"]
    nav_link(first, "Bản đồ").click()
    wait_map(first)
    wait_idle(first)
    choose_indicator(first, teams, teams)
    for district in (DAM_DOI, NAM_CAN):
        code = units.loc[units["district"] == district, "gso_code"].iloc[0]
        tip = hover_tooltip(first, code)
        assert "1 tổ" in tip and "Chưa báo cáo" not in tip, tip
    tip = hover_tooltip(first, PHUONG_1)
    assert "Chưa báo cáo" in tip and "Không có dữ liệu" not in tip, tip

    assert manage("rollback", "--user", "e2e-rounds").returncode == 0
    assert published_number(manage) == 0
    no_outside_requests()
