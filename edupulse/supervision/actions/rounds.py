"""Supervision rounds: create one, score it (all regions × items in bulk), publish it (which locks it)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from edupulse.accounts.models import User
from edupulse.core import audit
from edupulse.core.actions import action, save_instance
from edupulse.core.actors import Actor
from edupulse.core.permissions import require
from edupulse.core.regions import COUNTY, RegionCode
from edupulse.indicators.reading import definitions
from edupulse.orgs.models import Region
from edupulse.supervision.framework import FrameworkError, from_snapshot, load
from edupulse.supervision.models import ROUND_WORKFLOW, RoundStatus, SupervisionResult, SupervisionRound, SupervisionScore
from edupulse.supervision.scoring import Scorer

DEFAULT_DEADLINE_DAYS = 30


def default_title(region: Region, period: str) -> str:
    return _("%(region)s %(period)s special supervision of education informatization and cybersecurity") % {
        "region": region.name, "period": period}


@action
def create_round(region: Region, period: str, *, acting_user: Actor, framework: str = "default", title: str = "",
                 document_number: str = "", deadline: date | None = None) -> SupervisionRound:
    """A draft round of ``region`` (a province or a prefecture) with a snapshot of the framework."""
    if RegionCode.parse(region.code).level == COUNTY:
        raise ValidationError({"region": _("A round is held by a province or a prefecture, not a county.")})
    period = period.strip()
    if not period.isdigit() or len(period) != 4:
        raise ValidationError({"period": _("Give the period as a year, e.g. 2022.")})
    try:
        checked = load(framework, definitions())
    except FrameworkError as error:
        raise ValidationError({"framework": str(error)}) from None
    supervision = SupervisionRound(
        region=region, period=period, title=title.strip() or default_title(region, period),
        document_number=document_number.strip(), framework_code=checked.code, framework_version=checked.version,
        framework=checked.as_data(), deadline=deadline or timezone.localdate() + timedelta(days=DEFAULT_DEADLINE_DAYS),
        created_at=timezone.now(), created_by=acting_user if isinstance(acting_user, User) else None)
    return save_instance(supervision, acting_user=acting_user)


@action
def score_round(supervision: SupervisionRound, *, acting_user: Actor, today: date | None = None) -> SupervisionRound:
    """Score every region under the round's region on every item and replace the previous scores; one audit
    row sums the run up (the rows are derived data). Refused once the round is published."""
    ROUND_WORKFLOW.enforce(acting_user, supervision, "score")
    require(acting_user, "change", supervision)
    framework = from_snapshot(supervision.framework)
    today = today or timezone.localdate()
    scored = Scorer(framework, RegionCode.parse(supervision.region_id), supervision.period, acting_user, today).run()
    replaced = SupervisionResult.objects.filter(round=supervision).count()
    SupervisionScore.objects.filter(round=supervision).delete()
    SupervisionResult.objects.filter(round=supervision).delete()
    results, scores = [], []
    for region in scored:
        placement = SupervisionResult.placement_fields(region.region)
        results.append(SupervisionResult(
            round=supervision, region_id=region.region, level=region.level, rank=region.rank, peers=region.peers,
            total=region.total, points=framework.points, subtotals=region.subtotals(framework), **placement))
        for item in framework.items:
            score, evidence = region.items[item.code]
            scores.append(SupervisionScore(
                round=supervision, region_id=region.region, level=region.level, item=item.code,
                dimension=item.dimension, points=item.points, score=score, evidence=evidence,
                rank=region.item_ranks.get(item.code), peers=region.peers, **placement))
    SupervisionResult.objects.bulk_create(results, batch_size=1000)
    SupervisionScore.objects.bulk_create(scores, batch_size=2000)
    before = {"status": supervision.status, "results": replaced}
    supervision.status = RoundStatus.SCORED
    supervision.scored_at = timezone.now()
    supervision.save(update_fields=["status", "scored_at"])
    audit.record("supervision.supervisionround.score", supervision, acting_user=acting_user, before=before,
                 after={"status": supervision.status, "results": len(results), "scores": len(scores),
                        "as_of": today.isoformat(), "period": supervision.period})
    return supervision


@action
def publish_round(supervision: SupervisionRound, *, acting_user: Actor) -> SupervisionRound:
    """Publish the results (the 督导通报 is issued): the scored regions see their scorecards, and the scores
    are locked."""
    ROUND_WORKFLOW.enforce(acting_user, supervision, "publish")
    supervision.status = RoundStatus.PUBLISHED
    supervision.published_at = timezone.now()
    return save_instance(supervision, acting_user=acting_user)
