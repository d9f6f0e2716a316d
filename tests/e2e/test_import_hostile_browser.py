"""Issue 11 in a real browser against the real, multi-threaded Streamlit server: an editor uploads
the hostile files on the import page. Each is refused with its message within seconds, and the
server process's resident memory stays where it was (the file is parsed in a bounded child)."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.hostile import HOSTILE

pytestmark = pytest.mark.e2e

USERNAME = "bien_tap_hostile"
PASSWORD = "mat-khau-e2e-hostile-123"
MEMORY = 300 * 1024 * 1024


def _server_pid(url: str) -> int:
    """The ``streamlit run`` process serving ``url`` (found by its --server.port argument)."""
    port = url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(args) and b"--server.port" in args \
                and args[args.index(b"--server.port") + 1] == port.encode():
            return int(proc.name)
    raise LookupError(url)


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))


@pytest.mark.parametrize("name, expected", [
    ("xfd.xlsx", "vượt giới hạn 5.000 dòng"),
    ("empty_lines_wide.csv", "vượt giới hạn 5.000 dòng"),
    ("bare_cells.xlsx", "khi giải nén"),
    ("long_shared_string.xlsx", "khi giải nén"),
    ("junk_rows_10mb.csv", "vượt giới hạn 5.000 dòng"),
])
def test_hostile_upload_is_refused_and_the_server_keeps_its_memory(page, app_url, manage, tmp_path, name, expected):
    created = manage("create-editor", USERNAME, stdin=PASSWORD + "\n")
    assert created.returncode == 0 or "đã có" in created.stderr or "exists" in created.stderr.lower(), created
    pid = _server_pid(app_url)
    path = tmp_path / name
    path.write_bytes(HOSTILE[name]())

    page.goto(app_url + "/dang-nhap")
    form = page.locator('[data-testid="stForm"]')
    form.get_by_label("Tên đăng nhập", exact=True).fill(USERNAME)
    form.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Đăng nhập").click()
    link = page.locator('[data-testid="stSidebarNavLink"]').filter(has=page.get_by_text("Nhập dữ liệu", exact=True))
    link.click()
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Tệp số liệu (.xlsx, .csv)")
    expect(uploader).to_have_count(1)
    before = _rss(pid)
    started = time.perf_counter()
    uploader.locator('input[type="file"]').set_input_files(path)
    error = page.locator('[data-testid="stAlertContentError"]').filter(has_text=f"“{name}”")
    expect(error).to_be_visible(timeout=15_000)
    seconds = time.perf_counter() - started
    expect(error).to_contain_text(expected)
    after = _rss(pid)
    print(f"\n{name}: refused on the page in {seconds:.1f} s (upload included); "
          f"server RSS {before / 2**20:.0f} -> {after / 2**20:.0f} MB")
    assert seconds < 10
    assert after - before <= MEMORY
    expect(page.get_by_role("button", name="Lưu và công bố")).to_have_count(0)
