"""Rules of the code's shape that a reviewer would otherwise have to remember.

* Every domain app keeps its state changes in an ``actions/`` package (no flat ``actions.py`` beside it).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
DOMAIN_APPS = ("accounts", "orgs", "collection", "monitoring")


def test_every_domain_app_keeps_its_actions_in_a_package() -> None:
    missing = [app for app in DOMAIN_APPS if not (PACKAGE / app / "actions" / "__init__.py").exists()]
    flat = [app for app in DOMAIN_APPS if (PACKAGE / app / "actions.py").exists()]
    assert not missing and not flat, f"apps without an actions/ package: {missing}; with a flat actions.py: {flat}"
