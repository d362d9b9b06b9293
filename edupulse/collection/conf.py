"""Upload limits of the collection app: the ``EDUPULSE_COLLECT_*`` variables.

They are declared (default, minimum, meaning) in ``edupulse.utilities.config`` with every other variable;
see docs/architecture.md#settings. A Django setting of the same name overrides the environment, which is
how tests change them (``settings.EDUPULSE_COLLECT_MAX_FILE_MB = 1``).
"""

from __future__ import annotations

from django.conf import settings

from edupulse.utilities.config import current

LIMITS = (
    "EDUPULSE_COLLECT_MAX_FILE_MB",
    "EDUPULSE_COLLECT_MAX_UNZIPPED_MB",
    "EDUPULSE_COLLECT_MAX_RATIO",
    "EDUPULSE_COLLECT_MAX_FILES",
    "EDUPULSE_COLLECT_MAX_CSV_ROWS",
)


def limit(name: str) -> int:
    """The limit ``name`` (one of :data:`LIMITS`): Django setting first, then the environment."""
    if name not in LIMITS:
        raise KeyError(name)
    value = getattr(settings, name, None)
    return int(value) if value is not None else int(current().value(name))


def max_file_bytes() -> int:
    return limit("EDUPULSE_COLLECT_MAX_FILE_MB") * 1024 * 1024


def max_unzipped_bytes() -> int:
    return limit("EDUPULSE_COLLECT_MAX_UNZIPPED_MB") * 1024 * 1024
