"""AppTest of the editors' pages: sign-in, the import flow, versions and the audit log."""
import pytest

import tests.corpus as corpus
from tests.accounts import ensure_editor
from tests.apptest import fresh_app
from tests.apptest import signed_in as signed_in_as_editor
from tests.html_tables import tables_in
from views.records.tables import action_text

# Its own account name: other tests create "bien_tap" with another password in the same database.
EDITOR = "apptest_editor"
PASSWORD = "mật-khẩu-thử-nghiệm-123"


@pytest.fixture(scope="module")
def files(reference, tmp_path_factory):
    return corpus.write_corpus(tmp_path_factory.mktemp("corpus"), reference.units)


@pytest.fixture
def app():
    ensure_editor(EDITOR, PASSWORD).dispose()
    return fresh_app()


def signed_in(at):
    return signed_in_as_editor(at, EDITOR, PASSWORD)


@pytest.mark.parametrize("page", ["import_data", "rounds", "versions", "audit"])
def test_editor_pages_exist_only_after_sign_in(app, page):
    app.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(f"pages/{page}.py")
    at = signed_in(app)
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception and not at.warning
    # Signed out while on the page: the page leaves the navigation and the app shows the overview.
    del at.session_state["editor_user"]
    at.run()
    assert at.title[0].value == "Bản đồ chuyển đổi số Cà Mau"
    assert not at.get("file_uploader") and not at.button


def test_wrong_password_is_refused(app):
    app.run()
    app.switch_page("pages/sign_in.py").run()
    app.text_input[0].set_value(EDITOR)
    app.text_input[1].set_value("sai")
    app.button[0].click().run()
    assert "Sai tên đăng nhập hoặc mật khẩu" in app.error[0].value
    assert "editor_user" not in app.session_state


def test_a_bad_trusted_proxy_setting_gets_its_message_and_signs_nobody_in(app, monkeypatch):
    monkeypatch.setenv("CAMAU_TRUSTED_PROXIES", "nginx.local")
    app.run()
    app.switch_page("pages/sign_in.py").run()
    app.text_input[0].set_value(EDITOR)
    app.text_input[1].set_value(PASSWORD)
    app.button[0].click().run()
    assert not app.exception
    assert "CAMAU_TRUSTED_PROXIES" in app.error[0].value and "'nginx.local'" in app.error[0].value
    assert "editor_user" not in app.session_state


def test_import_review_publish_and_see_it_on_the_map(app, files, reference):
    at = signed_in(app)
    at.switch_page("pages/import_data.py").run()
    at.file_uploader[0].upload("bao_cao_tinh.xlsx", files["bao_cao_tinh.xlsx"].read_bytes()).run()
    assert not at.exception
    assert "9 dòng xã · 9 khớp · 0 bị loại" in " ".join(m.value for m in at.markdown)
    report = at.dataframe[0].value
    assert set(report["Kết quả"]) >= {"khớp đúng", "dòng nhóm (huyện, đề mục)", "dòng tổng"}
    assert "Bảng hợp lệ" in at.success[0].value
    save_and_publish = next(b for b in at.button if b.label == "Lưu và công bố")
    save_and_publish.click().run()
    assert not at.exception
    assert any("công bố phiên bản" in s.value for s in at.success)

    at.query_params["ind"] = "hamlet_teams"
    at.query_params["c"] = "32005"
    at.switch_page("pages/map.py").run()
    assert not at.exception
    figures = {f.code: f for f in corpus.report_figures(reference.units)}
    panel = tables_in(at)[0].set_index("Chỉ tiêu")
    row = panel.loc["Tổ công nghệ số cộng đồng cấp khóm/ấp"]
    assert row["Giá trị"] == f"{figures['32005'].teams} tổ" and row["Ghi chú"] == ""
    assert not any("Dữ liệu minh họa: số liệu cấp xã" in w.value for w in at.warning)

    at.switch_page("pages/versions.py").run()
    assert "Đang công bố: phiên bản" in at.info[0].value
    next(b for b in at.button if b.label.startswith("Quay lại")).click().run()
    assert not at.exception
    assert at.success[0].value == "Đã quay lại phiên bản 0."
    assert at.info[0].value.startswith("Đang công bố: phiên bản 0")
    at.switch_page("pages/audit.py").run()
    actions = set(at.dataframe[0].value["Thao tác"])
    assert {action_text(code, "vi") for code in ("sign_in", "import", "publish", "rollback")} <= actions
    assert not {"sign_in", "import", "publish", "rollback"} & actions      # words, not the stored codes


def test_bad_file_gets_its_message_and_nothing_is_stored(app, files):
    at = signed_in(app)
    at.switch_page("pages/import_data.py").run()
    at.file_uploader[0].upload("pdf.csv", files["pdf.csv"].read_bytes()).run()
    assert not at.exception
    assert "không phải bảng tính" in at.error[0].value
    assert not [b for b in at.button if b.label.startswith("Lưu")]


