"""The province scorecard: the 10/02/2023 report's figures as display texts."""
from __future__ import annotations

from dataclasses import dataclass

from indicators.catalogue import ReportFigure
from l10n import fmt
from l10n.messages import t


@dataclass(frozen=True)
class ScoreCard:
    id: str
    label: str
    value: str           # "233.175", "trên 21.000", "21/24", "trên 26%"
    detail: str          # unit, or "trên tổng 24" for a fraction
    share: float | None  # value / target, for a progress bar


def score_card(figure: ReportFigure, lang: str) -> ScoreCard:
    over = f"{t('overview.over', lang)} " if figure.over else ""
    if figure.kind == "text":
        return ScoreCard(figure.id, figure.label[lang], figure.text[lang], "", None)
    if figure.kind == "percent":
        return ScoreCard(figure.id, figure.label[lang], over + fmt.percent(figure.value, 0, lang), "", None)
    value = fmt.number(figure.value, 0, lang)
    if figure.kind == "fraction":
        return ScoreCard(figure.id, figure.label[lang], f"{value}/{fmt.number(figure.target, 0, lang)}",
                         f"{figure.unit[lang]} · {t('overview.target', lang, target=fmt.number(figure.target, 0, lang))}",
                         figure.value / figure.target)
    return ScoreCard(figure.id, figure.label[lang], over + value, figure.unit[lang], None)
