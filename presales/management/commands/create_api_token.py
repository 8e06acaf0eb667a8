"""``manage.py create_api_token <username> [--name ...] [--expires-days N]``: issue an API
token for a user (a sales tool) and print it once. Replaces DRF's ``drf_create_token``."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from presales.accounts.models import User
from presales.accounts.services import api_token_create
from presales.core.errors import DomainError


class Command(BaseCommand):
    help = "Issue an API token for a user and print it (it cannot be shown again)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Issued by manage.py", help="What the token is for.")
        parser.add_argument(
            "--expires-days", type=int, default=None, help="Days until it expires (default: never)."
        )

    def handle(self, *args, username: str, name: str, expires_days: int | None, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days must be 1 or more.")
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        try:
            token, secret = api_token_create(user=user, name=name, expires_at=expires_at)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"Token {token.name!r} for {username}; shown only now:")
        self.stdout.write(secret)
