"""Geometry prepared for the browser: simplified together, rounded, small, valid, local files."""
import json
import re

import shapely

from geo.maprender import LAYER_SCRIPT, base_map, use_local_leaflet
from geo.web_geometry import (
    commune_collection,
    install_leaflet,
    install_map_script,
    outline_collection,
    publish_geometry,
    publish_geometry_2025,
    simplify_communes,
)


def test_simplified_communes_stay_valid_and_complete(reference):
    simplified = simplify_communes(reference.communes)
    assert len(simplified) == 101 and set(simplified["gso_code"]) == set(reference.communes["gso_code"])
    assert shapely.is_valid(simplified.geometry.values).all()
    assert not simplified.geometry.is_empty.any()
    before = shapely.get_num_coordinates(reference.communes.geometry.values).sum()
    after = shapely.get_num_coordinates(simplified.geometry.values).sum()
    assert after < before
    # No commune moves or shrinks much: the tolerance is ~220 m on polygons several km wide.
    area_ratio = simplified.to_crs(32648).area.values / reference.communes.to_crs(32648).area.values
    assert (abs(area_ratio - 1) < 0.2).all()


def test_shared_borders_do_not_open_new_gaps(reference):
    def gap_area(frame):
        union = shapely.union_all(frame.to_crs(32648).geometry.values)
        holes = shapely.get_num_interior_rings(union) if union.geom_type == "Polygon" else sum(
            shapely.get_num_interior_rings(part) for part in union.geoms)
        return holes
    assert gap_area(simplify_communes(reference.communes)) <= gap_area(reference.communes)


def test_collection_is_rounded_and_slim(reference):
    collection = commune_collection(simplify_communes(reference.communes))
    feature = collection["features"][0]
    assert feature["id"] == feature["properties"]["gso_code"]
    assert set(feature["properties"]) == {"gso_code", "tip"}
    text = json.dumps(collection)
    assert "commune_id" not in text and "population" not in text

    coordinates = json.dumps(feature["geometry"]["coordinates"])
    assert re.findall(r"\d+\.\d{6,}", coordinates) == []


def test_outlines_include_districts_and_province(reference):
    outlines = outline_collection(reference.districts, reference.province)
    levels = [f["properties"]["level"] for f in outlines["features"]]
    assert levels.count("district") == 9 and levels.count("province") == 1


def test_published_files_are_hashed_and_complete(reference, tmp_path):
    published = publish_geometry(reference, tmp_path, "/app/static")
    name = published.communes_url.rsplit("/", 1)[-1]
    assert published.communes_url.startswith("/app/static/geo/communes-")
    data = json.loads((tmp_path / "geo" / name).read_text(encoding="utf-8"))
    assert len(data["features"]) == 101
    assert published.communes_bytes == (tmp_path / "geo" / name).stat().st_size < 100_000
    again = publish_geometry(reference, tmp_path, "/app/static")
    assert again.communes_url == published.communes_url
    assert [p.name for p in (tmp_path / "geo").iterdir() if p.name.startswith(".")] == []


def test_leaflet_comes_from_the_pinned_package(tmp_path):
    js, css = install_leaflet(tmp_path, "/app/static")
    assert js == "/app/static/leaflet-1.9.3/leaflet.js" and css.endswith("leaflet.css")
    assert (tmp_path / "leaflet-1.9.3" / "leaflet.js").stat().st_size > 100_000
    assert (tmp_path / "leaflet-1.9.3" / "images").is_dir()


def test_the_map_script_is_leaflet_then_the_layer_script_in_one_hashed_file(tmp_path):
    url, css = install_map_script(tmp_path, "/app/static")
    assert css == "/app/static/leaflet-1.9.3/leaflet.css"
    assert re.fullmatch(r"/app/static/js/leaflet-choropleth-[0-9a-f]{12}\.js", url)
    text = (tmp_path / "js" / url.rsplit("/", 1)[1]).read_bytes()
    leaflet = (tmp_path / "leaflet-1.9.3" / "leaflet.js").read_bytes()
    assert text.startswith(leaflet) and text.endswith(LAYER_SCRIPT.read_bytes())
    assert install_map_script(tmp_path, "/app/static") == (url, css)           # same content, same name


def test_base_map_is_identical_every_time_and_has_no_cdn(reference):
    use_local_leaflet("/app/static/leaflet-1.9.3/leaflet.js", "/app/static/leaflet-1.9.3/leaflet.css")
    bounds = tuple(reference.communes.total_bounds)
    first, second = base_map(bounds).get_root().render(), base_map(bounds).get_root().render()
    strip = re.compile(r"_[0-9a-f]{32}")
    assert strip.sub("", first) == strip.sub("", second)
    assert "cdn" not in first.lower() and "https://" not in first


def test_the_2025_units_are_prepared_the_same_way_and_stay_small(reference_2025, tmp_path):
    import gzip

    simplified = simplify_communes(reference_2025.communes)
    assert len(simplified) == 64 and shapely.is_valid(simplified.geometry.values).all()
    assert not simplified.geometry.is_empty.any()
    area_ratio = simplified.to_crs(32648).area.values / reference_2025.communes.to_crs(32648).area.values
    assert (abs(area_ratio - 1) < 0.2).all()

    def holes(frame):
        union = shapely.union_all(frame.to_crs(32648).geometry.values)
        parts = [union] if union.geom_type == "Polygon" else list(union.geoms)
        return sum(shapely.get_num_interior_rings(part) for part in parts)
    assert holes(simplified) <= holes(reference_2025.communes)     # shared borders kept

    published = publish_geometry_2025(reference_2025, tmp_path, "/app/static")
    assert published.communes_url.startswith("/app/static/geo/communes-2025-")
    payload = (tmp_path / "geo" / published.communes_url.rsplit("/", 1)[-1]).read_bytes()
    assert len(gzip.compress(payload, 6)) <= 25_000
    data = json.loads(payload)
    assert len(data["features"]) == 64
    tips = {f["id"]: f["properties"]["tip"] for f in data["features"]}
    assert tips["32002"] == "<b>Phường An Xuyên</b><br>Phường"          # no district since 2025
    outlines = json.loads((tmp_path / "geo" / published.outlines_url.rsplit("/", 1)[-1]).read_bytes())
    assert [f["properties"]["level"] for f in outlines["features"]] == ["province"]
    assert published.bounds[2] > 105.7                                 # the former Bạc Liêu coast
