"""Command line for data stewards and administrators.

    python manage.py import PATH [--units 2023|2025] [--sheet NAME] [--dry-run] [--json] [--period P]
                                 [--as-of YYYY-MM-DD] [--source TEXT] [--note TEXT] [--user NAME]
                                 [--round ID [--sender TEXT] [--area DISTRICT_CODE] [--overwrite]]
    python manage.py round create --period LABEL [--units 2023|2025] [--due YYYY-MM-DD] [--indicators ID,...]
    python manage.py round list
    python manage.py round status ID [--json]
    python manage.py round publish ID [--allow-incomplete] [--user NAME]
    python manage.py round approve ID [--user NAME]     (with CAMAU_ROUND_APPROVAL=1)
    python manage.py round close ID [--user NAME]
    python manage.py publish VERSION [--user NAME]
    python manage.py build-public [--out DIR]            (also after every publish and rollback)
    python manage.py rollback [--user NAME]
    python manage.py versions
    python manage.py create-editor USERNAME          (password read from the terminal or stdin)
    python manage.py template OUT.xlsx [--units 2023|2025]
    python manage.py audit [--limit N]
    python manage.py export-table --units 2023|2025 --out FILE.csv
    python manage.py backup --out FILE
    python manage.py restore FILE [--yes]

``export-table`` writes the published table in either unit set (2022–2024 figures reach the 2025
units through the official crosswalk, see indicators/conversion.py; 2025 figures cannot go back).
``import`` runs the same reader, matcher and validator as the page; the unit set of the file is
detected from its rows unless ``--units`` names it (importer/unit_sets.py). Exit code 0 for a valid
table, 2 for invalid input (nothing is stored then). Without --dry-run and without --round it
stores the file as a whole table for its period (a one-submission round and its version;
publishing stays a separate step). With --round it files the sheet into that reporting round as a
submission: the round's table merges its submissions unit by unit, and ``round publish`` makes it a
version (see storage/rounds.py, indicators/rounds.py).

``backup`` writes the whole database (SQLite or PostgreSQL) to a new file; ``restore`` replaces
every row with a backup's, migrated up when the backup is older, all or nothing, and refuses a file
that is no backup, is damaged, too large or from a newer schema (storage/backup.py). Exit code 0
when done, 2 when refused (the stored data are then unchanged).
"""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from pathlib import Path

from auth.accounts import AccountError
from geo.reference import ReferenceDataError, load_reference
from geo.units2025 import UNIT_SETS, UNITS_2025, load_reference_2025
from importer.errors import ImportFileError
from importer.isolation import read_isolated
from importer.pipeline import ImportOptions, analyse
from importer.template import template_workbook
from importer.unit_sets import unit_set_indexes
from indicators.catalogue import load_catalogue, load_sources
from indicators.conversion import NotInUnits, tables_in_units
from indicators.published import importable_indicators, published_dataset
from indicators.rounds import expected_units, status_report
from indicators.sample import read_sample_csv
from indicators.sample_version import ensure_sample_version
from l10n import fmt
from l10n.fmt import in_vietnam
from l10n.importing import describe, describe_reason, where
from publicsite.build import SiteError, build_site, public_dir, public_site_disabled
from reports.tables import unit_table_csv
from services import editing
from storage import backup, datasets, rounds
from storage.db import make_engine, upgrade
from storage.settings import upload_limit_bytes
from views.importing.import_view import error_text
from views.rounds.round_view import round_state

INVALID = 2


def _engine():
    engine = make_engine()
    upgrade(engine)
    ensure_sample_version(engine, read_sample_csv(), load_catalogue())
    return engine


def _reference_2025(reference):
    """The 2025 units, or None without their reference files (then only 2023-units files import)."""
    try:
        return load_reference_2025(reference)
    except ReferenceDataError:
        return None


def _report_json(analysis) -> list[dict]:
    return [{"sheet": r.sheet, "row": r.row, "text": r.label, "gso_code": r.gso_code, "status": r.status,
             "reason": describe_reason(r.reason, "vi"), "reason_codes": [part.code for part in r.reason],
             "candidates": list(r.candidates)}
            for r in analysis.rows if r.kind == "data"]


