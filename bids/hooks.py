"""Extension points of the contract's life, filled by the other areas of the bids app and by
the apps above it (the risk register of issue 14 blocks contract approval through
``register_submit_check`` and lists its open risks through ``register_package_section``).

The contract area (bids/contracts/services.py) calls them; it imports none of the areas that
fill them, so payments, the handoff and later the risk register plug in without the contract
code knowing them. Each area registers from ``BidsConfig.ready()`` (or its own app's):

- ``register_on_amount_set(hook)``: ``hook(*, contract, actor) -> None``, run when the contract
  is drawn and after every change of its amount (R-PAY-1: the payment plan is made from the
  payment terms and its percentage instalments follow the amount).
- ``register_submit_check(check)``: ``check(*, contract) -> list[str]``, reasons that refuse
  the contract's submission to its approval chain (R-CON-2, R-PAY-1: the payment plan sums to
  the amount; R-RISK-1 later: no open high risk unaccepted).
- ``register_approve_check(check)``: the same, when the approval chain approves the contract
  (R-RISK-1: a high risk opened while the contract was in review stops its approval); the
  decision is refused and nothing of it is kept.
- ``register_sign_check(check)``: the same, at signing (R-CON-3).
- ``register_on_signed(hook)``: ``hook(*, contract, actor) -> None``, run inside the signing's
  transaction after the contract is saved as signed (R-HAND-1: the handoff package is made).
- ``register_on_accepted(hook)``: ``hook(*, contract, accepted_on, actor) -> None``, run when
  the customer's acceptance passes (R-HAND-3: instalments due on acceptance get their date).
- ``register_package_section(section)``: a section of the handoff package (R-HAND-1), built
  from the contract when the package is made and frozen in it.

Hooks run under the locks the caller took (opportunity, then contract); they take their own
rows' locks after those, and schedule e-mails with ``transaction.on_commit``. A check must not
write. Registering the same function twice keeps one entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Check = Callable[..., list[str]]
Hook = Callable[..., None]

_SUBMIT_CHECKS: list[Check] = []
_SIGN_CHECKS: list[Check] = []
_APPROVE_CHECKS: list[Check] = []
_ON_SIGNED: list[Hook] = []
_ON_AMOUNT_SET: list[Hook] = []
_ON_ACCEPTED: list[Hook] = []


def _add(registry: list, item: Any) -> Any:
    if item not in registry:
        registry.append(item)
    return item


def register_submit_check(check: Check) -> Check:
    return _add(_SUBMIT_CHECKS, check)


def register_sign_check(check: Check) -> Check:
    return _add(_SIGN_CHECKS, check)


def register_approve_check(check: Check) -> Check:
    return _add(_APPROVE_CHECKS, check)


def register_on_signed(hook: Hook) -> Hook:
    return _add(_ON_SIGNED, hook)


def register_on_amount_set(hook: Hook) -> Hook:
    return _add(_ON_AMOUNT_SET, hook)


def register_on_accepted(hook: Hook) -> Hook:
    return _add(_ON_ACCEPTED, hook)


def submit_reasons(*, contract: Any) -> list[str]:
    """Every registered check's reasons to refuse submitting ``contract``."""
    return [reason for check in list(_SUBMIT_CHECKS) for reason in check(contract=contract)]


def sign_reasons(*, contract: Any) -> list[str]:
    return [reason for check in list(_SIGN_CHECKS) for reason in check(contract=contract)]


def approve_reasons(*, contract: Any) -> list[str]:
    return [reason for check in list(_APPROVE_CHECKS) for reason in check(contract=contract)]


def run_on_signed(*, contract: Any, actor: Any) -> None:
    for hook in list(_ON_SIGNED):
        hook(contract=contract, actor=actor)


def run_on_amount_set(*, contract: Any, actor: Any) -> None:
    for hook in list(_ON_AMOUNT_SET):
        hook(contract=contract, actor=actor)


def run_on_accepted(*, contract: Any, accepted_on: Any, actor: Any) -> None:
    for hook in list(_ON_ACCEPTED):
        hook(contract=contract, accepted_on=accepted_on, actor=actor)


@dataclass(frozen=True)
class PackageSection:
    """A part of the handoff package (R-HAND-1). ``build(contract)`` returns JSON-able
    ``{"columns": [label, ...], "rows": [[cell, ...], ...]}`` with cells as text (amounts
    already formatted), frozen into the package when it is made; ``label`` is lazy text."""

    key: str
    label: Any
    order: int
    build: Callable[[Any], dict[str, Any]]


_SECTIONS: dict[str, PackageSection] = {}


def register_package_section(section: PackageSection) -> PackageSection:
    _SECTIONS[section.key] = section
    return section


def package_sections() -> list[PackageSection]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
