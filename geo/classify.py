"""Choropleth classification: class thresholds, half-open classes, colours and legend counts.

Classes are half-open: ``[lower, upper)``, and the last one is closed ``[lower, upper]``. A value
equal to a threshold belongs to the class above it. Communes without a value get class -1, the
grey "no data" class, which is never one of the palette's colours.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import mapclassify
import numpy as np
import pandas as pd
from branca.utilities import color_brewer

SCHEMES = ("quantiles", "fisher_jenks", "equal_interval", "manual")
MIN_CLASSES, MAX_CLASSES = 3, 7
# ColorBrewer sequential schemes (all marked colour-blind safe by ColorBrewer) and viridis.
# Source of the claim: ColorBrewer 2.0 (Cynthia Brewer, colorbrewer2.org), whose "colorblind safe"
# filter keeps YlGnBu, YlOrRd, Blues, Greens and Purples; viridis was designed for colour-blind
# readers (van der Walt & Smith, matplotlib, 2015). The category pair is ColorBrewer "Paired" dark
# blue and light orange, which differ in lightness and on the blue–yellow axis that red–green
# colour-blind readers keep. tests/test_classify.py re-checks every palette by simulating
# protanopia, deuteranopia and tritanopia (Machado et al., 2009).
PALETTES = ("YlGnBu", "YlOrRd", "Blues", "Greens", "Purples", "viridis")
NO_DATA = -1
NO_DATA_COLOUR = "#bdbdbd"
CATEGORY_COLOURS = {"pilot": "#1f78b4", "not_pilot": "#fdbf6f"}  # blue / light orange: CB-safe pair


class ClassificationError(ValueError):
    """Bad classification settings (e.g. manual breaks that are not increasing numbers)."""


@dataclass(frozen=True)
class ValueClass:
    index: int
    lower: float | None      # None: open below (manual breaks only)
    upper: float | None      # None: open above (manual breaks only)
    closed_upper: bool       # True only for the last class of a data-bounded scheme
    count: int
    colour: str


@dataclass(frozen=True)
class Classification:
    scheme: str
    classes: tuple[ValueClass, ...]
    class_of: pd.Series      # same index as the input values; NO_DATA for missing values
    no_data_count: int

    def colour_of(self) -> pd.Series:
        colours = {c.index: c.colour for c in self.classes} | {NO_DATA: NO_DATA_COLOUR}
        return self.class_of.map(colours)


def palette_colours(palette: str, n: int) -> list[str]:
    """``n`` colours from light (low values) to dark (high values)."""
    if palette not in PALETTES:
        raise ClassificationError(f"bảng màu không hợp lệ: {palette!r}")
    if n < 1:
        return []
    colours = color_brewer(palette, max(n, MIN_CLASSES))
    if palette == "viridis":  # branca lists viridis dark-to-light; low values should be light
        colours = colours[::-1]
    if n < MIN_CLASSES:       # keep the classes distinct: take the two ends (or the darkest)
        colours = [colours[0], colours[-1]][-n:] if n == 2 else [colours[-1]]
    return list(colours)


def classify(values: pd.Series, scheme: str, k: int, palette: str = "YlGnBu",
             manual_breaks: list[float] | None = None) -> Classification:
    if scheme not in SCHEMES:
        raise ClassificationError(f"phương pháp phân lớp không hợp lệ: {scheme!r}")
    values = pd.to_numeric(values, errors="coerce").astype(float)
    present = values.dropna()
    if scheme == "manual":
        thresholds = _manual_thresholds(manual_breaks)
    else:
        if not MIN_CLASSES <= k <= MAX_CLASSES:
            raise ClassificationError(f"số lớp phải từ {MIN_CLASSES} đến {MAX_CLASSES}, nhận {k}")
        thresholds = _data_thresholds(present.to_numpy(), scheme, k)

    class_of = pd.Series(NO_DATA, index=values.index, dtype=int)
    class_of[present.index] = np.searchsorted(thresholds, present.to_numpy(), side="right")
    n_classes = len(thresholds) + 1 if len(present) or scheme == "manual" else 0
    colours = palette_colours(palette, n_classes)
    low = float(present.min()) if len(present) else None
    high = float(present.max()) if len(present) else None
    classes = []
    for i in range(n_classes):
        if scheme == "manual":
            lower = thresholds[i - 1] if i > 0 else None
            upper = thresholds[i] if i < len(thresholds) else None
            closed = False
        else:
            lower = thresholds[i - 1] if i > 0 else low
            upper = thresholds[i] if i < len(thresholds) else high
            closed = i == n_classes - 1
        classes.append(ValueClass(i, lower, upper, closed, int((class_of == i).sum()), colours[i]))
    return Classification(scheme, tuple(classes), class_of, int((class_of == NO_DATA).sum()))


def _manual_thresholds(breaks: list[float] | None) -> list[float]:
    breaks = list(breaks or [])
    if not MIN_CLASSES - 1 <= len(breaks) <= MAX_CLASSES - 1:
        raise ClassificationError(
            f"cần từ {MIN_CLASSES - 1} đến {MAX_CLASSES - 1} ngưỡng để có {MIN_CLASSES}–{MAX_CLASSES} lớp, "
            f"nhận {len(breaks)}")
    if any(not np.isfinite(b) for b in breaks):
        raise ClassificationError("ngưỡng phải là số hữu hạn")
    if any(b >= a for b, a in zip(breaks, breaks[1:])):
        raise ClassificationError("các ngưỡng phải tăng dần và không trùng nhau")
    return [float(b) for b in breaks]


def _data_thresholds(values: np.ndarray, scheme: str, k: int) -> list[float]:
    """Inner thresholds; fewer than k-1 when the data have too few distinct values."""
    distinct = np.unique(values)
    if len(distinct) <= 1:
        return []
    if scheme == "equal_interval":
        return [float(x) for x in np.linspace(distinct[0], distinct[-1], k + 1)[1:-1]]
    k = min(k, len(distinct))
    with warnings.catch_warnings():  # mapclassify warns when ties leave fewer classes than asked
        warnings.simplefilter("ignore")
        if scheme == "quantiles":
            labels = mapclassify.Quantiles(values, k=k).yb
        else:
            labels = mapclassify.FisherJenks(values, k=k).yb
    # mapclassify classes are right-closed; taking each class's smallest member as the lower
    # threshold keeps exactly the same membership under half-open [lower, upper) classes.
    minima = sorted({float(values[labels == label].min()) for label in np.unique(labels)})
    return minima[1:]