def _json_params(params) -> dict:
    return {name: list(value) if isinstance(value, tuple) else value for name, value in params.items()}


def command_import(args) -> int:
    path = Path(args.path)
    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"Không đọc được tệp {path}: {error.strerror}", file=sys.stderr)
        return INVALID
    reference = load_reference()
    catalogue = load_catalogue()
    try:
        sheets = read_isolated(data, path.name, upload_limit_bytes())   # bounded, in a child process
        analysis = analyse(data, path.name, unit_sets=unit_set_indexes(reference, _reference_2025(reference)),
                           catalogue=catalogue, options=ImportOptions(sheet=args.sheet, units=args.units),
                           max_bytes=upload_limit_bytes(), sheets=sheets)
    except ImportFileError as error:
        if args.json:
            print(json.dumps({"valid": False, "error": error.code, "params": _json_params(error.params),
                              "message": error_text(error, "vi")}, ensure_ascii=False))
        else:
            print(f"{path.name}: {error_text(error, 'vi')}", file=sys.stderr)
        return INVALID
    if args.json:
        print(json.dumps({
            "valid": analysis.valid, "file": analysis.file_name, "sha256": analysis.sha256,
            "units": analysis.units, "units_chosen_by": analysis.detection.chosen_by,
            "sheet": analysis.layout.sheet, "mapping": analysis.mapping, "rows": _report_json(analysis),
            "problems": [{"sheet": p.sheet, "row": p.row, "column": p.column, "severity": p.severity,
                          "code": p.code, "message": describe(p.message, "vi")} for p in analysis.problems],
        }, ensure_ascii=False, indent=1))
    else:
        print(f"{analysis.file_name} (trang {analysis.layout.sheet}, {describe(analysis.detection.message, 'vi')}): "
              f"{analysis.rows_read} dòng xã, "
              f"{analysis.rows_matched} khớp, {analysis.rows_rejected} bị loại, {len(analysis.figures)} giá trị")
        for problem in analysis.problems:
            print(f"  [{'LỖI' if problem.severity == 'error' else 'lưu ý'}] "
                  f"{where(problem.sheet, problem.row, problem.column, 'vi')}: {describe(problem.message, 'vi')}")
    if not analysis.valid:
        return INVALID
    if args.dry_run:
        return 0
    if args.round is not None:
        return _submit(args, analysis, reference)
    version = editing.import_version(_engine(), analysis, period=args.period, as_of=args.as_of, source=args.source,
                                     note=args.note, user=args.user)
    print(f"Đã tạo phiên bản {version.number} (chưa công bố: python manage.py publish {version.number})",
          file=sys.stderr if args.json else sys.stdout)
    return 0


def _submit(args, analysis, reference) -> int:
    district_of = dict(zip(reference.units["gso_code"], reference.units["district_code"]))
    try:
        submission = editing.submit(_engine(), analysis, round_id=args.round, sender=args.sender or args.source,
                                    area=args.area, district_of=district_of, user=args.user, note=args.note,
                                    confirm_overwrite=args.overwrite)
    except rounds.RoundError as error:
        print(f"Không nộp được vào đợt {args.round}: {error}", file=sys.stderr)
        if error.kind == "conflicts":
            for conflict in error.details[:20]:
                print(f"  {conflict.gso_code} {conflict.indicator}: đang có {conflict.current:g}, "
                      f"tệp ghi {conflict.incoming:g}", file=sys.stderr)
            print("Dùng --overwrite để xác nhận thay các giá trị này.", file=sys.stderr)
        return INVALID
    print(f"Đã nộp vào đợt {args.round}: báo cáo {submission.id} của {submission.sender}",
          file=sys.stderr if args.json else sys.stdout)
    if submission.outside_area:
        print("Lưu ý: có đơn vị ngoài địa bàn của đơn vị gửi: " + ", ".join(submission.outside_area), file=sys.stderr)
    return 0