def test_a_file_name_in_an_error_cannot_become_a_link(app, files):
    at = signed_in(app)
    at.switch_page("pages/import_data.py").run()
    at.file_uploader[0].upload("www.evil.example.csv", files["pdf.csv"].read_bytes()).run()
    assert not at.exception
    assert "www\u2060.evil.example" in at.error[0].value and "www.evil" not in at.error[0].value


def test_ambiguous_rows_wait_for_the_editors_decision(app, files):
    at = signed_in(app)
    at.switch_page("pages/import_data.py").run()
    at.file_uploader[0].upload("x.xlsx", files["nhom_khong_tien_to.xlsx"].read_bytes()).run()
    assert "lỗi" in at.error[0].value
    keys = [s.key for s in at.selectbox if s.key and "_decide_" in s.key]
    assert len(keys) == 4  # two "Tân Thành" and two "Thới Bình" rows without a type prefix
    used = set()
    for key in keys:  # give each pair its two different communes, one decision per rerun
        selectbox = at.selectbox(key=key)
        choice = next(c for c in selectbox.options[1:-1] if c not in used)
        used.add(choice)
        selectbox.set_value(choice).run()
        assert not at.exception
    assert "Bảng hợp lệ" in at.success[0].value
    report = at.dataframe[0].value
    assert (report["Kết quả"] == "biên tập viên chọn").sum() == 4


def test_editor_can_choose_the_sheet(app, files):
    at = signed_in(app)
    at.switch_page("pages/import_data.py").run()
    at.file_uploader[0].upload("nhieu_trang.xlsx", files["nhieu_trang.xlsx"].read_bytes()).run()
    sheet_box = next(s for s in at.selectbox if s.key and s.key.endswith("_sheet"))
    assert len(sheet_box.options) == 4  # "find it" + three sheets
    detected = next(c.value for c in at.caption if c.value.startswith("Trang “"))
    other = next(name for name in sheet_box.options[1:] if f"“{name}”" not in detected)
    sheet_box.set_value(other).run()
    assert not at.exception
    assert any("không có bảng" in e.value or "Không" in e.value for e in at.error)


def _versions() -> int:
    from storage import datasets
    from storage.db import make_engine

    engine = make_engine()
    with engine.connect() as connection:
        count = len(datasets.list_versions(connection))
    engine.dispose()
    return count


@pytest.mark.parametrize("name", ["xfd.xlsx", "empty_lines_wide.csv", "junk_rows.csv"])
def test_a_hostile_file_is_refused_on_the_english_page_in_english_and_nothing_is_stored(app, name):
    """Issue 11: the 5 KB xlsx that took 112 s and 5.4 GB, now refused at once, on the page, with
    the limit in the reader's language; issue 10: no Vietnamese on the English page."""
    import re
    import time

    from tests.hostile import HOSTILE

    at = signed_in(app)
    at.session_state["lang"] = "en"
    at.switch_page("pages/import_data.py").run()
    before = _versions()
    started = time.perf_counter()
    at.file_uploader[0].upload(name, HOSTILE[name]()).run()
    assert time.perf_counter() - started < 10
    assert not at.exception
    message = at.error[0].value
    assert message.startswith(f"File “{name}”") and "limit of 5,000 rows" in message and "Delete" in message
    assert not re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", message, re.IGNORECASE)
    assert not [b for b in at.button if b.label.startswith("Save")]
    assert _versions() == before


def test_match_reasons_on_the_english_page_are_english(app, files):
    at = signed_in(app)
    at.session_state["lang"] = "en"
    at.switch_page("pages/import_data.py").run()
    at.file_uploader[0].upload("x.xlsx", files["nhom_khong_tien_to.xlsx"].read_bytes()).run()
    assert not at.exception
    labels = [s.label for s in at.selectbox if s.key and "_decide_" in s.key]
    assert labels and all("Several units share this name" in label for label in labels)
    reasons = " ".join(at.dataframe[0].value["Reason"])
    assert "By GSO code" in reasons or "Matches" in reasons
    assert "Khớp" not in reasons and "Nhiều đơn vị" not in reasons


def test_the_versions_page_words_the_sample_and_a_refused_rollback_in_english(monkeypatch, tmp_path):
    import streamlit as st

    # A database of its own: only the sample is there, so there is nothing to roll back to.
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CAMAU_STATE_DIR", str(tmp_path))
    st.cache_resource.clear()
    ensure_editor(EDITOR, PASSWORD).dispose()
    at = fresh_app()
    at.query_params["lang"] = "en"
    signed_in(at)
    at.switch_page("pages/versions.py").run()
    versions = at.dataframe[0].value
    sample = versions.iloc[0]
    assert sample["File"] == "—" and sample["Imported by"] == "the app (created automatically)"
    assert any("no match report" in caption.value for caption in at.caption)
    [b for b in at.button if b.label == "Roll back to the previously published version"][0].click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["No version was published before this one: there is nothing to roll back to."]
    st.cache_resource.clear()
