"""The money filter: ``{% load money %}`` then ``{{ amount|money:currency }}`` (default CNY):
two decimals, grouped by thousands per the language, then the currency code. Every amount
on a page goes through it (presales.core.money.format_money), so amounts read one way."""

from django import template

from presales.core.money import BASE_CURRENCY, format_money

register = template.Library()


@register.filter
def money(amount, currency=BASE_CURRENCY) -> str:
    return format_money(amount, currency)
