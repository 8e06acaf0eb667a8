"""``{% load desk_tags %}``: render one section of the opportunity desk (issue 10)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def render_desk_tab(context: Any, tab: Any) -> SafeString:
    """``{% render_desk_tab tab %}``: the section's template with the page's context plus the
    dict its context function returned (computed once, by ``opportunities.desk.desk_tabs``)."""
    section_template = context.template.engine.get_template(tab.template)
    with context.push(**tab.context):
        return section_template.render(context)
