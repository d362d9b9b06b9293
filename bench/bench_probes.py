"""Probe engine benchmark (issue 4): HTTP checks/s vs the wrk ceiling, a 25,000-site sweep, TLS checks/s,
memory over a soak.

    .venv/bin/python bench/bench_probes.py                 # everything (about 3 minutes)
    .venv/bin/python bench/bench_probes.py --quick         # smaller numbers, for a smoke run

A server process (aiohttp, one core) serves a realistic school home page (~25 KB, ~70 links, scripts,
styles) for any ``sNNNNN.bench.test`` host on 127.0.0.1 and ::1 (same port), plain HTTP and HTTPS (EC P-256
wildcard certificate from a throw-away CA), and answers DNS for those names (A 127.0.0.1, AAAA ::1). The
prober runs in this process (the other core). ``wrk`` (apt-get install wrk) measures the server's own
ceiling on the same page, so the prober's request rate can be reported as a share of what the server can
deliver on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edupulse.settings")

HTTP_CHECKS = ("availability", "dns", "https_redirect", "hsts", "headers", "tampering", "dark_links",
               "sensitive_words")
SWEEP_CHECKS = ("availability", "dns", "ipv6", "ipv6_content", "ipv6_links", "https_redirect", "hsts", "headers",
                "dark_links", "sensitive_words")
TLS_CHECKS = ("tls_protocols", "tls_certificate")


def home_page() -> str:
    nav = "".join(f"<li><a href=\"/col/{i}/index.html\">栏目{i}</a></li>" for i in range(12))
    news = "".join(
        f"<li><a href=\"/news/2026/{i:04d}.html\">关于做好2026年第{i}期教育教学工作的通知</a><span>2026-11-{i % 28 + 1:02d}"
        f"</span></li>"
        for i in range(40)
    )
    friends = "".join(f"<a href=\"http://www.partner{i}.edu.cn/\">合作单位{i}</a>" for i in range(12))
    return (
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>某某市第一中学</title>"
        "<link rel=\"stylesheet\" href=\"/css/main.css\"><style>.nav li{float:left}.sub{display:none}"
        ".news li span{color:#999}</style><script src=\"/js/jquery.min.js\"></script>"
        "<script>var _hmt=_hmt||[];</script></head><body style=\"background:#fff;color:#333\">"
        f"<div class=\"header\"><h1>某某市第一中学</h1><ul class=\"nav\">{nav}</ul></div>"
        "<div class=\"sub\"><a href=\"/col/1/sub.html\">下拉</a></div>"
        f"<div class=\"news\"><h2>学校新闻</h2><ul>{news}</ul></div>"
        + "<p>" + "学校坚持立德树人根本任务，全面推进素质教育。" * 60 + "</p>"
        + f"<div class=\"links\">友情链接：{friends}</div><div class=\"footer\">版权所有 ICP备00000000号</div>"
        "</body></html>"
    )


def sub_page() -> str:
    """An article page: the site menu (links already on the home page), related articles (new links), text."""
    nav = "".join(f"<li><a href=\"/col/{i}/index.html\">栏目{i}</a></li>" for i in range(12))
    related = "".join(f"<li><a href=\"/news/2025/{i:04d}.html\">往期通知{i}</a></li>" for i in range(8))
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>新闻</title></head><body>"
            f"<ul class=\"nav\">{nav}</ul><h2>新闻</h2><p>" + "内容。" * 1000 + f"</p><ul>{related}</ul>"
            "<a href=\"/\">首页</a></body></html>")


SUB_PAGE = sub_page()
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


# --- server process ---------------------------------------------------------------------------------------------
NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 16384; multi_accept on; }}
http {{
    access_log off;
    server_tokens off;
    keepalive_timeout 5;
    client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy; fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
    types {{ text/html html; }}
    default_type text/html;
    charset utf-8;
    root {dir}/site;
    add_header Content-Security-Policy "default-src 'self'; frame-ancestors 'none'" always;
    add_header X-Content-Type-Options nosniff always;
    add_header X-Frame-Options SAMEORIGIN always;
    add_header Referrer-Policy strict-origin-when-cross-origin always;
    server {{
        listen 127.0.0.1:{http} backlog=8192 reuseport; listen [::1]:{http} backlog=8192;
        {locations}
    }}
    server {{
        listen 127.0.0.1:{https} ssl backlog=8192; listen [::1]:{https} ssl backlog=8192;
        ssl_certificate {cert}; ssl_certificate_key {key};
        add_header Strict-Transport-Security "max-age=31536000" always;
        add_header Content-Security-Policy "default-src 'self'; frame-ancestors 'none'" always;
        add_header X-Content-Type-Options nosniff always;
        add_header X-Frame-Options SAMEORIGIN always;
        add_header Referrer-Policy strict-origin-when-cross-origin always;
        {locations}
    }}
}}
"""
NGINX_LOCATIONS = ("if ($request_method = OPTIONS) { return 204; } "
                   "location = / { try_files /index.html =404; } location / { try_files /sub.html =404; }")


