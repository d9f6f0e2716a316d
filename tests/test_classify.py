"""Classification: half-open classes, ties, all-equal values, missing values, manual breaks."""
import numpy as np
import pandas as pd
import pytest

from geo.classify import (
    CATEGORY_COLOURS,
    MAX_CLASSES,
    MIN_CLASSES,
    NO_DATA,
    NO_DATA_COLOUR,
    PALETTES,
    ClassificationError,
    classify,
    palette_colours,
)

VALUES = pd.Series([1, 2, 2, 2, 3, 10, 11, 50, np.nan], index=list("abcdefghi"), dtype=float)


@pytest.mark.parametrize("scheme", ["quantiles", "fisher_jenks", "equal_interval"])
@pytest.mark.parametrize("k", [3, 4, 5, 6, 7])
def test_every_value_is_in_exactly_its_half_open_class(scheme, k):
    values = pd.Series(np.random.default_rng(k).lognormal(8, 1, 101))
    result = classify(values, scheme, k)
    assert len(result.classes) <= k
    assert sum(c.count for c in result.classes) == 101
    for value, index in zip(values, result.class_of):
        value_class = result.classes[index]
        assert value_class.lower <= value
        assert value < value_class.upper or (value_class.closed_upper and value == value_class.upper)


def test_missing_values_get_the_no_data_class_and_never_a_palette_colour():
    result = classify(VALUES, "quantiles", 3)
    assert result.class_of["i"] == NO_DATA and result.no_data_count == 1
    colours = result.colour_of()
    assert colours["i"] == NO_DATA_COLOUR
    for palette in PALETTES:
        for k in range(1, 8):
            assert NO_DATA_COLOUR not in palette_colours(palette, k)


def test_ties_stay_together():
    result = classify(VALUES, "quantiles", 3)
    assert len({result.class_of[key] for key in "bcd"}) == 1
    # A value equal to a threshold belongs to the class above it.
    thresholds = [c.lower for c in result.classes[1:]]
    for key, value in VALUES.dropna().items():
        if value in thresholds:
            assert result.classes[result.class_of[key]].lower == value


def test_fisher_jenks_keeps_natural_groups():
    values = pd.Series([1, 2, 3, 100, 101, 102, 1000, 1001], dtype=float)
    result = classify(values, "fisher_jenks", 3)
    assert result.class_of.tolist() == [0, 0, 0, 1, 1, 1, 2, 2]
    assert [c.lower for c in result.classes] == [1, 100, 1000]


def test_all_equal_values_make_one_class():
    result = classify(pd.Series([5.0] * 6), "quantiles", 5)
    assert len(result.classes) == 1
    assert (result.classes[0].lower, result.classes[0].upper, result.classes[0].count) == (5, 5, 6)


def test_fewer_distinct_values_than_classes():
    result = classify(pd.Series([1, 1, 2, 2, 3, 3], dtype=float), "fisher_jenks", 5)
    assert [c.count for c in result.classes] == [2, 2, 2]


def test_all_missing_gives_no_classes():
    result = classify(pd.Series([np.nan, np.nan]), "quantiles", 5)
    assert result.classes == () and result.no_data_count == 2


def test_equal_interval_edges():
    result = classify(pd.Series([0, 10, 20, 30, 40], dtype=float), "equal_interval", 4)
    assert [(c.lower, c.upper) for c in result.classes] == [(0, 10), (10, 20), (20, 30), (30, 40)]
    assert result.class_of.tolist() == [0, 1, 2, 3, 3]


def test_manual_breaks_are_open_at_both_ends():
    result = classify(VALUES, "manual", 0, manual_breaks=[2, 10])
    assert [(c.lower, c.upper, c.count) for c in result.classes] == [(None, 2, 1), (2, 10, 4), (10, None, 3)]


