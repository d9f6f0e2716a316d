"""Every interface string, in Vietnamese (the default) and English. Pages never hold literals."""
from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "vi": {
        "app.title": "Bản đồ chuyển đổi số Cà Mau",
        "app.subtitle": "Đề án 06 và chuyển đổi số tại 101 xã, phường, thị trấn",
        "nav.overview": "Tổng quan",
        "nav.map": "Bản đồ",
        "nav.about": "Giới thiệu",
        "lang.label": "Ngôn ngữ",
        "illustrative": "Dữ liệu minh họa",
        "illustrative.long": "Dữ liệu minh họa: số liệu cấp xã do dự án tạo ra để trình diễn, "
                             "tổng khớp báo cáo ngày 10/02/2023; không phải số liệu chính thức của từng xã.",
        "ref.missing_dir": "Không tìm thấy thư mục dữ liệu tham chiếu: {path}",
        "ref.missing_file": "Thiếu tệp dữ liệu tham chiếu: {path}",
        "ref.corrupt_file": "Không đọc được tệp dữ liệu tham chiếu: {path}",
        "ref.invalid_data": "Tệp dữ liệu tham chiếu không hợp lệ: {path}",
        "ref.detail": "Chi tiết: {detail}",
        "ref.howto": "Ứng dụng đọc dữ liệu ranh giới và dân số từ thư mục `{default}` (cạnh thư mục mã nguồn). "
                     "Để dùng thư mục khác, đặt biến môi trường `CAMAU_REFERENCE_DIR`, ví dụ: "
                     "`CAMAU_REFERENCE_DIR=/duong/dan/reference streamlit run app.py`. "
                     "Danh sách tệp cần có nằm trong README.md.",
        "overview.title": "Tổng quan: kết quả sau 01 năm triển khai Đề án 06 và chuyển đổi số năm 2022",
        "overview.source": "Nguồn: {source}. Số liệu ngày {date}.",
        "overview.target": "trên tổng {target}",
        "overview.over": "trên",
        "overview.commune_note": "Báo cáo không có số liệu theo từng xã. Bản đồ dùng dữ liệu minh họa có tổng khớp các số liệu trên.",
        "overview.open_map": "Mở bản đồ",
        "map.title": "Bản đồ chỉ tiêu theo xã",
        "map.indicator": "Chỉ tiêu",
        "map.scheme": "Phân lớp",
        "map.scheme.quantiles": "Phân vị (số xã đều nhau)",
        "map.scheme.fisher_jenks": "Ngắt tự nhiên (Fisher-Jenks)",
        "map.scheme.equal_interval": "Khoảng đều",
        "map.scheme.manual": "Tự nhập ngưỡng",
        "map.classes": "Số lớp",
        "map.palette": "Bảng màu",
        "map.breaks": "Ngưỡng (cách nhau bởi dấu ;)",
        "map.breaks.help": "Ví dụ: 1.000; 5.000; 10.000 cho 4 lớp. Cần 2–6 ngưỡng tăng dần.",
        "map.breaks.invalid": "Ngưỡng không hợp lệ: {error}. Đang dùng phân vị.",
        "map.filters": "Bộ lọc",
        "map.filter.district": "Huyện / thành phố",
        "map.filter.any": "Tất cả",
        "map.filter.type": "Loại đơn vị",
        "map.filter.pilot": "Thí điểm Tổ công nghệ số cộng đồng",
        "map.filter.pilot.all": "Tất cả",
        "map.filter.pilot.pilot": "Đã thí điểm",
        "map.filter.pilot.not_pilot": "Chưa thí điểm",
        "map.filter.range": "Khoảng giá trị",
        "map.filter.reset": "Bỏ lọc",
        "map.filter.count": "{shown}/{total} xã, phường, thị trấn thỏa bộ lọc",
        "map.notice": "Tham số liên kết không hợp lệ đã được bỏ qua: {params}",
        "legend.title": "Chú giải",
        "legend.range": "{lower} – dưới {upper}",
        "legend.range_last": "{lower} – {upper}",
        "legend.below": "dưới {upper}",
        "legend.from": "từ {lower} trở lên",
        "legend.single": "{value}",
        "legend.no_data": "Không có dữ liệu",
        "legend.not_deployed": "Chưa triển khai (xã chưa thí điểm)",
        "legend.filtered_out": "Ngoài bộ lọc (mờ)",
        "legend.count": "{count} xã",
        "legend.model": "Mô hình \"Khu dân cư điện tử\" (Khóm 6, Phường 1)",
        "category.pilot": "Đã thí điểm",
        "category.not_pilot": "Chưa thí điểm",
        "tooltip.denominator": "Mẫu số",
        "tooltip.no_denominator": "số tuyệt đối",
        "tooltip.as_of": "Số liệu ngày",
        "tooltip.source": "Nguồn",
        "tooltip.no_data": "Không có dữ liệu",
        "tooltip.not_deployed": "Chưa triển khai",
        "marker.model": "Mô hình \"Khu dân cư điện tử\": Khóm 6, Phường 1, Thành phố Cà Mau (báo cáo 10/02/2023)",
        "panel.title": "Thông tin xã",
        "panel.hint": "Bấm vào một xã trên bản đồ (hoặc chọn ở đây) để xem tất cả chỉ tiêu và thứ hạng.",
        "panel.choose": "Chọn xã",
        "panel.none": "— chưa chọn —",
        "panel.clear": "Bỏ chọn",
        "panel.indicator": "Chỉ tiêu",
        "panel.value": "Giá trị",
        "panel.rank_province": "Hạng trong tỉnh",
        "panel.rank_district": "Hạng trong huyện",
        "panel.note": "Ghi chú",
        "panel.rank_note": "Hạng 1 là giá trị cao nhất; các xã bằng nhau cùng hạng.",
        "chart.title": "Xếp hạng các xã thỏa bộ lọc",
        "chart.commune": "Xã",
        "chart.value": "Giá trị",
        "chart.empty": "Không có xã nào có giá trị thỏa bộ lọc.",
        "chart.category_counts": "Số xã theo nhóm",
        "table.title": "Bảng số liệu (thay thế dạng chữ cho bản đồ)",
        "col.gso_code": "Mã GSO",
        "col.commune": "Xã, phường, thị trấn",
        "col.district": "Huyện / thành phố",
        "col.type": "Loại",
        "col.class": "Lớp",
        "about.title": "Giới thiệu",
        "about.body": (
            "Ứng dụng đặt các chỉ tiêu Đề án 06 và chuyển đổi số của tỉnh Cà Mau lên bản đồ "
            "101 đơn vị hành chính cấp xã (82 xã, 10 phường, 9 thị trấn thuộc 9 huyện, thành phố; "
            "danh mục áp dụng 2022–2024). Phục vụ lãnh đạo tỉnh trong các cuộc họp, cán bộ lập kế hoạch "
            "chọn xã triển khai Tổ công nghệ số cộng đồng và người dân qua bản đồ nhúng chỉ đọc."),
        "about.sources": "Nguồn dữ liệu và giấy phép",
        "about.licences": (
            "- **Ranh giới xã**: gói R `censusVN2009` (Marc Choisy, Lucie Contamin), giấy phép MIT; nguồn gốc là bản đồ hành chính "
            "1:250.000 cập nhật 06/03/2013 (bộ dữ liệu WHO Việt Nam 12/2016), điều khoản của nguồn gốc không được nêu.\n"
            "- **Danh mục 101 đơn vị, mã GSO**: Tổng cục Thống kê, qua kho `daohoangson/dvhcvn` (GPL-3.0), dữ liệu ngày 10/04/2023.\n"
            "- **Ranh giới huyện, tỉnh**: gis.chinhphu.vn, qua kho `daohoangson/dvhcvn` (GPL-3.0).\n"
            "- **Dân số, số hộ 2019**: Tổng điều tra dân số và nhà ở 01/4/2019 (Tổng cục Thống kê).\n"
            "- **Số liệu toàn tỉnh**: báo cáo Hội nghị sơ kết 01 năm Đề án 06, ngày 10/02/2023.\n"
            "- **Thư viện bản đồ**: Leaflet (BSD-2-Clause), phục vụ từ máy chủ của ứng dụng. Nền bản đồ OpenStreetMap (ODbL) chỉ dùng khi bật trong cấu hình."),
        "about.caveats": "Lưu ý khi đọc bản đồ",
        "about.caveat.geometry": "Ranh giới xã là bản thô (khái quát hóa khoảng 150–200 m, từ bản đồ hành chính 1:250.000 cập nhật 2013); "
                                 "các xã liền kề có khe hở và chồng lấn nhỏ; cụm đảo Hòn Chuối không có trong lớp xã. "
                                 "Chỉ dùng để thể hiện bản đồ chuyên đề, không dùng để đo đạc.",
        "about.caveat.census": "Mẫu số dân số và số hộ lấy từ Tổng điều tra 01/4/2019; các tỷ lệ vì vậy là ước tính.",
        "about.caveat.units": "Bản đồ dùng 101 đơn vị trước sắp xếp ngày 01/7/2025 (tỉnh Cà Mau mới có 64 đơn vị).",
        "about.caveat.outlines": "Đường ranh giới huyện, tỉnh lấy từ gis.chinhphu.vn nên không trùng khít với ranh giới xã.",
        "about.sample": "Dữ liệu minh họa được tạo như thế nào",
        "about.sample.body": (
            "Báo cáo ngày 10/02/2023 chỉ có số liệu toàn tỉnh. Để bản đồ có nội dung, dự án tạo một bộ số liệu cấp xã "
            "bằng chương trình có hạt giống cố định (`indicators/sample.py`): chọn 45/101 xã thí điểm (có Phường 1, mỗi huyện ít nhất một xã), "
            "chia 343 tổ và 1.610 thành viên cho các xã thí điểm, số hộ được hướng dẫn bằng khoảng 26% số hộ 2019 của các xã đó; "
            "233.175 hồ sơ VNeID, 21.000 tài khoản Mobile Money, 19.580 chữ ký số và 939 hộ kinh doanh dùng hóa đơn điện tử "
            "được chia theo dân số, nghiêng về khu vực thành thị. Tổng khớp báo cáo; số của từng xã không phải số liệu thật "
            "và luôn được ghi \"Dữ liệu minh họa\"."),
        "about.reference_dir": "Thư mục dữ liệu tham chiếu đang dùng: `{path}`",
        "about.indicators": "Danh mục chỉ tiêu",
        "about.col.name": "Chỉ tiêu",
        "about.col.unit": "Đơn vị",
        "about.col.description": "Mô tả",
        "about.col.source": "Nguồn",
        "about.col.as_of": "Số liệu ngày",
        "about.col.illustrative": "Minh họa",
        "yes": "có",
        "no": "không",
    },
    "en": {
        "app.title": "Cà Mau digital transformation map",
        "app.subtitle": "Project 06 and digital transformation in 101 communes, wards and townships",
        "nav.overview": "Overview",
        "nav.map": "Map",
        "nav.about": "About",
        "lang.label": "Language",
        "illustrative": "Illustrative data",
        "illustrative.long": "Illustrative data: commune figures generated by the project for demonstration, "
                             "with totals matching the 10/02/2023 report; not official commune figures.",
        "ref.missing_dir": "The reference-data folder was not found: {path}",
        "ref.missing_file": "A reference-data file is missing: {path}",
        "ref.corrupt_file": "A reference-data file could not be read: {path}",
        "ref.invalid_data": "A reference-data file is not valid: {path}",
        "ref.detail": "Details: {detail}",
        "ref.howto": "The app reads the boundary and population data from `{default}` (beside the source folder). "
                     "To use another folder set the environment variable `CAMAU_REFERENCE_DIR`, for example "
                     "`CAMAU_REFERENCE_DIR=/path/to/reference streamlit run app.py`. README.md lists the files needed.",
        "overview.title": "Overview: one year of Project 06 and digital transformation in 2022",
        "overview.source": "Source: {source}. Figures as of {date}.",
        "overview.target": "out of {target}",
        "overview.over": "over",
        "overview.commune_note": "The report has no commune breakdown. The map uses illustrative data whose totals match these figures.",
        "overview.open_map": "Open the map",
        "map.title": "Indicator map by commune",
        "map.indicator": "Indicator",
        "map.scheme": "Classification",
        "map.scheme.quantiles": "Quantiles (equal counts)",
        "map.scheme.fisher_jenks": "Natural breaks (Fisher-Jenks)",
        "map.scheme.equal_interval": "Equal interval",
        "map.scheme.manual": "Manual breaks",
        "map.classes": "Classes",
        "map.palette": "Palette",
        "map.breaks": "Breaks (separated by ;)",
        "map.breaks.help": "For example: 1,000; 5,000; 10,000 for 4 classes. 2–6 increasing breaks.",
        "map.breaks.invalid": "Invalid breaks: {error}. Using quantiles.",
        "map.filters": "Filters",
        "map.filter.district": "District / city",
        "map.filter.any": "All",
        "map.filter.type": "Unit type",
        "map.filter.pilot": "Pilot community digital-technology team",
        "map.filter.pilot.all": "All",
        "map.filter.pilot.pilot": "Piloted",
        "map.filter.pilot.not_pilot": "Not piloted",
        "map.filter.range": "Value range",
        "map.filter.reset": "Clear filters",
        "map.filter.count": "{shown}/{total} communes match the filters",
        "map.notice": "Invalid link parameters were ignored: {params}",
        "legend.title": "Legend",
        "legend.range": "{lower} – under {upper}",
        "legend.range_last": "{lower} – {upper}",
        "legend.below": "under {upper}",
        "legend.from": "{lower} and over",
        "legend.single": "{value}",
        "legend.no_data": "No data",
        "legend.not_deployed": "Not deployed (commune not piloted)",
        "legend.filtered_out": "Outside the filters (faded)",
        "legend.count": "{count} communes",
        "legend.model": "\"Electronic residential area\" model (Khóm 6, Phường 1)",
        "category.pilot": "Piloted",
        "category.not_pilot": "Not piloted",
        "tooltip.denominator": "Denominator",
        "tooltip.no_denominator": "absolute count",
        "tooltip.as_of": "As of",
        "tooltip.source": "Source",
        "tooltip.no_data": "No data",
        "tooltip.not_deployed": "Not deployed",
        "marker.model": "\"Electronic residential area\" model: Khóm 6, Phường 1, Cà Mau city (report of 10/02/2023)",
        "panel.title": "Commune details",
        "panel.hint": "Click a commune on the map (or choose it here) to see all its indicators and ranks.",
        "panel.choose": "Commune",
        "panel.none": "— none —",
        "panel.clear": "Clear selection",
        "panel.indicator": "Indicator",
        "panel.value": "Value",
        "panel.rank_province": "Rank in province",
        "panel.rank_district": "Rank in district",
        "panel.note": "Note",
        "panel.rank_note": "Rank 1 is the highest value; equal values share a rank.",
        "chart.title": "Ranking of the communes that match the filters",
        "chart.commune": "Commune",
        "chart.value": "Value",
        "chart.empty": "No commune with a value matches the filters.",
        "chart.category_counts": "Communes per group",
        "table.title": "Data table (text alternative to the map)",
        "col.gso_code": "GSO code",
        "col.commune": "Commune",
        "col.district": "District / city",
        "col.type": "Type",
        "col.class": "Class",
        "about.title": "About",
        "about.body": (
            "This app maps Cà Mau province's Project 06 and digital-transformation indicators on its 101 "
            "commune-level units (82 communes, 10 wards, 9 townships in 9 districts; the list valid 2022–2024). "
            "It serves provincial leaders in meetings, planners choosing communes for community "
            "digital-technology teams, and the public through read-only embedded maps."),
        "about.sources": "Data sources and licences",
        "about.licences": (
            "- **Commune boundaries**: the R package `censusVN2009` (Marc Choisy, Lucie Contamin), MIT licence; derived from the "
            "1:250,000 administrative map updated 2013-03-06 (WHO Vietnam dataset, December 2016), whose terms are not stated.\n"
            "- **List of the 101 units, GSO codes**: General Statistics Office, via `daohoangson/dvhcvn` (GPL-3.0), data date 10/04/2023.\n"
            "- **District and province outlines**: gis.chinhphu.vn, via `daohoangson/dvhcvn` (GPL-3.0).\n"
            "- **Population and households 2019**: 1 April 2019 Population and Housing Census (GSO).\n"
            "- **Province figures**: report of the conference of 10/02/2023 reviewing one year of Project 06.\n"
            "- **Map library**: Leaflet (BSD-2-Clause), served by the app's own server. OpenStreetMap tiles (ODbL) only when enabled in the settings."),
        "about.caveats": "Caveats",
        "about.caveat.geometry": "Commune boundaries are coarse (generalised to about 150–200 m, from a 1:250,000 administrative map "
                                 "updated in 2013); neighbours have small gaps and overlaps; the Hòn Chuối islands are missing from the commune layer. "
                                 "Good for thematic maps, not for measurement.",
        "about.caveat.census": "Population and household denominators come from the 1 April 2019 census, so rates are estimates.",
        "about.caveat.units": "The map uses the 101 units before the 1 July 2025 reorganisation (the merged province has 64 units).",
        "about.caveat.outlines": "District and province outlines come from gis.chinhphu.vn and do not coincide exactly with the commune boundaries.",
        "about.sample": "How the illustrative data were made",
        "about.sample.body": (
            "The report of 10/02/2023 gives province totals only. To give the map content, the project generates commune "
            "figures with a fixed-seed program (`indicators/sample.py`): 45 of 101 pilot communes (Phường 1 included, at least one "
            "per district), 343 teams and 1,610 members spread over the pilot communes, households guided equal to about 26% of "
            "their 2019 households; 233,175 VNeID dossiers, 21,000 Mobile Money accounts, 19,580 digital signatures and 939 "
            "e-invoicing household businesses spread by population, leaning urban. Totals match the report; no commune figure is "
            "real, and each is always marked \"Illustrative data\"."),
        "about.reference_dir": "Reference-data folder in use: `{path}`",
        "about.indicators": "Indicator catalogue",
        "about.col.name": "Indicator",
        "about.col.unit": "Unit",
        "about.col.description": "Description",
        "about.col.source": "Source",
        "about.col.as_of": "As of",
        "about.col.illustrative": "Illustrative",
        "yes": "yes",
        "no": "no",
    },
}


def t(key: str, lang: str = "vi", **values) -> str:
    """The string for ``key`` in ``lang`` (Vietnamese when the language is unknown)."""
    table = STRINGS.get(lang, STRINGS["vi"])
    text = table.get(key, STRINGS["vi"][key])
    return text.format(**values) if values else text
