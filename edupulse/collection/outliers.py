"""Outliers against peer schools: the modified z-score (median and MAD) within category × region.

z = 0.6745 · (x − median) / MAD; |z| above the form's threshold (3.5 by default, Iglewicz–Hoaglin) is a
warning. Medians are robust to the skewed, zero-inflated distributions of school statistics where a
plain mean/standard deviation or a fixed min–max range flags too much. A group with fewer than
``min_peers`` values or a MAD of 0 (most schools report the same value) is not judged.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from edupulse.collection.definitions import FormSpec
from edupulse.collection.models import Submission
from edupulse.collection.validation import display
from edupulse.core.actors import Actor

GROUP_FIELDS = {"category": "school__category", "province": "school__province_id",
                "prefecture": "school__prefecture_id", "county": "school__county_id"}


@dataclass(frozen=True)
class Outlier:
    submission_id: int
    school_code: str
    school_name: str
    field: str
    value: float
    median: float
    z: float
    peers: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def modified_z_scores(values: list[float]) -> tuple[float, float, list[float]] | None:
    """(median, MAD, z-scores), or None when the spread is zero."""
    median = statistics.median(values)
    mad = statistics.median([abs(v - median) for v in values])
    if mad == 0:
        return None
    return median, mad, [0.6745 * (v - median) / mad for v in values]


def peer_outliers(spec: FormSpec, period: str, *, user: Actor) -> list[Outlier]:
    config = spec.outliers
    if not config.fields:
        return []
    queryset = Submission.objects.visible_to(user)
    # Peers are judged on everyone's data (a county's schools compared with the whole prefecture), but
    # only schools the user may see are listed.
    visible = set(queryset.filter(form__code=spec.code, period=period).values_list("pk", flat=True))
    rows = (Submission.objects.filter(form__code=spec.code, period=period)
            .values_list("pk", "school__code", "school__name", "values",
                         *[GROUP_FIELDS[g] for g in config.group_by]))
    groups: dict[tuple[Any, ...], list[tuple[int, str, str, dict[str, Any]]]] = {}
    for pk, code, name, values, *group in rows.iterator(chunk_size=5000):
        groups.setdefault(tuple(group), []).append((pk, code, name, values))
    found: list[Outlier] = []
    for members in groups.values():
        for field_code in config.fields:
            field = spec.field(field_code)
            points = [(m, float(m[3][field_code])) for m in members if m[3].get(field_code) is not None]
            if len(points) < config.min_peers:
                continue
            scored = modified_z_scores([v for _m, v in points])
            if scored is None:
                continue
            median, _mad, zs = scored
            for (member, value), z in zip(points, zs, strict=True):
                if abs(z) > config.threshold and member[0] in visible:
                    found.append(Outlier(
                        member[0], member[1], member[2], field_code, value, median, round(z, 2), len(points),
                        _("“%(label)s” is %(value)s, far from the median %(median)s of %(peers)d peer schools "
                          "(modified z-score %(z)s). Please check it.")
                        % {"label": field.label, "value": display(field, value), "median": display(field, median),
                           "peers": len(points), "z": f"{z:.1f}"},
                    ))
    found.sort(key=lambda o: -abs(o.z))
    return found
