"""Benchmark of the dashboard under load (issue 10): the page and its data endpoint on the production server.

The production server (``edupulse serve``: gunicorn gthread workers, WhiteNoise, ``EDUPULSE_PRODUCTION=1``) serves
a demo province; signed-in users are simulated the way a load tester such as locust does it: N users (default
50), each requesting a page, then thinking 1–3 s (uniform), for D seconds. Latencies are measured from request to
last byte; medians and the 95th percentile per URL are printed, with the sign-in page (no database work but the
session) as the baseline measured in the same run. A closed-loop stress figure from wrk (50 connections, no think
time) shows the throughput ceiling on this machine, if ``wrk`` is installed.

Set-up: ``--var-dir`` reuses a data directory made by ``bench/bench_indicators.py`` (25,000 schools at scale 1.0);
without it one is built at ``--scale``. The indicator values are refreshed before the run.

Run: ``.venv/bin/python bench/bench_dashboard.py [--var-dir DIR] [--users 50] [--seconds 60]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_indicators import setup  # noqa: E402  (a sibling script)

URLS = {
    "dashboard page (province)": "/dashboard/51/?indicator=internet_rate",
    "data endpoint (province)": "/dashboard/51/data.json?indicator=internet_rate",
    "dashboard page (prefecture)": "/dashboard/5101/?indicator=site_ipv6_rate",
    "data endpoint (prefecture)": "/dashboard/5101/data.json?indicator=site_ipv6_rate",
    "baseline: sign-in page": "/login/",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def edupulse(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "edupulse.cli", *args], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return done.stdout


def session_cookie(env: dict[str, str], username: str) -> str:
    """A signed-in session of ``username`` made in the database the server uses (no password round trip)."""
    code = (f"from django.contrib.auth import get_user_model, HASH_SESSION_KEY, SESSION_KEY, BACKEND_SESSION_KEY\n"
            f"from django.contrib.sessions.backends.db import SessionStore\n"
            f"u = get_user_model().objects.get(username={username!r})\n"
            f"s = SessionStore(); s[SESSION_KEY] = str(u.pk); s[HASH_SESSION_KEY] = u.get_session_auth_hash()\n"
            f"s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'; s.create(); print(s.session_key)")
    return edupulse(["shell", "-c", code], env).strip().splitlines()[-1]


def fetch(base: str, path: str, cookie: str) -> float:
    request = urllib.request.Request(base + path, headers={"Cookie": f"sessionid={cookie}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status}")
    return time.perf_counter() - started


def users_run(base: str, cookie: str, users: int, seconds: float) -> dict[str, list[float]]:
    """``users`` threads, each: a random URL, then 1–3 s of thinking, until ``seconds`` have passed."""
    latencies: dict[str, list[float]] = {name: [] for name in URLS}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def user(seed: int) -> None:
        rng = random.Random(seed)
        time.sleep(rng.uniform(0, 3))  # users arrive spread out, not all in the same millisecond
        while time.monotonic() < stop:
            name = rng.choice(list(URLS))
            took = fetch(base, URLS[name], cookie)
            with lock:
                latencies[name].append(took)
            time.sleep(rng.uniform(1, 3))

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def edupulse_config(env: dict[str, str]) -> str:
    """The web server's processes and threads, as the server itself reads them (utilities/config.py)."""
    code = ("from edupulse.utilities.config import current; c = current(); "
            "print(f'{c.web_workers} processes × {c.web_threads} threads')")
    return edupulse(["shell", "-c", code], env).strip().splitlines()[-1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def wrk(base: str, path: str, cookie: str) -> str:
    if shutil.which("wrk") is None:
        return "wrk not installed"
    out = subprocess.run(["wrk", "-t2", "-c50", "-d15s", "--latency", "-H", f"Cookie: sessionid={cookie}", base + path],
                         capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in out.splitlines() if line.strip().startswith(("Requests/sec", "50%", "90%", "99%"))]
    return "; ".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var-dir", type=Path)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    var_dir = args.var_dir or Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    if args.var_dir is None:
        setup(var_dir, args.scale)
    env = {**os.environ, "EDUPULSE_VAR_DIR": str(var_dir), "EDUPULSE_PRODUCTION": "1",
           "EDUPULSE_SECRET_KEY": secrets.token_urlsafe(48), "EDUPULSE_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    edupulse(["migrate", "--verbosity", "0"], env)
    edupulse(["indicators", "refresh"], env)
    cookie = session_cookie(env, "demo51-province")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "edupulse.cli", "serve", "--bind", f"127.0.0.1:{port}"], env=env,
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600  # the first start collects and compresses the static files
        while True:
            try:
                fetch(base, "/login/", cookie)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit("the server did not start")
                time.sleep(0.5)
        for path in URLS.values():  # warm every worker's caches once
            fetch(base, path, cookie)
        latencies = users_run(base, cookie, args.users, args.seconds)
        print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"load average before: {os.getloadavg()[0]:.1f}")
        print(f"{args.users} users, 1–3 s think time, {args.seconds:.0f} s, production server (gunicorn gthread, "
              f"workers and threads as configured: {edupulse_config(env)})")
        for name, values in latencies.items():
            print(f"  {name:<30} n={len(values):>4}  median {1000 * statistics.median(values):6.1f} ms  "
                  f"p95 {1000 * percentile(values, 0.95):6.1f} ms  max {1000 * max(values):6.1f} ms")
        print("wrk stress, 50 connections, no think time:")
        for name in ("data endpoint (province)", "dashboard page (province)"):
            print(f"  {name}: {wrk(base, URLS[name], cookie)}")
        print(json.dumps({name: round(1000 * percentile(v, 0.95), 1) for name, v in latencies.items()}))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
