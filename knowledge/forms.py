from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from knowledge.choices import ArticleKind
from knowledge.models import Article
from leads.choices import Industry
from presales.web.forms import BootstrapMixin


class ArticleForm(BootstrapMixin, forms.ModelForm):
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separated by commas, e.g. 能耗, MES, 制造"),
        max_length=1000,
    )

    class Meta:
        model = Article
        fields = [
            "kind",
            "title",
            "summary",
            "body",
            "industry",
            "size_class",
            "outcome",
            "product",
            "source",
            "customer_consent",
            "visibility",
            "review_on",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 14}),
            "review_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].help_text = _(
            "For a reusable bid answer: the question (its answer is the body); bids copy it into their defence."
        )
        if self.instance.pk:
            self.initial["tags"] = ", ".join(self.instance.tags.values_list("name", flat=True))

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SearchForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *ArticleKind.choices]
    )
    industry = forms.ChoiceField(
        label=_("Industry"), required=False, choices=[("", _("All industries")), *Industry.choices]
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    page = forms.IntegerField(required=False, min_value=1, max_value=500, widget=forms.HiddenInput)


class NeedsItemsForm(BootstrapMixin, forms.Form):
    """The requirement items of an industry needs template (行業客戶需求分析表, R-KB-1), one a
    line: ``category | requirement``, a leading ``!`` for a rigid need. The rules (a
    requirement on every item, who may edit) are the service's."""

    RIGID = ("!", "！")
    SEPARATORS = ("|", "｜")

    items = forms.CharField(
        label=_("Requirement items"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One requirement a line: category | requirement; start the line with ! for a rigid need, "
            "e.g. ! function | 生产排程与工单下达"
        ),
    )

    @classmethod
    def text_of(cls, items: Iterable[Any]) -> str:
        """The items as the textarea shows them."""
        lines = []
        for item in items:
            line = f"{item.category} | {item.description}" if item.category else item.description
            lines.append(f"! {line}" if item.rigid else line)
        return "\n".join(lines)

    def clean_items(self) -> list[dict[str, Any]]:
        rows = []
        for line in self.cleaned_data["items"].splitlines():
            line = line.strip()
            if not line:
                continue
            rigid = line.startswith(self.RIGID)
            if rigid:
                line = line[1:].strip()
            for separator in self.SEPARATORS:
                line = line.replace(separator, "|")
            category, separator, description = line.partition("|")
            if not separator:
                category, description = "", line
            rows.append({"category": category.strip(), "description": description.strip(), "rigid": rigid})
        return rows


class AttachmentForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("File"))
