"""Tampering (网页篡改): compare a page with a baseline that several samples agree on.

A ``Baseline`` keeps the *stable* parts of a page — visible text nodes, same-site links and DOM tag paths
present in every sample — as bottom-k hash sketches, plus everything ever seen (link domains, scripts) so
that rotating news does not look like tampering while injected links and scripts do. ``evaluate_tampering``
is pure; the engine re-fetches a page that looks changed (``scoring.TAMPER_REFETCHES``) and only fails when
every re-fetch differs too.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from edupulse.monitoring.probes import scoring
from edupulse.monitoring.probes.html import ParsedPage, normalise_text, parse_page, site_of, stable_hash
from edupulse.monitoring.probes.types import CheckOutcome, PageSnapshot, not_applicable
from edupulse.monitoring.probes.wordlists import keywords

BASELINE_VERSION = 1
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class PageFeatures:
    """The comparable features of one page (all hashes are process-independent)."""

    text_hash: str
    text_nodes: frozenset[int]
    links: frozenset[int]
    link_domains: frozenset[str]  # external registrable domains
    scripts: frozenset[int]  # external srcs and normalised inline bodies
    dom_paths: frozenset[int]
    title: str
    #: Gambling/porn words in the title, text and external links: the usual payload of a hacked school page.
    keywords: frozenset[str] = frozenset()


def _site_relative(url: str, page_site: str) -> str:
    """Path and query for a same-site URL (the baseline survives http→https and www. moves), else the URL."""
    parts = urlsplit(url)
    if site_of((parts.hostname or "").lower()) == page_site:
        return parts.path + ("?" + parts.query if parts.query else "")
    return url


def page_features(page: ParsedPage) -> PageFeatures:
    # Text nodes come whitespace-collapsed and without zero-width characters from parse_page: lower-casing and
    # blanking digits on the joined text at once equals normalise_text() per node, at a fraction of the cost.
    texts = _DIGITS.sub("0", "\n".join(page.text_nodes).lower()).split("\n") if page.text_nodes else []
    page_site = site_of((urlsplit(page.url).hostname or "").lower())
    same_site = [_site_relative(link.href.split("#")[0], page_site) for link in page.links
                 if not link.external and link.source == "html"]
    scripts = {stable_hash("src:" + _site_relative(src, page_site)) for src in page.script_srcs}
    scripts.update(stable_hash("inline:" + normalise_text(body)) for body in page.inline_scripts if body.strip())
    return PageFeatures(
        text_hash=hashlib.sha256("\n".join(texts).encode()).hexdigest(),
        text_nodes=frozenset(stable_hash(text) for text in texts if text),
        links=frozenset(stable_hash(href) for href in same_site),
        link_domains=frozenset(site_of(link.host) for link in page.links if link.external),
        scripts=frozenset(scripts),
        dom_paths=page.dom_paths,
        title=page.title,
        keywords=frozenset(keywords().find(page.text + "\n" + " ".join(
            f"{link.text} {link.host}" for link in page.links if link.external))),
    )


def snapshot_features(snapshot: PageSnapshot) -> PageFeatures:
    return page_features(parse_page(snapshot.body, snapshot.final_url, with_styles=False))


def _sketch(values: Iterable[int]) -> frozenset[int]:
    """Bottom-k: the k smallest hashes, a uniform sample of the set that any process picks identically."""
    return frozenset(sorted(values)[: scoring.TAMPER_SKETCH_SIZE])


@dataclass(frozen=True)
class Baseline:
    """What a page normally looks like, agreed by several samples. Store it with ``to_dict``/``from_dict``."""

    text_hash: str
    text_nodes: frozenset[int]
    links: frozenset[int]
    link_domains: frozenset[str]
    scripts: frozenset[int]
    dom_paths: frozenset[int]
    title: str
    samples: int
    #: Gambling/porn words already on the page when it was known good (an anti-gambling notice, say).
    keywords: frozenset[str] = frozenset()
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    version: int = BASELINE_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "samples": self.samples,
            "created_at": self.created_at.isoformat(),
            "title": self.title,
            "text_hash": self.text_hash,
            "text_nodes": sorted(self.text_nodes),
            "links": sorted(self.links),
            "link_domains": sorted(self.link_domains),
            "scripts": sorted(self.scripts),
            "dom_paths": sorted(self.dom_paths),
            "keywords": sorted(self.keywords),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Baseline:
        if data.get("version") != BASELINE_VERSION:
            raise ValueError(f"unsupported baseline version {data.get('version')!r}")
        return cls(
            text_hash=str(data["text_hash"]),
            text_nodes=frozenset(int(v) for v in data["text_nodes"]),
            links=frozenset(int(v) for v in data["links"]),
            link_domains=frozenset(str(v) for v in data["link_domains"]),
            scripts=frozenset(int(v) for v in data["scripts"]),
            dom_paths=frozenset(int(v) for v in data["dom_paths"]),
            title=str(data.get("title", "")),
            samples=int(data["samples"]),
            keywords=frozenset(str(v) for v in data.get("keywords", ())),  # absent in baselines made before it
            created_at=datetime.fromisoformat(data["created_at"]),
        )


def _agreed(sets: Sequence[frozenset[int]]) -> frozenset[int]:
    needed = max(1, round(scoring.TAMPER_AGREEMENT * len(sets)))
    counts: Counter[int] = Counter()
    for values in sets:
        counts.update(values)
    return _sketch(value for value, count in counts.items() if count >= needed)


def build_baseline_from_features(features: Sequence[PageFeatures]) -> Baseline:
    if not features:
        raise ValueError("a baseline needs at least one sample")
    hashes = Counter(item.text_hash for item in features)
    titles = Counter(item.title for item in features)
    return Baseline(
        text_hash=hashes.most_common(1)[0][0],
        text_nodes=_agreed([item.text_nodes for item in features]),
        links=_agreed([item.links for item in features]),
        link_domains=frozenset().union(*(item.link_domains for item in features)),
        scripts=frozenset().union(*(item.scripts for item in features)),
        dom_paths=_agreed([item.dom_paths for item in features]),
        title=titles.most_common(1)[0][0],
        samples=len(features),
        keywords=frozenset().union(*(item.keywords for item in features)),
    )


def build_baseline(samples: Sequence[PageSnapshot]) -> Baseline:
    """A baseline from several fetches of the same page (e.g. three fetches minutes apart).

    Parts present in every sample are the stable core; link domains and scripts seen in any sample are
    known. Samples with an error status are ignored; at least one good sample is required.
    """
    good = [sample for sample in samples if 200 <= sample.status < 400]
    if not good:
        raise ValueError("a baseline needs at least one successful fetch of the page")
    return build_baseline_from_features([snapshot_features(sample) for sample in good])


@dataclass(frozen=True)
class TamperEvaluation:
    """How far one fetch is from the baseline."""

    identical: bool
    text_retained: float
    links_retained: float
    dom_retained: float
    new_link_domains: tuple[str, ...]
    new_scripts: int
    title_changed: bool
    score: int
    changed: bool
    new_keywords: tuple[str, ...] = ()


def _retained(stable: frozenset[int], current: frozenset[int]) -> float:
    if not stable:
        return 1.0
    return len(stable & current) / len(stable)


def evaluate_tampering(baseline: Baseline, current: PageFeatures) -> TamperEvaluation:
    """Pure: compare ``current`` with ``baseline`` and score the difference (100 = as the baseline)."""
    if (current.text_hash == baseline.text_hash and current.scripts <= baseline.scripts
            and current.link_domains <= baseline.link_domains and current.keywords <= baseline.keywords):
        return TamperEvaluation(True, 1.0, 1.0, 1.0, (), 0, False, 100, False)
    text = _retained(baseline.text_nodes, current.text_nodes)
    links = _retained(baseline.links, current.links)
    dom = _retained(baseline.dom_paths, current.dom_paths)
    new_domains = tuple(sorted(current.link_domains - baseline.link_domains))
    new_scripts = len(current.scripts - baseline.scripts)
    new_keywords = tuple(sorted(current.keywords - baseline.keywords))
    title_changed = current.title != baseline.title
    penalty = (
        scoring.TAMPER_TEXT_WEIGHT * (1 - text)
        + scoring.TAMPER_LINKS_WEIGHT * (1 - links)
        + scoring.TAMPER_DOM_WEIGHT * (1 - dom)
        + min(scoring.TAMPER_NEW_DOMAIN_CAP, scoring.TAMPER_NEW_DOMAIN_PENALTY * len(new_domains))
        + min(scoring.TAMPER_NEW_SCRIPT_CAP, scoring.TAMPER_NEW_SCRIPT_PENALTY * new_scripts)
        + scoring.TAMPER_TITLE_PENALTY * title_changed
        + scoring.TAMPER_NEW_KEYWORD_PENALTY * bool(new_keywords)
    )
    score = max(0, round(100 - penalty))
    return TamperEvaluation(
        identical=False,
        text_retained=round(text, 3),
        links_retained=round(links, 3),
        dom_retained=round(dom, 3),
        new_link_domains=new_domains,
        new_scripts=new_scripts,
        title_changed=title_changed,
        score=score,
        changed=score < scoring.TAMPER_CHANGED_BELOW,
        new_keywords=new_keywords,
    )


def _evidence(evaluation: TamperEvaluation) -> dict[str, Any]:
    return {
        "text_retained": evaluation.text_retained,
        "links_retained": evaluation.links_retained,
        "dom_retained": evaluation.dom_retained,
        "new_link_domains": list(evaluation.new_link_domains[: scoring.EVIDENCE_ITEMS]),
        "new_scripts": evaluation.new_scripts,
        "title_changed": evaluation.title_changed,
        "new_keywords": list(evaluation.new_keywords[: scoring.EVIDENCE_ITEMS]),
    }


def tampering_result(
    baseline: Baseline | None, first: TamperEvaluation | None, refetches: Sequence[TamperEvaluation]
) -> CheckOutcome:
    """Pure: the tampering CheckOutcome from the first comparison and the re-fetch comparisons.

    Fails only when the first fetch and every re-fetch differ beyond the threshold; a difference that a
    re-fetch does not confirm is reported as transient (pass).
    """
    if baseline is None:
        return not_applicable("tampering", "no baseline for this page yet")
    if first is None:
        return not_applicable("tampering", "page not fetched")
    evidence = {"baseline_samples": baseline.samples, "baseline_created_at": baseline.created_at.isoformat()}
    evidence.update(_evidence(first))
    if not first.changed:
        evidence["identical"] = first.identical
        return CheckOutcome("tampering", "pass", first.score, evidence)
    confirmed = bool(refetches) and all(item.changed for item in refetches)
    evidence["refetch_scores"] = [item.score for item in refetches]
    if confirmed:
        worst = min([first.score, *(item.score for item in refetches)])
        return CheckOutcome("tampering", "fail", worst, evidence)
    evidence["transient"] = True
    best = max([first.score, *(item.score for item in refetches)])
    return CheckOutcome("tampering", "pass", best, evidence)
