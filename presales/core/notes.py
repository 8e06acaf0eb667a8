"""Notes the system writes on a history row (a status or stage change), kept as a code and
its parameters and put into words in the reader's language when shown (issue 8: a note
written in the approver's language was shown as such to everyone).

A domain app registers each of its notes once, by code, with a lazy message that has named
placeholders, or with a function of the parameters for a note built from parts. A service
passes ``system_note(code, **params)`` where it would pass a typed note; the row keeps the
code, the parameters and, for plain database reads, the English text. Notes people type are
kept as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, NamedTuple

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

Message = Promise | Callable[[dict[str, Any]], str]

_NOTES: dict[str, Message] = {}

# The language of the ``note`` column kept beside the code (its msgids are English).
STORED_LANGUAGE = "en"


class SystemNote(NamedTuple):
    """A note the system writes: its registered code and the message's parameters (JSON values)."""

    code: str
    params: dict[str, Any]


def register_note(code: str, message: Message) -> None:
    """Register a system note once per code; a code used twice is a programming error."""
    if code in _NOTES and _NOTES[code] is not message:
        raise ValueError(f"System note {code!r} is registered twice.")
    _NOTES[code] = message


def system_note(code: str, **params: Any) -> SystemNote:
    if code not in _NOTES:
        raise KeyError(f"Unknown system note {code!r}.")
    return SystemNote(code, params)


def render_note(code: str, params: dict[str, Any]) -> str:
    """The note in the active language; an unknown code (a note since retired) gives ""."""
    message = _NOTES.get(code)
    if message is None:
        return ""
    if isinstance(message, Promise | str):
        return str(message) % params if params else str(message)
    return message(params)


def note_fields(note: str | SystemNote | None) -> dict[str, Any]:
    """The history row's ``note``, ``note_code`` and ``note_params`` for a typed or system note."""
    if isinstance(note, SystemNote):
        with translation.override(STORED_LANGUAGE):
            text = render_note(note.code, note.params)
        return {"note": text, "note_code": note.code, "note_params": note.params}
    return {"note": str(note or "").strip(), "note_code": "", "note_params": {}}


def note_text(note: str | SystemNote | None) -> str:
    """A note as text in the active language (for gates and messages that read it)."""
    if isinstance(note, SystemNote):
        return render_note(note.code, note.params)
    return str(note or "").strip()


class SystemNoteFields(models.Model):
    """The code and parameters of a system note on a history row that has a ``note``;
    ``note_text`` is what is shown: the system's note in the reader's language, a person's
    as typed."""

    note_code = models.CharField(_("note code"), max_length=60, blank=True, editable=False)
    note_params = models.JSONField(_("note parameters"), default=dict, blank=True, editable=False)
    # Declared by the concrete history model (its own column, with its own verbose name).
    note: str

    class Meta:
        abstract = True

    @property
    def note_text(self) -> str:
        if self.note_code:
            return render_note(self.note_code, self.note_params or {}) or self.note
        return self.note


class MoveRecord(SystemNoteFields):
    """Abstract base of the rows a status door writes, one per move (a lead's status, an
    initiation's status, an opportunity's stage): by which move, who, when, and why. The
    concrete model declares its subject, its from/to fields (with their choices) and names
    them in ``from_field`` / ``to_field``."""

    from_field: ClassVar[str] = "from_status"
    to_field: ClassVar[str] = "to_status"

    move = models.CharField(_("move"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("actor", "by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-at", "-id"]

    @property
    def from_label(self) -> str:
        return str(getattr(self, f"get_{self.from_field}_display")())

    @property
    def to_label(self) -> str:
        return str(getattr(self, f"get_{self.to_field}_display")())
