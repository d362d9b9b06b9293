"""The production web server, for real: ``edupulse serve`` (collectstatic, then gunicorn with gthread workers and
WhiteNoise) in a process of its own, and Django's deployment checks with production settings.

Every process gets an environment of its own: the inherited ``EDUPULSE_*`` and ``DATABASE_URL`` are dropped (the
suite may run on PostgreSQL), the data directory is temporary (a migrated SQLite database, the collected static
files, gunicorn's control socket).
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from http.client import HTTPResponse
from pathlib import Path
from typing import Any

import pytest

from edupulse.core.management.commands.serve import collect_static_if_changed
from edupulse.core.tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[3]
# collectstatic compresses every static file (gzip and brotli) before gunicorn starts: tens of seconds on two cores.
START_SECONDS = 240
SIGN_IN_TEXT = "登录"
HASHED_CSS = re.compile(r'href="(/static/edupulse/app\.[0-9a-f]{12}\.css)"')


def production_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The process environment with production settings of our own and nothing inherited from EduPulse's."""
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests that ran before in this process (Playwright's event loop):
    # a deployment never has it, and the deploy checks rightly refuse it.
    inherited_not_wanted = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("EDUPULSE_") and name not in inherited_not_wanted}
    env.update({
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "EDUPULSE_VAR_DIR": str(var_dir),
        "EDUPULSE_PRODUCTION": "1",
        "EDUPULSE_SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
    })
    env.update(extra)
    return env


def edupulse(*args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "edupulse", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_the_deployment_checks_pass_with_production_settings(tmp_path: Path) -> None:
    env = production_env(tmp_path, EDUPULSE_SECURE_COOKIES="1", EDUPULSE_SSL_REDIRECT="1",
                         EDUPULSE_ALLOWED_HOSTS="edu.example.cn")
    checked = edupulse("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert checked.returncode == 0, checked.stderr
    assert "System check identified no issues (0 silenced)." in checked.stdout
    assert "WARNINGS" not in checked.stderr


def test_the_gunicorn_configuration_comes_from_the_environment(tmp_path: Path) -> None:
    """The settings ``edupulse serve`` hands to gunicorn (``--print-config``: gunicorn's own reading of them)."""
    env = production_env(tmp_path, EDUPULSE_BIND="127.0.0.1:8123", EDUPULSE_WEB_WORKERS="3",
                         EDUPULSE_WEB_THREADS="6", EDUPULSE_WEB_TIMEOUT="45", EDUPULSE_LOG_LEVEL="WARNING")
    printed = subprocess.run([sys.executable, "-m", "gunicorn", "--config", "python:edupulse.gunicorn_conf",
                              "--print-config"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert printed.returncode == 0, printed.stderr
    config = dict(re.findall(r"^(\w+) += (.*)$", printed.stdout, re.MULTILINE))
    assert {name: config[name] for name in ("bind", "workers", "threads", "worker_class", "timeout", "accesslog",
                                            "loglevel", "wsgi_app", "control_socket")} == {
        "bind": "['127.0.0.1:8123']", "workers": "3", "threads": "6", "worker_class": "gthread", "timeout": "45",
        "accesslog": "-", "loglevel": "warning", "wsgi_app": "edupulse.wsgi:application",
        "control_socket": str(tmp_path / "gunicorn.ctl"),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def fetch(url: str, **headers: str) -> HTTPResponse:
    """GET ``url`` with ``headers``."""
    response: HTTPResponse = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30)
    return response


@pytest.mark.slow
def test_edupulse_serve_answers_with_the_sign_in_page_and_cached_compressed_static_files(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    port = free_port()
    # EDUPULSE_BIND names a port nothing listens on: `--bind` must win. One process with two threads is enough.
    env = production_env(var_dir, EDUPULSE_ALLOWED_HOSTS="127.0.0.1", EDUPULSE_BIND="127.0.0.1:1",
                         EDUPULSE_WEB_WORKERS="1", EDUPULSE_WEB_THREADS="2")
    migrated = edupulse("migrate", "--verbosity", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr

    base = f"http://127.0.0.1:{port}"
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        # A session of its own: the gunicorn master and its worker can be stopped together if the master hangs.
        server = subprocess.Popen([sys.executable, "-m", "edupulse", "serve", "--bind", f"127.0.0.1:{port}"],
                                  env=env, cwd=ROOT, stdout=stdout, stderr=stderr, start_new_session=True)
    try:
        def sign_in_page() -> str | None:
            if server.poll() is not None:
                raise AssertionError(f"edupulse serve exited with {server.returncode}:\n{err.read_text()}")
            try:
                with fetch(f"{base}/login/") as response:
                    assert response.status == 200
                    return response.read().decode()
            except (ConnectionError, urllib.error.URLError):
                return None

        page = wait_until(sign_in_page, deadline=time.monotonic() + START_SECONDS,
                          waiting_for=f"edupulse serve to answer on {base}")
        assert SIGN_IN_TEXT in page
        # The manifest storage names the file by its content: the name is only known from the page.
        stylesheet = HASHED_CSS.search(page)
        assert stylesheet, f"no hashed app.css in the sign-in page:\n{page}"
        css_url = base + stylesheet.group(1)

        with fetch(css_url) as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/css")
            # A hashed name never changes content: browsers and proxies may keep it for ever.
            assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
            assert response.headers.get("Content-Encoding") is None
            assert "Access-Control-Allow-Origin" not in response.headers
            plain = response.read()
        assert b"{" in plain
        with fetch(css_url, **{"Accept-Encoding": "br"}) as response:
            assert response.headers["Content-Encoding"] == "br"
            assert response.headers["Vary"] == "Accept-Encoding"
            assert 0 < len(response.read()) < len(plain)
        with fetch(css_url, **{"Accept-Encoding": "gzip"}) as response:
            assert response.headers["Content-Encoding"] == "gzip"

        # The access log is on standard output (written by the server's worker, hence the wait).
        wait_until(lambda: f'"GET {stylesheet.group(1)} HTTP/1.1" 200' in out.read_text(),
                   deadline=time.monotonic() + 30, waiting_for="the access log line of the stylesheet")
        log = err.read_text()
        assert "Using worker: gthread" in log
        assert log.count("Booting worker with pid") == 1, log
    finally:
        server.terminate()  # gunicorn's graceful stop (SIGTERM to the master, which stops its worker)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    assert server.returncode == 0, err.read_text()


def test_serve_collects_the_static_files_again_only_when_they_changed(tmp_path: Path, settings: Any) -> None:
    source = tmp_path / "static-src"
    source.mkdir()
    (source / "extra.css").write_text("a{}")
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "collected"
    assert collect_static_if_changed() is True
    assert (tmp_path / "collected" / "extra.css").read_text() == "a{}"
    assert collect_static_if_changed() is False  # a restart of the same release pays nothing
    (source / "extra.css").write_text("a{color:red}")
    later = time.time() + 5  # collectstatic compares whole seconds: a release is not seconds after the last one
    os.utime(source / "extra.css", (later, later))
    assert collect_static_if_changed() is True
    assert (tmp_path / "collected" / "extra.css").read_text() == "a{color:red}"
