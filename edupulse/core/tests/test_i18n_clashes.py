"""One msgid, one Chinese word: Django merges every app's catalogue and the first app in INSTALLED_APPS (after
LOCALE_PATHS) wins, so a msgid translated differently in two catalogues shows another app's word on a page
("Period" as 统计期 on a supervision page). Give such a msgid a context (pgettext) in one app, or align the words."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import polib
from django.urls import reverse

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.utilities import i18n

# Clashes not resolved yet, each (context, msgid). Shrink this list; never grow it.
TOLERATED: frozenset[tuple[str | None, str]] = frozenset({
    (None, "County"), (None, "Prefecture"), (None, "Region"), (None, "Regions"), (None, "Region code"),
    (None, "county"), (None, "prefecture"), (None, "province"), (None, "region"), (None, "regions"),
    (None, "Coverage"), (None, "Item"), (None, "On-time rate"), (None, "Reporting rate"), (None, "Schools expected"),
    (None, "Reported (submitted or approved)"), (None, "Show"), (None, "Target"), (None, "Text"), (None, "text"),
    (None, "Year"), (None, "active"), (None, "attained"), (None, "errors"), (None, "warnings"), (None, "evidence"),
    (None, "section"), (None, "value"), (None, "Running"), (None, "Failed"), (None, "%(counter)s record"),
})


def translations() -> dict[tuple[str | None, str], dict[str, str]]:
    """(context, msgid) → {catalogue: Chinese} over every catalogue of the package."""
    found: dict[tuple[str | None, str], dict[str, str]] = defaultdict(dict)
    for po in i18n.catalogues():
        where = str(Path(po).relative_to(i18n.PACKAGE_DIR).parts[0])
        for entry in polib.pofile(str(po)):
            if entry.translated() and not entry.obsolete:
                found[(entry.msgctxt, entry.msgid)][where] = entry.msgstr or repr(sorted(entry.msgstr_plural.items()))
    return found


def clashes() -> dict[tuple[str | None, str], dict[str, str]]:
    return {key: words for key, words in translations().items() if len(set(words.values())) > 1}


def test_no_msgid_has_two_chinese_words() -> None:
    new = {key: words for key, words in clashes().items() if key not in TOLERATED}
    assert not new, "msgids translated differently in two catalogues (use pgettext or align):\n" + "\n".join(
        f"{key}: {words}" for key, words in sorted(new.items(), key=str))


def test_the_tolerated_list_holds_only_live_clashes() -> None:
    settled = sorted(TOLERATED - set(clashes()), key=str)
    assert not settled, f"no longer clashing, remove from TOLERATED: {settled}"


def test_the_check_sees_a_clash() -> None:
    assert clashes(), "the package's catalogues were not read"


def test_each_app_shows_its_own_word_for_period(client: Any, db: Any) -> None:
    user = make_user("province_admin", region="51")
    assert client.login(username=user.username, password=PASSWORD)
    assert "评估周期" in client.get(reverse("supervision:round-list")).content.decode()
    assert "统计期" in client.get(reverse("collection:submission-list")).content.decode()