def _round_units(units: str):
    reference = load_reference()
    return load_reference_2025(reference).units if units == UNITS_2025.id else reference.units


def command_round(args) -> int:
    engine = _engine()
    try:
        if args.action == "create":
            indicators = (args.indicators.split(",") if args.indicators
                          else [i.id for i in importable_indicators(load_catalogue())])
            unknown = sorted(set(indicators) - {i.id for i in importable_indicators(load_catalogue())})
            if unknown:
                print("Chỉ tiêu không nhập được: " + ", ".join(unknown), file=sys.stderr)
                return INVALID
            created = editing.create_round(engine, period=args.period, units=args.units, due=args.due,
                                           indicators=indicators, user=args.user)
            print(created.id)
        elif args.action == "list":
            with engine.connect() as connection:
                for found in rounds.list_rounds(connection):
                    due = f"hạn {found.due:%d/%m/%Y}" if found.due else "không hạn"
                    print(f"{found.id:>4}  kỳ {found.period:<20} đơn vị {found.units}  {due:<14} "
                          f"{'mở' if found.status == rounds.OPEN else 'đã đóng'}")
        elif args.action == "status":
            with engine.connect() as connection:
                found = rounds.get_round(connection, args.id)
                state = round_state(connection, args.id, _round_units(found.units), _today())
            report = status_report(args.id, state.merged, state.per_unit, list(found.indicators))
            if args.json:
                print(json.dumps(report, ensure_ascii=False, indent=1, default=str))
            else:
                print(f"Đợt {args.id} (kỳ {found.period}): {report['complete']}/{report['units']} đơn vị đủ số liệu")
                for group in report["groups"]:
                    print(f"  {group['group'] or 'Toàn tỉnh'}: đủ {group['complete']}/{group['units']}, "
                          f"một phần {group['partial']}, chưa có {group['none']}, trễ hạn {group['late']}")
        elif args.action == "publish":
            with engine.connect() as connection:
                found = rounds.get_round(connection, args.id)
            units = expected_units(_round_units(found.units))
            version = editing.publish_round(engine, args.id, units=units, user=args.user,
                                            allow_incomplete=args.allow_incomplete)
            print(f"Đã công bố đợt {args.id} thành phiên bản {version.number}")
        elif args.action == "approve":
            editing.approve_round(engine, args.id, args.user)
            print(f"Đã duyệt đợt {args.id} (người công bố phải là một biên tập viên khác)")
        elif args.action == "close":
            editing.close_round(engine, args.id, args.user)
            print(f"Đã đóng đợt {args.id}")
    except rounds.RoundError as error:
        print(f"Đợt báo cáo: {error}", file=sys.stderr)
        if error.kind == "incomplete":
            for name, missing in error.details[:30]:
                print(f"  {name}: thiếu {', '.join(missing)}", file=sys.stderr)
            print("Dùng --allow-incomplete để vẫn công bố; bản đồ ghi các đơn vị này là \"chưa báo cáo\".",
                  file=sys.stderr)
        return INVALID
    return 0


def _today() -> dt.date:
    return in_vietnam(dt.datetime.now(dt.UTC)).date()


def command_publish(args) -> int:
    engine = _engine()
    try:
        version = editing.publish_version(engine, args.version, args.user)
    except datasets.DatasetError as error:
        print(f"Không công bố được: {error}", file=sys.stderr)
        return INVALID
    print(f"Đã công bố phiên bản {version.number}")
    return 0


def command_rollback(args) -> int:
    engine = _engine()
    try:
        version = editing.rollback(engine, args.user)
    except datasets.DatasetError as error:
        print(f"Không quay lại được: {error}", file=sys.stderr)
        return INVALID
    print(f"Đã quay lại phiên bản {version.number}")
    return 0


