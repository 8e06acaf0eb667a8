"""Choosing in a search-as-you-type picker (issue 9): the <select> is hidden behind Tom Select;
a person types part of the name and clicks a suggestion, as a user does."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def pick(page: Page, select: str, typed: str, label: str | None = None) -> None:
    """Type ``typed`` into the picker of the ``select`` (a CSS selector of the original
    <select>) and click the suggestion reading ``label`` (default: ``typed``)."""
    wrapper = page.locator(f"{select} + .ts-wrapper")
    wrapper.locator(".ts-control").click()
    wrapper.locator(".ts-control input").fill(typed)
    option = wrapper.locator(".ts-dropdown .option", has_text=label or typed).first
    expect(option).to_be_visible()
    option.click()
