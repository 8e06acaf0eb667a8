"""The exporters registry (R-CUST-6): which resources can be exported, and how their rows are
built. Apps register from ``AppConfig.ready()`` (e.g. ``leads/exports.py``); the registry
imports no models, so the export models and services can both read it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

Params = dict[str, list[str]]
# build(user, params) -> (header, rows, total): rows lazily, masked for ``user``.
Build = Callable[[object, Params], tuple[Sequence[str], Iterable[Sequence], int]]


@dataclass(frozen=True)
class Exporter:
    code: str
    label: str
    build: Build


_EXPORTERS: dict[str, Exporter] = {}


def register_exporter(code: str, label: str, build: Build) -> None:
    """Make ``code`` exportable. ``build(user, params)`` returns ``(header, rows, total)``:
    the rows ``user`` may see, filtered by ``params`` (raise DomainError for bad ones, see
    :func:`filter_rows`) and masked per row, as a lazy iterable; ``total`` is their count."""
    _EXPORTERS[code] = Exporter(code=code, label=label, build=build)


def find_exporter(code: str) -> Exporter | None:
    return _EXPORTERS.get(code)


def exporters() -> list[Exporter]:
    return sorted(_EXPORTERS.values(), key=lambda e: e.code)


def exporter_label(code: str) -> str:
    exporter = _EXPORTERS.get(code)
    return str(exporter.label) if exporter else code
