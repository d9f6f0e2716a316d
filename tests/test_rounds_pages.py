"""AppTest of a reporting round from the editors' pages, in both languages: create a round, file
two district sheets into it from the import page (one correction reviewed), read its completeness,
publish it incomplete only after confirming, and see "Chưa báo cáo" on the map."""
import pytest

from tests.apptest import fresh_app, signed_in
from tests.test_pages import layer_payload, map_component
from tests.test_rounds import DAM_DOI, NAM_CAN, district_sheet

WORDS = {
    "vi": {"period": "Kỳ báo cáo", "create": "Tạo đợt", "how": "Nộp vào một đợt báo cáo", "sender": "Đơn vị gửi",
           "file": "Nộp vào đợt", "confirm": "Tôi đã xem và xác nhận thay các giá trị này",
           "allow": "Tôi xác nhận công bố dù đợt còn thiếu", "publish": "Công bố bảng của đợt",
           "not_reported": "Chưa báo cáo", "complete": "24/101", "filed": "Đã nộp vào đợt"},
    "en": {"period": "Reporting period", "create": "Create the round", "how": "File into a reporting round",
           "sender": "Sender", "file": "File into the round",
           "confirm": "I have reviewed these values and confirm replacing them",
           "allow": "I confirm publishing the round incomplete", "publish": "Publish the round's table",
           "not_reported": "Not reported", "complete": "24/101", "filed": "Filed into round"},
}




def texts(at, kind):
    return " ".join(element.value for element in getattr(at, kind)).replace("\\", "")


def file_sheet(at, words, name, data, sender, confirm=False):
    at.switch_page("pages/import_data.py").run()
    at.file_uploader[0].upload(name, data).run()
    assert not at.exception, at.exception
    next(r for r in at.radio if r.label.startswith(("Lưu tệp", "How to"))).set_value("round").run()
    next(i for i in at.text_input if i.label == words["sender"]).set_value(sender).run()
    if confirm:
        next(c for c in at.checkbox if c.label == words["confirm"]).check().run()
    next(b for b in at.button if b.label == words["file"]).click().run()
    assert not at.exception and words["filed"] in texts(at, "success"), texts(at, "error")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_round_from_two_district_sheets_to_the_published_map(own_editor_database, reference, lang):
    words = WORDS[lang]
    at = fresh_app()
    at.query_params["lang"] = lang
    signed_in(at, *own_editor_database)
    at.switch_page("pages/rounds.py").run()
    assert not at.exception
    next(i for i in at.text_input if i.label == words["period"]).set_value("6 tháng đầu năm 2026")
    next(b for b in at.button if b.label == words["create"]).click().run()
    assert not at.exception

    file_sheet(at, words, "dam_doi.xlsx", district_sheet(reference.units, DAM_DOI), "UBND huyện Đầm Dơi")
    file_sheet(at, words, "nam_can.xlsx", district_sheet(reference.units, NAM_CAN), "UBND huyện Năm Căn")
    # A correction: the page shows both values and files it only once confirmed.
    corrected = district_sheet(reference.units, NAM_CAN, teams=lambda i: i + 1 if i == 1 else i)
    at.switch_page("pages/import_data.py").run()
    at.file_uploader[0].upload("nam_can_2.xlsx", corrected).run()
    next(r for r in at.radio if r.label.startswith(("Lưu tệp", "How to"))).set_value("round").run()
    assert next(b for b in at.button if b.label == words["file"]).disabled
    assert len(at.dataframe[-1].value) == 2            # teams and members of the first commune
    file_sheet(at, words, "nam_can_2.xlsx", corrected, "UBND huyện Năm Căn", confirm=True)

    at.switch_page("pages/rounds.py").run()
    assert words["complete"] in texts(at, "markdown")
    publish = next(b for b in at.button if b.label == words["publish"])
    assert publish.disabled and "Phường 1" in texts(at, "warning")
    next(c for c in at.checkbox if c.label == words["allow"]).check().run()
    next(b for b in at.button if b.label == words["publish"]).click().run()
    assert not at.exception and at.success

    at.query_params["ind"] = "hamlet_teams"
    at.switch_page("pages/map.py").run()
    payload = layer_payload(map_component(at))
    assert payload["missing"]["2"] == words["not_reported"]
    assert payload["values"]["32005"] == 2                                  # Phường 1: not reported
    nam_can = reference.units.loc[reference.units["district"] == NAM_CAN, "gso_code"].iloc[0]
    assert payload["values"][nam_can] == "2"                                # the correction
    entered = "nhập" if lang == "vi" else "entered"
    assert payload["notes"][nam_can].startswith(f"UBND huyện Năm Căn, {entered} ")   # who sent it
    assert "32005" not in payload["notes"]