def command_versions(_args) -> int:
    with _engine().connect() as connection:
        current = datasets.published_version(connection)
        for version in datasets.list_versions(connection):
            mark = "*" if current and version.id == current.id else " "
            print(f"{mark} {version.number:>3}  kỳ {version.period:<8} ngày {version.as_of:%d/%m/%Y}  "
                  f"đơn vị {version.units}  "
                  f"{version.rows_matched}/{version.rows_read} dòng  {version.file_name}  "
                  f"({version.created_by}, {fmt.moment(version.created_at)})"
                  + ("  [minh họa]" if version.illustrative else ""))
    return 0


def command_create_editor(args) -> int:
    if sys.stdin.isatty():
        password = getpass.getpass("Mật khẩu: ")
        if getpass.getpass("Nhập lại: ") != password:
            print("Hai lần nhập không khớp", file=sys.stderr)
            return INVALID
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        stored = editing.create_editor(_engine(), args.username, password)
    except AccountError as error:
        print(f"Không tạo được tài khoản: {error}", file=sys.stderr)
        return INVALID
    print(f"Đã tạo tài khoản biên tập {stored}")
    return 0


def command_template(args) -> int:
    reference = load_reference()
    units = load_reference_2025(reference).units if args.units == UNITS_2025.id else reference.units
    Path(args.out).write_bytes(template_workbook(units, importable_indicators(load_catalogue())))
    print(f"Đã ghi {args.out}")
    return 0


def command_audit(args) -> int:
    with _engine().connect() as connection:
        for row in datasets.recent_audit(connection, args.limit).itertuples(index=False):
            print(f"{fmt.moment(row.at, seconds=True)}  {row.username:<16} {row.action:<16} {row.target}  {row.details}")
    return 0


def command_export_table(args) -> int:
    reference = load_reference()
    catalogue = load_catalogue()
    with _engine().connect() as connection:
        data = published_dataset(connection, catalogue)
    reference_2025 = load_reference_2025(reference) if args.units == UNITS_2025.id else None
    try:
        table, _, _ = tables_in_units(reference, reference_2025, data, catalogue, load_sources(), args.units)
    except NotInUnits:
        print("Số liệu đang công bố theo 64 đơn vị từ 01/07/2025; không thể chia ngược về 101 đơn vị cũ. "
              "Dùng --units 2025.", file=sys.stderr)
        return INVALID
    if "estimated" not in table.columns:
        table = table.assign(estimated=False)
    Path(args.out).write_bytes(unit_table_csv(table, list(catalogue)))
    illustrative = sorted(i for i, origin in data.provenance.items() if origin.illustrative)
    print(f"Đã ghi {args.out}: {len(table)} đơn vị ({args.units})")
    if illustrative:
        print("Lưu ý: dữ liệu minh họa, không phải số liệu chính thức: " + ", ".join(illustrative), file=sys.stderr)
    return 0


def command_build_public(args) -> int:
    if not args.out and public_site_disabled():
        print("CAMAU_PUBLIC_DIR=off: trang công khai tĩnh đã tắt; dùng --out DIR để dựng vào một thư mục.",
              file=sys.stderr)
        return INVALID
    out = Path(args.out) if args.out else public_dir()
    try:
        site = build_site(out)
    except SiteError as error:
        print(f"Không dựng được bản đồ công khai tĩnh: {error}", file=sys.stderr)
        return INVALID
    version = f"phiên bản {site.version_number}" if site.version_number is not None else "chưa có phiên bản công bố"
    print(f"Đã dựng bản đồ công khai ({version}) vào {site.root / 'current'}: {site.views} bản đồ, "
          f"{site.files} tệp, {site.bytes_total / 1e6:.1f} MB, {site.seconds:.1f} s")
    return 0


def command_backup(args) -> int:
    try:
        manifest = backup.create_backup(args.out)
    except backup.BackupError as error:
        print(f"Không sao lưu được: {error}", file=sys.stderr)
        return INVALID
    print(f"Đã sao lưu {backup.describe_database()} vào {args.out} (lược đồ {manifest.revision}, "
          f"{fmt.number(manifest.size)} byte): {_contents(manifest)}")
    return 0


