"""Build the public static site for the published version, atomically.

Layout of the site root (``CAMAU_PUBLIC_DIR``, or ``manage.py build-public --out DIR``)::

    DIR/current -> releases/<release>     the web root: a symlink switched with one rename
    DIR/releases/<release>/index.html     revalidated on every visit (no-cache)
    DIR/releases/<release>/site.json      what was built: version, unit sets, time
    DIR/releases/<release>/assets/...     content-hashed names, cacheable forever

A build writes a new release beside the current one and then replaces the ``current`` symlink, so
a viewer never sees half a site. The previous release's assets are linked into the new one: a page
loaded just before the switch still finds the files it names. Builds are serialised by a lock
file, and the published version is read inside the lock, so the last build always shows the last
publication even when two editor replicas publish at once.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import functools
import gzip
import html
import json
import os
import secrets
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from geo.maprender import LAYER_SCRIPT, group_bounds
from geo.reference import ReferenceData, ReferenceDataError, load_reference, reference_dir
from geo.units2025 import UNIT_SETS, UNITS_2023, UNITS_2025, Reference2025, load_reference_2025
from geo.web_geometry import publish_geometry, publish_geometry_2025, write_hashed
from indicators.catalogue import load_catalogue, load_sources
from indicators.conversion import NotInUnits
from indicators.table import has_districts
from l10n import labels
from l10n.messages import t
from publicsite.content import data_csv_rows, public_tables
from reports.tables import csv_bytes
from storage import queries
from storage.readonly import make_read_only_engine
from storage.settings import state_dir
from views.map.mapview import (
    build_view,
    html_table,
    indicator_title,
    legend_html,
    provenance_text,
    table_rows,
    units_caption,
)
from views.map.state import LANGUAGES, MapState

PUBLIC_DIR_ENV = "CAMAU_PUBLIC_DIR"
SHOW_ILLUSTRATIVE_ENV = "CAMAU_PUBLIC_SHOW_ILLUSTRATIVE"
SITE_FORMAT = 1
KEEP_RELEASES = 3
HERE = Path(__file__).resolve().parent
PAGE_SCRIPT = HERE / "site.js"
PAGE_STYLE = HERE / "site.css"
COMPRESSED_SUFFIXES = (".html", ".js", ".css", ".json", ".geojson", ".csv")
# No inline script anywhere; inline style attributes stay (the legend rows, Leaflet's own markup).
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'")


class SiteError(RuntimeError):
    """The site cannot be built (what and where in the message); the current site is kept."""


@dataclass(frozen=True)
class SiteBuild:
    root: Path
    release: Path
    version_id: int | None
    version_number: int | None
    unit_sets: tuple[str, ...]
    views: int
    seconds: float
    files: int
    bytes_total: int
    refused: tuple[str, ...] = field(default=())


def public_dir() -> Path:
    """``CAMAU_PUBLIC_DIR``, else ``public-site`` in the state directory."""
    configured = os.environ.get(PUBLIC_DIR_ENV, "").strip()
    return Path(configured).expanduser() if configured else state_dir() / "public-site"


def public_site_disabled() -> bool:
    """``CAMAU_PUBLIC_DIR=off``: this installation publishes no static site (the test suite's
    default, so that only the tests about the site pay for its builds)."""
    return os.environ.get(PUBLIC_DIR_ENV, "").strip().lower() == "off"


def current_site(root: Path | None = None) -> dict | None:
    """What ``root/current`` was built from (its site.json), or None when there is no site yet."""
    try:
        return json.loads(((root or public_dir()) / "current" / "site.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def shows_illustrative() -> bool:
    """Illustrative sample values are hidden from the public unless this setting is on."""
    return os.environ.get(SHOW_ILLUSTRATIVE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


@functools.lru_cache(maxsize=2)
def _references(directory: str) -> tuple[ReferenceData, Reference2025 | None]:
    reference = load_reference(Path(directory))
    try:
        reference_2025 = load_reference_2025(reference, Path(directory))
    except ReferenceDataError:
        reference_2025 = None        # the 2025 files missing: the site offers the 2022–2024 units only
    return reference, reference_2025


@contextmanager
def _locked(root: Path):
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".build.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _published(database_url: str | None) -> tuple[sa.Engine | None, queries.VersionInfo | None]:
    try:
        engine = make_read_only_engine(database_url)
    except FileNotFoundError:
        return None, None            # no database yet: the reference indicators only
    except RuntimeError as exc:      # PostgreSQL without DATABASE_URL_RO
        raise SiteError(f"không đọc được số liệu công bố: {exc}") from exc
    with engine.connect() as connection:
        return engine, queries.published_version(connection)


def build_site(root: Path | None = None, *, database_url: str | None = None,
               include_illustrative: bool | None = None) -> SiteBuild:
    """Write the site for the version published now under ``root`` and switch ``root/current``
    to it. Raises ``SiteError`` (the current site stays as it was)."""
    root = Path(root) if root is not None else public_dir()
    include_illustrative = shows_illustrative() if include_illustrative is None else include_illustrative
    started = time.perf_counter()
    try:
        reference, reference_2025 = _references(str(reference_dir()))
    except ReferenceDataError as exc:
        raise SiteError(str(exc)) from exc
    with _locked(root):
        engine, version = _published(database_url)
        releases = root / "releases"
        releases.mkdir(exist_ok=True)
        for leftover in releases.glob(".*.partial"):     # a build killed half-way
            shutil.rmtree(leftover, ignore_errors=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        release = releases / f"{stamp}-v{version.number if version else 'none'}-{secrets.token_hex(3)}"
        staging = releases / f".{release.name}.partial"
        try:
            connection = engine.connect() if (engine is not None and version is not None) else None
            try:
                manifest, views = _write_release(staging, connection, version, reference, reference_2025,
                                                 include_illustrative)
            finally:
                if connection is not None:
                    connection.close()
            _carry_over_assets(root / "current", staging)
            _compress(staging)
            os.replace(staging, release)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            if engine is not None:
                engine.dispose()
        _switch(root, release)
        _prune(releases, keep=release)
        files = [p for p in release.rglob("*") if p.is_file()]
        return SiteBuild(root, release, version.id if version else None, version.number if version else None,
                         tuple(manifest["units"]), views, time.perf_counter() - started, len(files),
                         sum(p.stat().st_size for p in files),
                         tuple(u for u, entry in manifest["units"].items() if entry.get("refused")))


def _write_release(target: Path, connection, version, reference: ReferenceData, reference_2025,
                   include_illustrative: bool) -> tuple[dict, int]:
    assets = target / "assets"
    catalogue, sources = load_catalogue(), load_sources()
    value_sources = (queries.value_sources(connection, version.id) if connection is not None else None)
    unit_entries, views = {}, 0
    for units in UNIT_SETS:
        if units == UNITS_2025.id and reference_2025 is None:
            continue
        try:
            table, visible, effective, effective_sources = public_tables(
                connection, version.id if version else None, reference, reference_2025, catalogue, sources, units,
                include_illustrative)
        except NotInUnits:
            unit_entries[units] = {"refused": True}
            continue
        geometry = (publish_geometry_2025(reference_2025, assets, "assets") if units == UNITS_2025.id
                    else publish_geometry(reference, assets, "assets"))
        communes = reference_2025.communes if units == UNITS_2025.id else reference.communes
        entry = {
            "refused": False,
            "indicators": list(visible),
            "communes": sorted(table["gso_code"]),
            "geometry": [geometry.communes_url, geometry.outlines_url],
            "bounds": [[geometry.bounds[1], geometry.bounds[0]], [geometry.bounds[3], geometry.bounds[2]]],
            "districts": group_bounds(communes, "district_code") if has_districts(table) else {},
            "views": {},
        }
        for lang in LANGUAGES:
            entry["views"][lang] = {}
            for indicator_id, indicator in visible.items():
                state = MapState(indicator=indicator_id, lang=lang, units=units)
                view = build_view(table, effective, effective_sources, state, geometry, None, lang,
                                  value_sources if units == version_units(version) else None)
                caption = provenance_text(indicator, effective, effective_sources, lang)
                if units == UNITS_2025.id:
                    caption += f" · {units_caption(indicator, lang, short=True)}"
                table_html = html_table(table_rows(table, view, lang))
                csv = csv_bytes(data_csv_rows(table, indicator, view.texts, lang))
                payload = {
                    "title": indicator_title(indicator, lang),
                    "layer": json.loads(view.layer.to_json()),
                    "legend": legend_html(view.legend, lang, compact=True),
                    "caption": caption,
                    "table": "assets/data/" + write_hashed(
                        assets / "data", f"table-{units}-{lang}-{indicator_id}", table_html.encode(), ".html"),
                    "csv": "assets/data/" + write_hashed(
                        assets / "data", f"camau_{indicator_id}_{units}_{lang}", csv, ".csv"),
                    "csv_name": f"camau_{indicator_id}.csv",
                }
                entry["views"][lang][indicator_id] = "assets/data/" + write_hashed(
                    assets / "data", f"view-{units}-{lang}-{indicator_id}", _json_bytes(payload), ".json")
                views += 1
        unit_entries[units] = entry
    default_units = version_units(version)
    if default_units not in unit_entries:
        default_units = next(iter(unit_entries))
    manifest = {
        "format": SITE_FORMAT,
        "version": version.number if version else None,
        "default_units": default_units,
        "units": unit_entries,
        "text": {lang: _page_text(lang) for lang in LANGUAGES},
    }
    manifest_name = write_hashed(assets, "manifest", _json_bytes(manifest), ".json")
    leaflet_js, leaflet_css = _install_leaflet(assets)
    scripts = {
        "leaflet_js": leaflet_js,
        "leaflet_css": leaflet_css,
        "layer_js": "assets/js/" + write_hashed(assets / "js", "choropleth-layer", LAYER_SCRIPT.read_bytes(), ".js"),
        "site_js": "assets/js/" + write_hashed(assets / "js", "site", PAGE_SCRIPT.read_bytes(), ".js"),
        "site_css": "assets/css/" + write_hashed(assets / "css", "site", PAGE_STYLE.read_bytes(), ".css"),
        "manifest": f"assets/{manifest_name}",
    }
    (target / "index.html").write_text(index_html(scripts), encoding="utf-8")
    site = {"format": SITE_FORMAT, "version": version.id if version else None,
            "version_number": version.number if version else None,
            "period": version.period if version else None, "units": list(unit_entries),
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    (target / "site.json").write_text(json.dumps(site, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest, views


def version_units(version) -> str:
    return version.units if version is not None else UNITS_2023.id


def _json_bytes(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _install_leaflet(assets: Path) -> tuple[str, str]:
    """leaflet.js and leaflet.css from the pinned ``xstatic-leaflet`` package, content-hashed; the
    images its CSS names go beside the CSS."""
    from xstatic.pkg import leaflet as xstatic_leaflet

    source = Path(xstatic_leaflet.BASE_DIR)
    js = write_hashed(assets / "js", "leaflet", (source / "leaflet.js").read_bytes(), ".js")
    css = write_hashed(assets / "css", "leaflet", (source / "leaflet.css").read_bytes(), ".css")
    shutil.copytree(source / "images", assets / "css" / "images", dirs_exist_ok=True)
    return f"assets/js/{js}", f"assets/css/{css}"


def _page_text(lang: str) -> dict[str, str]:
    """The page's own words, per language (the indicator texts come with each view)."""
    return {
        "site_title": t("public.site_title", lang),
        "map_label": t("public.map_label", lang),
        "table": t("public.table", lang),
        "close": t("public.close_table", lang),
        "get_data": t("public.get_data", lang),
        "notice": t("map.notice", lang),
        "units_label": t("units.switch", lang),
        "cannot_2023": t("units.cannot_2023", lang),
        "unavailable": t("public.unavailable", lang),
        **{f"units_{units}": labels.label(labels.UNIT_SET_SHORT, units, lang) for units in UNIT_SETS},
    }


