"""Limits of the collection app, read from the environment with the strict parsers of utilities.env.

They are read here (not in settings.py) so the app stays self-contained; a Django setting of the same
name overrides the environment, which is how tests change them.

| variable | default | meaning |
| --- | --- | --- |
| EDUPULSE_COLLECT_MAX_FILE_MB | 20 | largest upload (one file, or a whole zip) in MB |
| EDUPULSE_COLLECT_MAX_UNZIPPED_MB | 200 | largest total uncompressed size of a zip or an xlsx |
| EDUPULSE_COLLECT_MAX_RATIO | 200 | largest compression ratio of any member (zip bombs) |
| EDUPULSE_COLLECT_MAX_FILES | 30000 | most files in one zip |
| EDUPULSE_COLLECT_MAX_CSV_ROWS | 50000 | most data rows in one CSV |
"""

from __future__ import annotations

from django.conf import settings

from edupulse.utilities.env import env_int

_DEFAULTS = {
    "EDUPULSE_COLLECT_MAX_FILE_MB": (20, 1),
    "EDUPULSE_COLLECT_MAX_UNZIPPED_MB": (200, 1),
    "EDUPULSE_COLLECT_MAX_RATIO": (200, 2),
    "EDUPULSE_COLLECT_MAX_FILES": (30000, 1),
    "EDUPULSE_COLLECT_MAX_CSV_ROWS": (50000, 1),
}
_FROM_ENV = {name: env_int(name, default, minimum=minimum) for name, (default, minimum) in _DEFAULTS.items()}


def limit(name: str) -> int:
    """The limit ``name`` (a key of ``_DEFAULTS``): Django setting first, then the environment."""
    value = getattr(settings, name, None)
    return int(value) if value is not None else _FROM_ENV[name]


def max_file_bytes() -> int:
    return limit("EDUPULSE_COLLECT_MAX_FILE_MB") * 1024 * 1024


def max_unzipped_bytes() -> int:
    return limit("EDUPULSE_COLLECT_MAX_UNZIPPED_MB") * 1024 * 1024