def command_restore(args) -> int:
    target = backup.describe_database()
    try:
        if sys.stdin.isatty() and not args.yes:
            manifest = backup.read_backup(args.path)
            print(f"Bản sao lưu {args.path}, tạo lúc {fmt.moment(manifest.created)} từ {manifest.database} "
                  f"(lược đồ {manifest.revision}): {_contents(manifest)}")
            print(f"Khôi phục sẽ thay TOÀN BỘ dữ liệu hiện có trong {target} bằng dữ liệu của bản sao lưu.")
            if input("Gõ yes để tiếp tục: ").strip().lower() != "yes":
                print("Đã hủy; dữ liệu hiện tại không thay đổi.", file=sys.stderr)
                return INVALID
        restored = backup.restore_backup(args.path)
    except backup.BackupError as error:
        print(f"Không khôi phục được: {error}", file=sys.stderr)
        print(f"Dữ liệu hiện tại trong {target} không thay đổi.", file=sys.stderr)
        return INVALID
    manifest = restored.manifest
    migrated = f", nâng lên lược đồ {restored.revision}" if restored.revision != manifest.revision else ""
    print(f"Đã khôi phục {target} từ {args.path} (sao lưu lúc {fmt.moment(manifest.created)} từ "
          f"{manifest.database}, lược đồ {manifest.revision}{migrated}): {_contents(manifest)}")
    if not public_site_disabled():      # the published version may be another one now
        site = editing.refresh_public_site()
        if site is None:
            print("Lưu ý: chưa dựng lại được bản đồ công khai tĩnh; chạy: python manage.py build-public",
                  file=sys.stderr)
        else:
            print(f"Đã dựng lại bản đồ công khai tĩnh ({site.root / 'current'})")
    return 0


