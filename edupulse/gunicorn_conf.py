"""gunicorn's configuration for EduPulse: ``edupulse serve`` runs ``gunicorn -c python:edupulse.gunicorn_conf``.

Everything comes from the declared environment variables (``utilities/config.py``: ``EDUPULSE_BIND``,
``EDUPULSE_WEB_WORKERS``, ``EDUPULSE_WEB_THREADS``, ``EDUPULSE_WEB_TIMEOUT``, ``EDUPULSE_LOG_LEVEL``), so a
malformed value stops the server with the same message as any other command; options given to gunicorn on
its command line (``edupulse serve --bind``) override them. Why gunicorn with ``gthread`` workers:
``docs/architecture.md#serving``.
"""

from __future__ import annotations

from edupulse.utilities.config import current

_env = current()

wsgi_app = "edupulse.wsgi:application"
bind = [_env.bind]
# Threads: a page spends most of its time waiting on the database (and on DuckDB or a PDF renderer), which
# releases the GIL, so a few threads per process serve more requests than more processes would for the memory.
worker_class = "gthread"
workers = _env.web_workers
threads = _env.web_threads
# With gthread the timeout watches a process's heartbeat, not a single request: a slow export in one thread does
# not get its process killed, a process that hangs as a whole does.
timeout = _env.web_timeout
graceful_timeout = _env.web_timeout
# Access log on standard output and errors on standard error: systemd's journal (or a container's log) keeps them.
accesslog = "-"
errorlog = "-"
loglevel = _env.log_level.lower()
proc_name = "edupulse"
# gunicorn (25+) opens a control socket for `gunicornc`, by default one per user ($XDG_RUNTIME_DIR or ~/.gunicorn),
# which two servers of one user would share; each installation keeps its own in its data directory.
control_socket = str(_env.var_dir / "gunicorn.ctl")
