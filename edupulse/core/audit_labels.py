"""The audit trail in words: action codes (``collection.submission.demo_review``), kinds, sources and objects as a
person reads them.

The trail stores codes (stable, language-free, what ``audit verify`` hashes); pages and exports show labels. A code
has its own label when one is registered (``register_action_labels``, from an app's ``ready``), otherwise the label
is made of the verb's label and the model's verbose name (``新建网站``); a verb nobody labelled reads 其他操作 — never
the raw dotted code.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

# The verbs the actions write (the last part of a code), as past deeds on an object.
VERB_LABELS: dict[str, Any] = {
    "create": pgettext_lazy("audit verb", "create"),
    "update": pgettext_lazy("audit verb", "change"),
    "delete": pgettext_lazy("audit verb", "delete"),
    "save": pgettext_lazy("audit verb", "save"),
    "import": pgettext_lazy("audit verb", "import"),
    "reimport": pgettext_lazy("audit verb", "re-import"),
    "export": pgettext_lazy("audit verb", "export"),
    "download": pgettext_lazy("audit verb", "download"),
    "read": pgettext_lazy("audit verb", "read"),
    "freeze": pgettext_lazy("audit verb", "freeze"),
    "rebuild": pgettext_lazy("audit verb", "rebuild"),
    "submit": pgettext_lazy("audit verb", "submit"),
    "approve": pgettext_lazy("audit verb", "approve"),
    "return": pgettext_lazy("audit verb", "return"),
    "reopen": pgettext_lazy("audit verb", "reopen"),
    "open": pgettext_lazy("audit verb", "open"),
    "resolve": pgettext_lazy("audit verb", "resolve"),
    "move": pgettext_lazy("audit verb", "move"),
    "issue": pgettext_lazy("audit verb", "issue"),
    "close": pgettext_lazy("audit verb", "close"),
    "publish": pgettext_lazy("audit verb", "publish"),
    "acknowledge": pgettext_lazy("audit verb", "acknowledge"),
    "reprobe": pgettext_lazy("audit verb", "re-probe"),
    "verify": pgettext_lazy("audit verb", "verify"),
    "escalate": pgettext_lazy("audit verb", "escalate"),
    "score": pgettext_lazy("audit verb", "score"),
    "recompute": pgettext_lazy("audit verb", "recompute"),
    "roll_up": pgettext_lazy("audit verb", "roll up"),
    "purge": pgettext_lazy("audit verb", "purge"),
    "baseline": pgettext_lazy("audit verb", "record the baseline of"),
    "finish": pgettext_lazy("audit verb", "finish"),
    "link": pgettext_lazy("audit verb", "link"),
    "assign": pgettext_lazy("audit verb", "assign"),
    "suggest_links": pgettext_lazy("audit verb", "suggest links for"),
    "websites": pgettext_lazy("audit verb", "change the websites of"),
    "reset_password": pgettext_lazy("audit verb", "reset the password of"),
    "change_password": pgettext_lazy("audit verb", "change the password of"),
    "demo_review": pgettext_lazy("audit verb", "review (demo data)"),
    "demo_reset": pgettext_lazy("audit verb", "reset (demo data)"),
    "demo_backdate": pgettext_lazy("audit verb", "backdate (demo data)"),
}

# Codes whose first parts name no model (a summary row over many): the object they are about.
OBJECT_LABELS: dict[str, Any] = {
    "monitoring.results": gettext_lazy("probe results"),
    "indicators.value": gettext_lazy("indicator values"),
    "basedata.school_issues": gettext_lazy("base data issues"),
}

ACTION_LABELS: dict[str, Any] = {}

KIND_LABELS: dict[str, Any] = {"write": pgettext_lazy("audit kind", "change"),
                               "read": pgettext_lazy("audit kind", "read of personal data")}
SOURCE_LABELS: dict[str, Any] = {
    "web": pgettext_lazy("audit source", "web page"), "api": pgettext_lazy("audit source", "API"),
    "admin": pgettext_lazy("audit source", "back office"), "cli": pgettext_lazy("audit source", "command line"),
    "task": pgettext_lazy("audit source", "background task"), "system": pgettext_lazy("audit source", "platform"),
}

# A summary row's object: "N records" / "N sites" as written by record_read and the result recorder.
_COUNTED = re.compile(r"^(\d+) (records|sites)$")


def register_action_labels(labels: Mapping[str, Any]) -> None:
    """Apps name codes whose verb and model say too little (``monitoring.noticeitem.acknowledge`` → 签收整改事项)."""
    ACTION_LABELS.update(labels)


def _model_label(code_prefix: str) -> str:
    if code_prefix in OBJECT_LABELS:
        return str(OBJECT_LABELS[code_prefix])
    app_label, _dot, model_name = code_prefix.partition(".")
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return _("record")
    return str(model._meta.verbose_name)


def action_label(code: str) -> str:
    """``collection.submission.approve`` → 审核通过报送; never the code itself."""
    if code in ACTION_LABELS:
        return str(ACTION_LABELS[code])
    prefix, _dot, verb = code.rpartition(".")
    verb_label = VERB_LABELS.get(verb)
    if verb_label is None:
        return _("other operation on %(object)s") % {"object": _model_label(prefix)}
    return _("%(verb)s %(object)s") % {"verb": verb_label, "object": _model_label(prefix)}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))


def _described(model: type[models.Model], ids: set[str]) -> dict[str, str]:
    """Each still existing object in words: its ``audit_label()`` when it has one (a submission names its school,
    form and period), else its ``str``. Objects since deleted keep the words stored with the row."""
    related = getattr(model, "audit_select_related", ())
    keys = [i for i in ids if i.isdigit()] if isinstance(model._meta.pk, models.AutoField | models.BigAutoField) else list(ids)
    objects = model._base_manager.select_related(*related).filter(pk__in=keys)
    return {str(obj.pk): (obj.audit_label() if hasattr(obj, "audit_label") else str(obj)) for obj in objects}


def describe_objects(rows: Iterable[Any]) -> None:
    """Set ``row.object_label`` on audit rows, one query per object type among them."""
    rows = list(rows)
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.object_id and row.object_type:
            wanted[row.object_type].add(row.object_id)
    words: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        app_label, _dot, model_name = object_type.partition(".")
        try:
            model = apps.get_model(app_label, model_name)
        except (LookupError, ValueError):
            continue
        words.update({(object_type, pk): text for pk, text in _described(model, ids).items()})
    for row in rows:
        row.object_label = words.get((row.object_type, row.object_id)) or object_words(row.object_repr)


def object_words(stored: str) -> str:
    """The stored description, with the counted summaries of older rows in words."""
    counted = _COUNTED.match(stored or "")
    if counted:
        return _("%(count)s records") % {"count": counted.group(1)}
    return stored or "—"
