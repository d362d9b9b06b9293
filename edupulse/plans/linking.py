"""Suggesting which indicator of the library measures a plan's target (a person confirms or rejects it).

A small scored keyword table per indicator code, matched against the target's subject, population and span in
simplified characters (``text.normalise``); the words of the indicator's own name add a little, so an indicator
added to the library later is still found when the plan names it. The best score wins, ties in library order;
below ``THRESHOLD`` nothing is suggested. Only shares (``%``) and bandwidths are suggested: a count ("建设10个
数字化学习实验室") has no indicator to be measured by.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from edupulse.plans.text import normalise

THRESHOLD = 4

# code → ((word, weight), …); a negative weight keeps a near neighbour out.
KEYWORDS: dict[str, tuple[tuple[str, int], ...]] = {
    "internet_rate": (("互联网接入", 5), ("互联网", 3), ("互联网全覆盖", 2), ("接入率", 2), ("宽带", -2), ("10mbps", -4)),
    "ten_mbps_rate": (("10mbps", 6), ("宽带接入", 3)),
    "gigabit_rate": (("千兆进校", 6), ("学校接入带宽", 6)),
    "hundred_mbps_class_rate": (("百兆进班", 6), ("班级接入带宽", 6)),
    "wireless_rate": (("无线", 5), ("覆盖", 1)),
    "multimedia_rate": (("多媒体", 6), ("普通教室", 2)),
    "teacher_space_rate": (("网络学习空间", 4), ("学习空间", 1), ("教师", 2), ("学生", -3)),
    "student_space_rate": (("网络学习空间", 4), ("学习空间", 1), ("学生", 2), ("教师", -3)),
    "training_20_rate": (("提升工程2.0", 6), ("提升工程", 4), ("能力提升", 2), ("教师培训", 3), ("培训", 1)),
    "cio_rate": (("首席信息官", 6), ("cio", 6)),
    "ipv6_rate": (("ipv6", 5), ("支持率", 1)),
    "site_ipv6_rate": (("ipv6", 5), ("网站", 2), ("门户", 1), ("支持率", 1)),
    "djbh_rate": (("等级保护", 5), ("等保", 5), ("备案", 2)),
    "system_filing_rate": (("等级保护", 5), ("等保", 5), ("定级备案", 4), ("信息系统", 2), ("备案", 1)),
    "site_https_rate": (("https", 6),),
    "site_available_rate": (("可用率", 5), ("网站", 1)),
}

LINKABLE_UNITS = frozenset({"%", "Mbps", "Gbps"})


@dataclass(frozen=True)
class Suggestion:
    indicator: str
    score: int


def _name_words(name: str) -> set[str]:
    """Two-character pieces of an indicator's name ("互联网接入率" → 互联, 联网, 网接, …)."""
    norm = normalise(name).lower()
    return {norm[i:i + 2] for i in range(len(norm) - 1) if not any(c in "（）()" for c in norm[i:i + 2])}


def suggest(subject: str, population: str, span: str, unit: str, names: Mapping[str, str]) -> Suggestion | None:
    """The indicator (from ``names``: code → name, library order) that best measures the target, or None."""
    if unit not in LINKABLE_UNITS:
        return None
    text = normalise(f"{subject} {population} {span}").lower().replace(" ", "")
    best: Suggestion | None = None
    for code, name in names.items():
        score = sum(weight for word, weight in KEYWORDS.get(code, ()) if word in text)
        if score <= 0:
            continue
        score += min(2, sum(1 for piece in _name_words(name) if piece in text) // 3)
        if best is None or score > best.score:
            best = Suggestion(code, score)
    return best if best is not None and best.score >= THRESHOLD else None