def free_port() -> int:
    """A TCP port free on both 127.0.0.1 and ::1 (checked by binding both)."""
    import socket

    for _attempt in range(100):
        with socket.socket(socket.AF_INET) as v4:
            v4.bind(("127.0.0.1", 0))
            port = v4.getsockname()[1]
            try:
                with socket.socket(socket.AF_INET6) as v6:
                    v6.bind(("::1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port on both 127.0.0.1 and ::1")


def serve() -> None:
    """Run the bench server (HTTP, HTTPS, DNS) until killed; print the ports as JSON on the first line.

    The web server is nginx (Debian's nginx-light, one worker process) when installed: a C server costs a
    fraction of the CPU per request, so on a 2-core machine more of the machine is left to the prober, as it
    would be against real sites. Without nginx (or with ``EDUPULSE_BENCH_SERVER=aiohttp``) an aiohttp server
    serves the same pages and headers. DNS is always answered by this process.
    """
    import socket

    from aiohttp import web

    from edupulse.monitoring.tests.servers import LocalCA
    from edupulse.utilities.config import current

    home = home_page().encode()
    sub = SUB_PAGE.encode()

    async def handler(request: web.Request) -> web.Response:
        if request.method == "OPTIONS":
            return web.Response(status=204, headers=HEADERS)
        body = home if request.path == "/" else sub
        headers = dict(HEADERS)
        if request.secure:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        return web.Response(body=body, content_type="text/html", charset="utf-8", headers=headers)

    class Dns(asyncio.DatagramProtocol):
        """Answers any *.bench.test A/AAAA query (hand-built wire format: the server must not be the limit)."""

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport

        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            end = 12
            while data[end]:
                end += data[end] + 1
            qname = data[12:end].lower()
            qtype = int.from_bytes(data[end + 1 : end + 3], "big")
            question = data[12 : end + 5]
            known = qname.endswith(b"\x05bench\x04test")
            if known and qtype in (1, 28):
                rdata = bytes([127, 0, 0, 1]) if qtype == 1 else bytes(15) + b"\x01"
                answer = b"\xc0\x0c" + qtype.to_bytes(2, "big") + b"\x00\x01\x00\x00\x00\x3c" + len(rdata).to_bytes(
                    2, "big") + rdata
                header = data[:2] + b"\x85\x80\x00\x01\x00\x01\x00\x00\x00\x00"
                self.transport.sendto(header + question + answer, addr)  # type: ignore[attr-defined]
            else:
                rcode = b"\x85\x83" if not known else b"\x85\x80"
                self.transport.sendto(data[:2] + rcode + b"\x00\x01\x00\x00\x00\x00\x00\x00" + question, addr)  # type: ignore[attr-defined]

    async def main() -> None:
        directory = Path(tempfile.mkdtemp(prefix="edupulse-bench-"))
        children: list[subprocess.Popen[bytes]] = []

        def stop(*_args: object) -> None:  # SIGTERM from the benchmark: stop nginx, leave no files behind
            for child in children:
                child.terminate()
                child.wait(5)
            shutil.rmtree(directory, ignore_errors=True)
            os._exit(0)

        signal.signal(signal.SIGTERM, stop)
        ca = LocalCA(directory)
        cert, key = ca.leaf("bench", ["*.bench.test", "127.0.0.1", "::1"])
        ports: dict[str, object] = {}
        nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
        if nginx and current().bench_server == "nginx":
            directory.chmod(0o755)  # nginx's worker runs as an unprivileged user when started by root
            (directory / "site").mkdir()
            (directory / "site" / "index.html").write_bytes(home)
            (directory / "site" / "sub.html").write_bytes(sub)
            ports.update(http=free_port(), https=free_port())
            conf = directory / "nginx.conf"
            conf.write_text(NGINX_CONF.format(dir=directory, cert=cert, key=key, locations=NGINX_LOCATIONS,
                                              http=ports["http"], https=ports["https"]))
            children.append(subprocess.Popen([nginx, "-c", str(conf), "-p", str(directory)]))
            for _attempt in range(100):  # wait until it listens
                try:
                    socket.create_connection(("127.0.0.1", ports["http"]), timeout=0.2).close()
                    break
                except OSError:
                    await asyncio.sleep(0.05)
            ports["server"] = "nginx"
            transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
                Dns, local_addr=("127.0.0.1", 0))
            sock = transport.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
            ports["dns"] = transport.get_extra_info("sockname")[1]
            print(json.dumps({**ports, "ca_file": str(ca.ca_file)}), flush=True)
            await asyncio.Event().wait()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        ports["server"] = "aiohttp"
        for label, ssl_context in (("http", None), ("https", context)):
            runner = web.AppRunner(app, access_log=None, handle_signals=False)
            await runner.setup()
            for _attempt in range(50):
                v4 = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context, backlog=8192)
                await v4.start()
                port = v4._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
                try:
                    await web.TCPSite(runner, "::1", port, ssl_context=ssl_context, backlog=8192).start()
                    break
                except OSError:
                    await v4.stop()
            ports[label] = port
        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(Dns, local_addr=("127.0.0.1", 0))
        sock = transport.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        ports["dns"] = transport.get_extra_info("sockname")[1]
        print(json.dumps({**ports, "ca_file": str(ca.ca_file)}), flush=True)
        await asyncio.Event().wait()

    try:
        import uvloop

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())


