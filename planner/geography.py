"""Neighbours and distances between communes, from the boundary polygons.

The coarse boundaries leave small gaps and overlaps between neighbours (SOURCES.md: borders
generalised to ~150-200 m, each polygon thinned on its own), so two communes are neighbours when
their polygons, each grown by ``GAP_TOLERANCE_M``, share a border at least ``MIN_SHARED_BORDER_M``
long. The second condition keeps communes that only meet at a corner apart.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np

METRIC_CRS = "EPSG:32648"        # UTM zone 48N: metres across Cà Mau
GAP_TOLERANCE_M = 150.0
MIN_SHARED_BORDER_M = 400.0


@dataclass(frozen=True)
class Geography:
    codes: tuple[str, ...]                      # GSO codes, sorted
    neighbours: dict[str, frozenset[str]]
    distance_km: np.ndarray                     # centroid distances, in ``codes`` order

    def distance(self, a: str, b: str) -> float:
        index = {code: i for i, code in enumerate(self.codes)}
        return float(self.distance_km[index[a], index[b]])


def commune_geography(communes: gpd.GeoDataFrame) -> Geography:
    metric = communes[["gso_code", "geometry"]].to_crs(METRIC_CRS).sort_values("gso_code").reset_index(drop=True)
    codes = tuple(metric["gso_code"])
    grown = gpd.GeoDataFrame({"gso_code": metric["gso_code"]},
                             geometry=metric.geometry.buffer(GAP_TOLERANCE_M), crs=METRIC_CRS)
    pairs = gpd.sjoin(grown, grown, predicate="intersects")
    pairs = pairs[pairs["gso_code_left"] < pairs["gso_code_right"]]
    neighbours: dict[str, set[str]] = {code: set() for code in codes}
    for left, right, a, b in zip(pairs.index, pairs["index_right"], pairs["gso_code_left"], pairs["gso_code_right"]):
        overlap = grown.geometry.iloc[left].intersection(grown.geometry.iloc[right]).area
        # The overlap of two grown polygons along a shared border is about 2 × tolerance × its length.
        if overlap / (2 * GAP_TOLERANCE_M) >= MIN_SHARED_BORDER_M:
            neighbours[a].add(b)
            neighbours[b].add(a)
    centroids = metric.geometry.centroid
    xy = np.column_stack([centroids.x.to_numpy(), centroids.y.to_numpy()])
    distance = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)) / 1000.0
    return Geography(codes, {code: frozenset(found) for code, found in neighbours.items()}, distance)