def index_html(scripts: dict[str, str]) -> str:
    """The page: no inline script; everything it names is a content-hashed file."""
    e = functools.partial(html.escape, quote=True)
    title = t("public.site_title", "vi")
    return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{e(CONTENT_SECURITY_POLICY)}">
<meta name="referrer" content="strict-origin-when-cross-origin">
<title>{e(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{e(scripts['leaflet_css'])}">
<link rel="stylesheet" href="{e(scripts['site_css'])}">
<script defer src="{e(scripts['leaflet_js'])}"></script>
<script defer src="{e(scripts['layer_js'])}"></script>
<script defer src="{e(scripts['site_js'])}"></script>
</head>
<body data-manifest="{e(scripts['manifest'])}">
<main id="page">
<h1 id="title">{e(title)}</h1>
<p id="notice" class="notice" hidden></p>
<p id="failure" class="notice" hidden>{e(t('public.unavailable', 'vi'))} / {e(t('public.unavailable', 'en'))}</p>
<div id="map" role="region" aria-label="{e(t('public.map_label', 'vi'))}"></div>
<div id="legend"></div>
<p id="caption"></p>
<div id="actions">
<a id="csv" class="button" download hidden></a>
<button id="table-button" class="button" type="button" aria-expanded="false" aria-controls="table-panel" hidden></button>
<nav id="units-switch" hidden></nav>
</div>
<section id="table-panel" hidden>
<button id="table-close" class="button" type="button"></button>
<div id="table"></div>
</section>
<noscript><p>{e(t('public.noscript', 'vi'))}</p></noscript>
</main>
</body>
</html>
"""


def _carry_over_assets(current: Path, staging: Path) -> None:
    """Hard-link (or copy) the assets of the release being replaced that the new one lacks."""
    old_assets = current / "assets"
    if not old_assets.is_dir():
        return
    for path in old_assets.rglob("*"):
        if not path.is_file() or path.suffix == ".gz":
            continue
        target = staging / "assets" / path.relative_to(old_assets)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)


def _compress(staging: Path) -> None:
    """``.gz`` beside every text file, for nginx's gzip_static (and any server that serves them)."""
    for path in list(staging.rglob("*")):
        if path.is_file() and path.suffix in COMPRESSED_SUFFIXES:
            packed = path.with_name(path.name + ".gz")
            if not packed.exists():
                packed.write_bytes(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def _switch(root: Path, release: Path) -> None:
    link = root / f".current-{secrets.token_hex(4)}"
    os.symlink(os.path.relpath(release, root), link)
    os.replace(link, root / "current")        # one rename: the web root is the old or the new site


def _prune(releases: Path, keep: Path) -> None:
    finished = sorted(p for p in releases.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in finished[:-KEEP_RELEASES]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