def _contents(manifest: backup.Manifest) -> str:
    count = manifest.tables.get
    return (f"{count('dataset_versions', 0)} phiên bản, {count('publications', 0)} lần công bố, "
            f"{count('users', 0)} tài khoản, {count('audit_log', 0)} dòng nhật ký")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python manage.py", description=__doc__.split("\n\n")[0])
    commands = main.add_subparsers(dest="command", required=True)
    imp = commands.add_parser("import", help="đọc, đối chiếu, kiểm tra và lưu một bảng số liệu xã")
    imp.add_argument("path")
    imp.add_argument("--units", choices=sorted(UNIT_SETS),
                     help="bộ đơn vị của tệp: 2023 (101 đơn vị, 2022–2024) hoặc 2025 (64 đơn vị từ 01/07/2025); "
                          "mặc định: tự nhận biết")
    imp.add_argument("--sheet")
    imp.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không lưu")
    imp.add_argument("--json", action="store_true", help="in báo cáo đối chiếu dạng JSON")
    imp.add_argument("--period", default=str(dt.date.today().year), help="kỳ báo cáo, ví dụ 2023")
    imp.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today(), help="số liệu tính đến ngày")
    imp.add_argument("--source", default="Báo cáo của UBND cấp huyện", help="đơn vị báo cáo")
    imp.add_argument("--note", default="")
    imp.add_argument("--user", default="manage.py")
    imp.add_argument("--round", type=int, help="nộp vào đợt báo cáo này (xem: round list)")
    imp.add_argument("--sender", help="đơn vị gửi, ví dụ \"UBND huyện Đầm Dơi\" (mặc định: --source)")
    imp.add_argument("--area", help="mã huyện của đơn vị gửi (để đánh dấu xã ngoài địa bàn); bỏ trống: toàn tỉnh")
    imp.add_argument("--overwrite", action="store_true", help="xác nhận thay giá trị khác đã có trong đợt")
    pub = commands.add_parser("publish", help="công bố một phiên bản")
    pub.add_argument("version", type=int)
    pub.add_argument("--user", default="manage.py")
    back = commands.add_parser("rollback", help="quay lại phiên bản công bố trước đó")
    back.add_argument("--user", default="manage.py")
    commands.add_parser("versions", help="liệt kê các phiên bản")
    editor = commands.add_parser("create-editor", help="tạo tài khoản biên tập")
    editor.add_argument("username")
    template = commands.add_parser("template", help="ghi tệp Excel mẫu để nhập liệu")
    template.add_argument("out")
    template.add_argument("--units", choices=sorted(UNIT_SETS), default="2023",
                          help="101 đơn vị 2022–2024 (mặc định) hoặc 64 đơn vị từ 01/07/2025")
    audit = commands.add_parser("audit", help="nhật ký thao tác")
    audit.add_argument("--limit", type=int, default=50)
    round_ = commands.add_parser("round", help="đợt báo cáo: tạo, xem mức đầy đủ, công bố, đóng")
    actions = round_.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="tạo đợt báo cáo; in mã đợt")
    create.add_argument("--period", required=True, help="kỳ báo cáo, ví dụ \"6 tháng đầu năm 2026\"")
    create.add_argument("--units", choices=sorted(UNIT_SETS), default="2023")
    create.add_argument("--due", type=dt.date.fromisoformat, help="hạn nộp YYYY-MM-DD")
    create.add_argument("--indicators", help="các chỉ tiêu cần báo cáo, cách nhau bằng dấu phẩy (mặc định: tất cả)")
    create.add_argument("--user", default="manage.py")
    actions.add_parser("list", help="liệt kê các đợt")
    status = actions.add_parser("status", help="mức đầy đủ theo huyện hoặc theo đơn vị")
    status.add_argument("id", type=int)
    status.add_argument("--json", action="store_true")
    publish_round = actions.add_parser("publish", help="công bố bảng tổng hợp của đợt thành một phiên bản")
    publish_round.add_argument("id", type=int)
    publish_round.add_argument("--allow-incomplete", action="store_true", help="công bố dù còn đơn vị thiếu số liệu")
    publish_round.add_argument("--user", default="manage.py")
    approve = actions.add_parser("approve", help="duyệt bảng của đợt (khi đặt CAMAU_ROUND_APPROVAL=1)")
    approve.add_argument("id", type=int)
    approve.add_argument("--user", default="manage.py")
    close = actions.add_parser("close", help="đóng đợt: không nhận thêm báo cáo")
    close.add_argument("id", type=int)
    close.add_argument("--user", default="manage.py")
    export = commands.add_parser("export-table", help="ghi bảng số liệu đang công bố ra CSV theo bộ đơn vị 2023 hoặc 2025")
    export.add_argument("--units", choices=sorted(UNIT_SETS), required=True,
                        help="2023: 101 đơn vị (2022–2024); 2025: 64 đơn vị sau sáp nhập, quy đổi từ đơn vị cũ")
    export.add_argument("--out", required=True)
    site = commands.add_parser("build-public", help="dựng bản đồ công khai tĩnh cho phiên bản đang công bố")
    site.add_argument("--out", help="thư mục gốc của trang (mặc định CAMAU_PUBLIC_DIR); máy chủ web phục vụ OUT/current")
    save = commands.add_parser("backup", help="sao lưu toàn bộ cơ sở dữ liệu vào một tệp mới")
    save.add_argument("--out", required=True, help="tệp sao lưu (phải chưa có: không ghi đè)")
    restore = commands.add_parser("restore", help="khôi phục toàn bộ cơ sở dữ liệu từ một tệp sao lưu")
    restore.add_argument("path")
    restore.add_argument("--yes", action="store_true", help="không hỏi xác nhận (khi chạy trong terminal)")
    return main


COMMANDS = {"backup": command_backup, "restore": command_restore,
            "import": command_import, "publish": command_publish, "rollback": command_rollback,
            "versions": command_versions, "create-editor": command_create_editor,
            "template": command_template, "audit": command_audit, "export-table": command_export_table,
            "round": command_round, "build-public": command_build_public}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ReferenceDataError as error:
        print(f"Dữ liệu tham chiếu: {error.kind} {error.path} {error.detail}", file=sys.stderr)
        return INVALID


if __name__ == "__main__":
    sys.exit(main())
