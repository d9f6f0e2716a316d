"""Sign-in that survives a reload, in a real browser: sign in once, reload and open a new tab
still signed in, one audit row for the sign-in; sign out, and the old cookie, replayed in a fresh
browser, signs no one in. Every request outside the app server is aborted and recorded."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_import_browser import nav_link

pytestmark = pytest.mark.e2e

USER, PASSWORD = "phien_lam_viec", "mat-khau-phien-789"
COOKIE = "camau_editor_session"


@pytest.fixture(scope="module")
def account(manage):
    created = manage("create-editor", USER, stdin=PASSWORD + "\n")
    assert created.returncode == 0 or "đã có" in created.stderr, created.stdout + created.stderr


def sign_in_rows(manage) -> int:
    log = manage("audit", "--limit", "500").stdout
    return sum(1 for line in log.splitlines() if f" {USER} " in line and " sign_in " in line)


def test_a_sign_in_survives_a_reload_and_a_new_tab_until_sign_out(make_context, app_url, manage, account,
                                                                  no_outside_requests):
    context = make_context(app_url)
    page = context.new_page()
    before = sign_in_rows(manage)
    page.goto(app_url + "/dang-nhap")
    form = page.locator('[data-testid="stForm"]')
    form.get_by_label("Tên đăng nhập", exact=True).fill(USER)
    form.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Đăng nhập").click()
    expect(nav_link(page, "Nhập dữ liệu")).to_be_visible()
    page.wait_for_function(f"() => document.cookie.includes({COOKIE!r} + '=')")
    cookie = next(c for c in context.cookies() if c["name"] == COOKIE)
    assert cookie["sameSite"] == "Strict" and cookie["expires"] > 0

    page.reload()
    expect(nav_link(page, "Nhập dữ liệu")).to_be_visible()
    other_tab = context.new_page()
    other_tab.goto(app_url + "/phien-ban")
    expect(other_tab.get_by_role("heading", name="Phiên bản dữ liệu")).to_be_visible()
    assert sign_in_rows(manage) == before + 1               # one row for the sign-in, none per page load

    nav_link(page, "Tài khoản").click()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(nav_link(page, "Đăng nhập")).to_be_visible()
    page.reload()
    expect(nav_link(page, "Nhập dữ liệu")).to_have_count(0)
    # The copied cookie is worthless once signed out (the session is revoked on the server).
    replay = make_context(app_url)
    replay.add_cookies([{**cookie}])
    stolen = replay.new_page()
    stolen.goto(app_url + "/")
    expect(nav_link(stolen, "Đăng nhập")).to_be_visible()
    expect(nav_link(stolen, "Nhập dữ liệu")).to_have_count(0)
    no_outside_requests()
