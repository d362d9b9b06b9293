"""Django forms of the collection pages: the entry form is built from a form version's fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from edupulse.collection.definitions import FieldSpec, FormSpec
from edupulse.collection.values import CellError, clean


class SpecField(forms.CharField):
    """A text input whose value is cleaned by the same rules as an Excel cell (so “１２”, “95%”, “是” work)."""

    def __init__(self, spec_field: FieldSpec, **kwargs: Any) -> None:
        self.spec_field = spec_field
        super().__init__(required=False, **kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        try:
            return clean(self.spec_field, text, typed=False)
        except CellError as problem:
            raise forms.ValidationError(problem.message, code=problem.rule) from None


def _widget(field: FieldSpec) -> forms.Widget:
    if field.type == "boolean":
        return forms.Select(choices=[("", "—"), ("是", "是"), ("否", "否")])
    if field.type == "choice":
        return forms.Select(choices=[("", "—"), *[(c.code, f"{c.code} {c.label}") for c in field.choices]])
    attrs = {"inputmode": "decimal"} if field.numeric else {}
    if field.type == "date":
        attrs = {"type": "date"}
    return forms.TextInput(attrs=attrs)


def initial_text(field: FieldSpec, value: Any) -> str:
    if value is None:
        return ""
    if field.type == "boolean":
        return "是" if value else "否"
    if field.type == "percent":
        return f"{value:g}%"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class EntryForm(forms.Form):
    """One input per field (value) and one per field (explanation of a warning)."""

    def __init__(self, *args: Any, spec: FormSpec, instance: Any = None, **kwargs: Any) -> None:
        kwargs.pop("instance", None)
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.instance = instance
        values = instance.values if instance is not None else {}
        notes = instance.explanations if instance is not None else {}
        for f in spec.fields:
            help_parts = [f.unit, f.help]
            self.fields[f.code] = SpecField(f, label=f.label + (" *" if f.required else ""),
                                            help_text=" · ".join(p for p in help_parts if p),
                                            widget=_widget(f), initial=initial_text(f, values.get(f.code)))
            self.fields[f"note__{f.code}"] = forms.CharField(
                required=False, max_length=500, label=_("Explanation"), initial=notes.get(f.code, ""),
                widget=forms.TextInput(attrs={"class": "note", "placeholder": _("explain a warning here")}))

    def sections(self) -> list[dict[str, Any]]:
        """Bound fields grouped by section, each with its explanation input and current issues."""
        issues: dict[str, list[dict[str, Any]]] = {}
        for issue in (self.instance.issues if self.instance is not None else []):
            issues.setdefault(issue["field"], []).append(issue)
        return [{"title": s.title,
                 "rows": [{"field": self[code], "note": self[f"note__{code}"], "issues": issues.get(code, [])}
                          for code in s.fields]}
                for s in self.spec.sections]

    def values(self) -> dict[str, Any]:
        return {f.code: self.cleaned_data.get(f.code) for f in self.spec.fields}

    def explanations(self) -> dict[str, str]:
        return {f.code: self.cleaned_data.get(f"note__{f.code}", "") for f in self.spec.fields
                if self.cleaned_data.get(f"note__{f.code}")}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadForm(forms.Form):
    """Form and period of an upload; the files are read with ``request.FILES.getlist("uploads")``."""

    form = forms.ChoiceField(label=_("Form"))
    period = forms.CharField(label=_("Period"), max_length=10)
    uploads = forms.FileField(label=_("Files (xlsx, csv or zip)"), required=False,
                            widget=MultipleFileInput(attrs={"accept": ".xlsx,.csv,.zip,.txt"}))

    def __init__(self, *args: Any, form_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["form"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = form_choices


class CommentForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("submit", "approve", "return", "reopen")])
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
