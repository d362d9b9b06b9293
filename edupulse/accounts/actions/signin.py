"""Sign-in throttling: failed sign-ins per username and address (bookkeeping, not audited)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from edupulse.accounts.models import LoginFailure


def is_locked_out(username: str, address: str) -> bool:
    """True when the username or the address has too many recent failures."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(created_at__gte=since)
    limit = settings.LOGIN_FAILURE_LIMIT
    by_user = recent.filter(username=username.lower()).count() if username else 0
    by_address = recent.filter(address=address).count() if address else 0
    return by_user >= limit or by_address >= limit * 4


def note_login_failure(username: str, address: str) -> None:
    # Bookkeeping, not a change of state anyone acts on: not audited row by row.
    LoginFailure.objects.create(username=username.lower()[:150], address=address[:128])


def clear_login_failures(username: str, address: str) -> None:
    LoginFailure.objects.filter(Q(username=username.lower()) | Q(address=address)).delete()