@pytest.mark.parametrize("breaks", [[5], [3, 2], [1, 1, 2], [1, 2, 3, 4, 5, 6, 7], [1, float("inf")]])
def test_bad_manual_breaks_are_refused(breaks):
    with pytest.raises(ClassificationError):
        classify(VALUES, "manual", 0, manual_breaks=breaks)


@pytest.mark.parametrize("k", [2, 8])
def test_class_count_is_limited(k):
    with pytest.raises(ClassificationError):
        classify(VALUES, "quantiles", k)


def test_palettes_run_light_to_dark():
    def luminance(colour):
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    for palette in PALETTES:
        colours = palette_colours(palette, 7)
        assert len(set(colours)) == 7
        assert luminance(colours[0]) > luminance(colours[-1])


# --- Colour-blind safety (accessibility audit) ------------------------------------------------
# Simulated colour-vision deficiency, severity 1.0, on linear sRGB: Machado, Oliveira & Fernandes
# (2009), "A physiologically-based model for simulation of color vision deficiency", IEEE TVCG 15(6).
CVD_MATRICES = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
ADJACENT_CLASSES_MIN_DELTA_E = 7     # CIE76 ΔE*ab; ~2.3 is just noticeable
DISTINCT_CATEGORIES_MIN_DELTA_E = 15


def _seen_lab(colour: str, deficiency: str) -> np.ndarray:
    """CIELAB (D65) of a hex colour as seen with the deficiency."""
    srgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    linear = np.clip(np.array(CVD_MATRICES[deficiency]) @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen_difference(first: str, second: str, deficiency: str) -> float:
    return float(np.linalg.norm(_seen_lab(first, deficiency) - _seen_lab(second, deficiency)))


def test_the_simulation_keeps_greys_and_loses_red_green():
    assert seen_difference("#808080", "#808080", "deuteranopia") == 0
    assert seen_difference("#d62728", "#2ca02c", "deuteranopia") < seen_difference("#d62728", "#2ca02c", "tritanopia") / 3


@pytest.mark.parametrize("deficiency", sorted(CVD_MATRICES))
@pytest.mark.parametrize("palette", PALETTES)
def test_every_palette_keeps_adjacent_classes_apart_for_colour_blind_readers(palette, deficiency):
    # PALETTES are ColorBrewer 2.0 schemes its "colorblind safe" filter keeps (Brewer,
    # colorbrewer2.org), and viridis, designed for it; this re-checks the claim by simulation.
    for k in range(MIN_CLASSES, MAX_CLASSES + 1):
        colours = palette_colours(palette, k)
        assert min(seen_difference(a, b, deficiency) for a, b in zip(colours, colours[1:])) >= ADJACENT_CLASSES_MIN_DELTA_E


@pytest.mark.parametrize("deficiency", sorted(CVD_MATRICES))
def test_category_colours_and_the_change_map_stay_apart_for_colour_blind_readers(deficiency):
    from views.compare.compare_view import SIDE_CLASSES, SIDE_PALETTE, STEPS_PER_SIDE, diverging_colours

    pilot, not_pilot = CATEGORY_COLOURS.values()
    assert seen_difference(pilot, not_pilot, deficiency) >= DISTINCT_CATEGORIES_MIN_DELTA_E
    # Change map (ColorBrewer RdBu, flagged colour-blind safe): neighbouring classes apart, and a
    # decrease never looks like the same-sized increase.
    colours = diverging_colours()
    assert min(seen_difference(a, b, deficiency) for a, b in zip(colours, colours[1:])) >= ADJACENT_CLASSES_MIN_DELTA_E
    for step in range(STEPS_PER_SIDE):
        assert seen_difference(colours[step], colours[-1 - step], deficiency) >= DISTINCT_CATEGORIES_MIN_DELTA_E
    # The comparison's map colours are never mistaken for "no data" (which is also dashed).
    for colour in colours + palette_colours(SIDE_PALETTE, SIDE_CLASSES):
        assert seen_difference(colour, NO_DATA_COLOUR, deficiency) >= ADJACENT_CLASSES_MIN_DELTA_E