# --- measurements -----------------------------------------------------------------------------------------------
def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def wrk_ceiling(port: int, seconds: int) -> dict[str, float] | None:
    if shutil.which("wrk") is None:
        return None
    out = subprocess.run(
        ["wrk", "-t1", "-c64", f"-d{seconds}s", "-H", "Host: s00001.bench.test", f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, check=True,
    ).stdout
    requests = float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")))
    # wrk keeps connections alive; the prober opens a fresh connection per host, so measure that too.
    out_close = subprocess.run(
        ["wrk", "-t1", "-c64", f"-d{seconds}s", "-H", "Connection: close", "-H", "Host: s00001.bench.test",
         f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, check=True,
    ).stdout
    close = float(next(line.split()[1] for line in out_close.splitlines() if line.startswith("Requests/sec")))
    return {"keepalive": requests, "close": close}


SERVER_PID = 0


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the nginx master and worker under the server process)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            found += _tree(int(child))
    return found


def server_cpu() -> float:
    """CPU seconds of the server process and its children (nginx), from /proc."""
    total = 0
    for pid in _tree(SERVER_PID):
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


CPU: dict[str, float] = {}


async def run_probe(urls: list[str], config, checks, baselines=None):  # type: ignore[no-untyped-def]
    from edupulse.monitoring.probes import probe_sites

    server_before, client_before = server_cpu(), time.process_time()
    started = time.perf_counter()
    reports = await probe_sites(urls, config=config, checks=checks, baselines=baselines)
    elapsed = time.perf_counter() - started
    # CPU per site of the prober and of the server: the machine is shared, so wall-clock rates move with
    # the neighbours' load; CPU time does not.
    CPU["client_ms_per_site"] = round((time.process_time() - client_before) / len(urls) * 1000, 2)
    CPU["server_ms_per_site"] = round((server_cpu() - server_before) / len(urls) * 1000, 2)
    statuses: dict[str, int] = {}
    for report in reports:
        for check in report.checks:
            key = f"{check.name}:{check.status}"
            statuses[key] = statuses.get(key, 0) + 1
    return elapsed, statuses


def _probe_shard(args):  # type: ignore[no-untyped-def]
    """One prober process of a parallel run: probe a shard, return the status counts (reports stay here)."""
    from edupulse.monitoring.probes import probe_sites
    from edupulse.monitoring.probes.engine import run_async

    urls, config, checks, baselines = args
    statuses: dict[str, int] = {}
    for report in run_async(probe_sites(urls, config=config, checks=checks, baselines=baselines)):
        for check in report.checks:
            key = f"{check.name}:{check.status}"
            statuses[key] = statuses.get(key, 0) + 1
    return statuses


def run_probe_parallel(urls: list[str], config, checks, processes: int, baselines=None):  # type: ignore[no-untyped-def]
    """The same work split over ``processes`` prober processes (as a sweep runs one worker per core)."""
    import multiprocessing

    shards = [urls[index::processes] for index in range(processes)]
    shard_baselines = [None if baselines is None else {url: baselines[url] for url in shard} for shard in shards]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = server_cpu()
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        counts = pool.map(_probe_shard, [(shard, config, checks, base) for shard, base in
                                         zip(shards, shard_baselines, strict=True)])
    elapsed = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    client = (children.ru_utime - children_before.ru_utime) + (children.ru_stime - children_before.ru_stime)
    CPU["client_ms_per_site"] = round(client / len(urls) * 1000, 2)
    CPU["server_ms_per_site"] = round((server_cpu() - server_before) / len(urls) * 1000, 2)
    statuses: dict[str, int] = {}
    for part in counts:
        for key, count in part.items():
            statuses[key] = statuses.get(key, 0) + count
    return elapsed, statuses


def count_errors(statuses: dict[str, int]) -> int:
    """Checks that errored, plus sites found unavailable: every bench site is up, so either is a broken run."""
    return sum(count for key, count in statuses.items() if key.endswith(":error") or key == "availability:fail")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--http-sites", type=int, default=10_000)
    parser.add_argument("--sweep-sites", type=int, default=25_000)
    parser.add_argument("--tls-sites", type=int, default=3_000)
    parser.add_argument("--soak-rounds", type=int, default=8)
    parser.add_argument("--soak-sites", type=int, default=5_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1, help="availability runs (median reported)")
    parser.add_argument("--processes", type=int, default=1,
                        help="prober processes for the availability and sweep phases (a sweep runs one worker per "
                             "core); 1 = this process")
    parser.add_argument("--sweep-checks", default=",".join(SWEEP_CHECKS),
                        help="checks of the sweep phase (default: %(default)s)")
    parser.add_argument("--only", default="availability,http,sweep,tls,soak",
                        help="comma-separated phases to run (default: all)")
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    if args.quick:
        args.http_sites, args.sweep_sites, args.tls_sites, args.soak_rounds, args.soak_sites = 2000, 3000, 500, 3, 1000

    import django

    django.setup()
    import ipaddress

    from edupulse.monitoring.probes import PageSnapshot, ProbeConfig, build_baseline
    from edupulse.monitoring.probes.engine import run_async

    global SERVER_PID
    server = subprocess.Popen([sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True)
    SERVER_PID = server.pid
    try:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        config = ProbeConfig(
            allow=(ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")),
            dns_servers=(f"127.0.0.1:{info['dns']}",),
            ca_file=info["ca_file"],
            http_port=info["http"],
            https_port=info["https"],
            concurrency=args.concurrency,
            timeout_s=15,
            # Every bench site is on 127.0.0.1/::1 but stands for a server of its own: no per-address cap.
            **({"per_ip_concurrency": 10_000} if "per_ip_concurrency" in ProbeConfig.__dataclass_fields__ else {}),
        )
        print(f"# machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; server pid {server.pid}")
        ceiling = wrk_ceiling(info["http"], 5 if not args.quick else 3)
        print(f"wrk ceiling (same page, 1 thread, 64 connections): {ceiling}")

        import datetime as dt

        snapshot = PageSnapshot("http://x.bench.test/", "http://x.bench.test/", 200, (), home_page(), dt.datetime.now(dt.UTC))
        baseline = build_baseline([snapshot, snapshot, snapshot])
        results: dict[str, object] = {"wrk": ceiling}

        def urls(count: int, scheme: str, offset: int = 0) -> list[str]:
            port = info["http"] if scheme == "http" else info["https"]
            return [f"{scheme}://s{offset + i:06d}.bench.test:{port}/" for i in range(count)]

        def measure(urls_, config_, checks_, baselines_=None):  # type: ignore[no-untyped-def]
            if args.processes > 1:
                return run_probe_parallel(urls_, config_, checks_, args.processes, baselines_)
            return run_async(run_probe(urls_, config_, checks_, baselines_))

        phases = set(args.only.split(","))
        sweep_checks = tuple(args.sweep_checks.split(","))
        config_http = ProbeConfig(**{**config.__dict__, "https_port": 9})  # discard port: HTTPS refused at once

        # 0. Plain HTTP check (availability: full GET with body, status, redirects, latency; DNS).
        if "availability" in phases:
            # --repeat runs (fresh host names each), each followed by wrk on the same server: the median rate
            # and the median of the per-run ratios to the ceiling (the machine is shared; neighbours move both).
            runs = []
            for repeat in range(args.repeat):
                avail_urls = urls(args.http_sites, "http", offset=400_000 + repeat * args.http_sites)
                elapsed, statuses = measure(avail_urls, config_http, ("availability", "dns"))
                ceiling_now = wrk_ceiling(info["http"], 3) if args.repeat > 1 else ceiling
                runs.append({"sites_per_s": round(len(avail_urls) / elapsed), "errors": count_errors(statuses), **CPU,
                             "wrk_close": ceiling_now["close"] if ceiling_now else None,
                             "load_avg": load_average()})
            rates = sorted(run["sites_per_s"] for run in runs)
            ratios = sorted(run["sites_per_s"] / run["wrk_close"] for run in runs if run["wrk_close"])
            results["availability"] = {
                "sites": args.http_sites, "runs": runs, "median_sites_per_s": statistics.median(rates),
                "median_ratio_to_wrk_close": round(statistics.median(ratios), 3) if ratios else None,
                "errors": sum(run["errors"] for run in runs), "processes": args.processes,
            }
            print(f"HTTP availability checks: {results['availability']}")

        # 1. HTTP checks.
        if "http" in phases:
            http_urls = urls(args.http_sites, "http")
            elapsed, statuses = measure(http_urls, config_http, HTTP_CHECKS, dict.fromkeys(http_urls, baseline))
            per_site_requests = 3  # page as browser, as Baiduspider, CORS preflight (+1 refused HTTPS connect)
            rate = len(http_urls) / elapsed
            results["http"] = {
                "sites": len(http_urls), "seconds": round(elapsed, 2), "sites_per_s": round(rate),
                "requests_per_s": round(rate * per_site_requests), "errors": count_errors(statuses), **CPU,
                "load_avg": load_average(), "processes": args.processes,
            }
            print(f"HTTP checks {HTTP_CHECKS}: {results['http']}")

        # 2. 25,000-site sweep (HTTP + IPv6 + headers + dark links).
        if "sweep" in phases:
            sweep_urls = urls(args.sweep_sites, "http", offset=100_000)
            elapsed, statuses = measure(sweep_urls, config_http, sweep_checks)
            results["sweep"] = {
                "sites": len(sweep_urls), "seconds": round(elapsed, 2), "sites_per_s": round(len(sweep_urls) / elapsed),
                "errors": count_errors(statuses), "ipv6_links_pass": statuses.get("ipv6_links:pass", 0), **CPU,
                "load_avg": load_average(), "processes": args.processes,
            }
            print(f"sweep {sweep_checks}: {results['sweep']}")

        # 3. TLS checks.
        if "tls" in phases:
            tls_urls = urls(args.tls_sites, "https", offset=200_000)
            elapsed, statuses = measure(tls_urls, config, TLS_CHECKS)
            results["tls"] = {
                "sites": len(tls_urls), "seconds": round(elapsed, 2), "sites_per_s": round(len(tls_urls) / elapsed),
                "errors": count_errors(statuses), "certificate_pass": statuses.get("tls_certificate:pass", 0), **CPU,
                "load_avg": load_average(), "processes": args.processes,
            }
            print(f"TLS checks {TLS_CHECKS}: {results['tls']}")

        # 4. Soak: the same process, round after round; resident memory after each.
        if "soak" in phases:
            memory = []
            for round_number in range(args.soak_rounds):
                soak_urls = urls(args.soak_sites, "http", offset=300_000 + round_number * args.soak_sites)
                run_async(run_probe(soak_urls, config_http, HTTP_CHECKS, dict.fromkeys(soak_urls, baseline)))
                memory.append(round(rss_mb(), 1))
            results["soak"] = {"rounds": args.soak_rounds, "sites_per_round": args.soak_sites, "rss_mb": memory,
                               "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
            print(f"soak: {results['soak']}")
        print(json.dumps(results))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)


if __name__ == "__main__":
    main()
