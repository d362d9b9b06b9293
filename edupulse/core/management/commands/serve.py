"""``edupulse serve``: the production web server — collect the static files (when they changed), then become
gunicorn.

gunicorn runs with ``gthread`` workers and the configuration of ``edupulse/gunicorn_conf.py`` (listen address,
processes, threads, time-out from ``EDUPULSE_BIND``, ``EDUPULSE_WEB_WORKERS``, ``EDUPULSE_WEB_THREADS``,
``EDUPULSE_WEB_TIMEOUT``; access log on standard output). Static files are served by WhiteNoise from
``STATIC_ROOT``, which is why collectstatic runs first (with ``EDUPULSE_PRODUCTION=1`` it writes hashed and
compressed copies).

The command replaces its own process with gunicorn (``exec``) instead of running gunicorn inside it: the
gunicorn master then has the command's process id (systemd's main process, the target of its signals) and does
not carry the Django set-up of this command into the workers it forks; each worker loads the application itself.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

#: gunicorn's configuration module (``python:`` = a module on the path, not a file name).
GUNICORN_CONFIG = "python:edupulse.gunicorn_conf"


def gunicorn_argv(bind: str | None = None) -> list[str]:
    """The command line that starts gunicorn with EduPulse's configuration (``bind`` overrides ``EDUPULSE_BIND``)."""
    argv = [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG]
    if bind:
        argv += ["--bind", bind]
    return argv


FINGERPRINT_FILE = ".edupulse-collected"


def static_fingerprint() -> str:
    """A digest of every static source file's path, size and modification time (cheap: no file is read)."""
    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    digest.update(str(settings.STORAGES["staticfiles"]["BACKEND"]).encode())
    return digest.hexdigest()


def collect_static_if_changed() -> bool:
    """Run collectstatic unless the sources are unchanged since the last run; True when it ran.

    With the production storage collectstatic hashes and compresses (gzip and Brotli) every file again, tens of
    seconds on two cores: a restart with the same release must not pay that."""
    marker = Path(settings.STATIC_ROOT) / FINGERPRINT_FILE
    fingerprint = static_fingerprint()
    if marker.exists() and marker.read_text() == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    marker.write_text(fingerprint)
    return True


class Command(BaseCommand):
    help = ("Run the production web server: collect the static files, then gunicorn (gthread workers) with "
            "EDUPULSE_BIND, EDUPULSE_WEB_WORKERS, EDUPULSE_WEB_THREADS and EDUPULSE_WEB_TIMEOUT.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", help="address to listen on, host:port or unix:/path (default: EDUPULSE_BIND, "
                                           "127.0.0.1:8000)")
        parser.add_argument("--no-collectstatic", action="store_true",
                            help="serve the static files collected before instead of collecting them first")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_collectstatic"]:
            collect_static_if_changed()
        argv = gunicorn_argv(options["bind"])
        # exec does not return and skips the interpreter's clean-up: write out what is buffered now.
        self.stdout.flush()
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(argv[0], argv)  # noqa: S606 (a fixed command line: this interpreter, gunicorn, our options)
