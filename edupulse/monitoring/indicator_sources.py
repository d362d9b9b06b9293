"""Monitoring as sources of the indicator library: official websites with their latest probe results
(``monitoring.websites``) and the registry of information systems (``monitoring.systems``).

Both are snapshots, not periodic returns: they describe the state when the indicators are computed and are
attributed to the newest period computed (``Source.snapshot``); values stored for earlier periods keep the
state of their time. A website or system owned by a bureau has no school: it counts in its region's figures
(unless a filter on schools is active) but not in the schools covered.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from edupulse.core.regions import RegionCode
from edupulse.indicators import sources
from edupulse.monitoring.models import InformationSystem, SiteState, Website
from edupulse.monitoring.models.registry import WebsiteCategory
from edupulse.orgs.models import School

# Official education websites: bureau portals and school sites (business systems are not "websites" here).
OFFICIAL = (WebsiteCategory.BUREAU_PORTAL, WebsiteCategory.SCHOOL_SITE)

WEBSITE_FIELDS = (
    sources.SourceField("probed", "BOOLEAN", _("Probed")),
    sources.SourceField("available", "BOOLEAN", _("Available")),
    sources.SourceField("ipv6", "BOOLEAN", _("IPv6 supported")),
    sources.SourceField("https", "BOOLEAN", _("HTTPS enabled")),
    sources.SourceField("bureau", "BOOLEAN", _("Bureau website")),
    sources.SourceField("score", "DOUBLE", _("Health score")),
)
SYSTEM_FIELDS = (
    sources.SourceField("level", "DOUBLE", _("Protection level")),
    sources.SourceField("filed", "BOOLEAN", _("Filed")),
    sources.SourceField("assessed", "BOOLEAN", _("Assessed")),
    sources.SourceField("cii", "BOOLEAN", _("Critical information infrastructure")),
)
_PLACEMENT = ("school_id", "province", "prefecture", "county", "period")


def _in_universe(assets: QuerySet, query: sources.FactQuery) -> QuerySet:  # type: ignore[type-arg]
    """School-owned assets of the universe's schools, and bureau-owned assets of its region when they count."""
    school_owned = assets.filter(school__in=query.schools)
    if not query.bureaus:
        return school_owned
    bureau_owned = assets.filter(school__isnull=True)
    if query.region_prefix:
        bureau_owned = bureau_owned.filter(**RegionCode.parse(query.region_prefix).lookup())
    return school_owned | bureau_owned


def _table(fields: tuple[sources.SourceField, ...], rows: Sequence[Sequence[object]], period: str) -> pa.Table:
    names = [*_PLACEMENT, *(f.name for f in fields)]
    columns: dict[str, list[object]] = {name: [] for name in names}
    for row in rows:
        school_id, province, prefecture, county, *values = row
        for name, value in zip(names, (school_id, province, prefecture, county, period, *values), strict=True):
            columns[name].append(value)
    schema = pa.schema(list(sources.PLACEMENT) + [(f.name, sources.SQL_TYPES[f.sql_type]) for f in fields])
    return pa.Table.from_pydict(columns, schema=schema)


def website_facts(query: sources.FactQuery) -> pa.Table:
    """One row per active official website, with its latest probe state (nulls before the first probe)."""
    period = max(query.periods)
    sites = _in_universe(Website.objects.filter(is_active=True, category__in=OFFICIAL), query)
    states = {s[0]: s[1:] for s in SiteState.objects.filter(website__in=sites).values_list(
        "website_id", "last_probed_at", "available", "ipv6", "https", "score")}
    rows = []
    for site_id, school_id, province, prefecture, county, category in sites.values_list(
            "id", "school_id", "province_id", "prefecture_id", "county_id", "category"):
        probed_at, available, ipv6, https, score = states.get(site_id, (None, None, None, None, None))
        probed = probed_at is not None
        rows.append((school_id, province, prefecture, county, probed, available if probed else None,
                     ipv6 if probed else None, https if probed else None,
                     category == WebsiteCategory.BUREAU_PORTAL, float(score) if score is not None else None))
    return _table(WEBSITE_FIELDS, rows, period)


def system_facts(query: sources.FactQuery) -> pa.Table:
    """One row per registered information system: its protection level and whether it is filed and assessed."""
    period = max(query.periods)
    systems = _in_universe(InformationSystem.objects.all(), query)
    rows = [(school_id, province, prefecture, county, float(level), bool(filing), assessed is not None, cii)
            for school_id, province, prefecture, county, level, filing, assessed, cii in systems.values_list(
                "school_id", "province_id", "prefecture_id", "county_id", "level", "filing_number",
                "last_assessment_date", "is_cii")]
    return _table(SYSTEM_FIELDS, rows, period)


def _schools_with_sites(schools: QuerySet[School]) -> QuerySet[School]:
    owners = Website.objects.filter(is_active=True, category__in=OFFICIAL, school__isnull=False).values("school_id")
    return schools.filter(id__in=owners)


def _schools_with_systems(schools: QuerySet[School]) -> QuerySet[School]:
    return schools.filter(id__in=InformationSystem.objects.filter(school__isnull=False).values("school_id"))


def register() -> None:
    """Register the monitoring sources (called from ``MonitoringConfig.ready``)."""
    sources.register(sources.Source(
        code="monitoring.websites", label=_("Official education websites (probes)"),
        unit_label=_("monitored websites"), fields=WEBSITE_FIELDS, facts=website_facts, expected=_schools_with_sites,
        snapshot=True, by_basis=False))
    sources.register(sources.Source(
        code="monitoring.systems", label=_("Information systems (registry)"), unit_label=_("registered systems"),
        fields=SYSTEM_FIELDS, facts=system_facts, expected=_schools_with_systems, snapshot=True,
        by_basis=False))
