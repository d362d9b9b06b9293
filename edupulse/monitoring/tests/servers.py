"""Real local test sites for the probe engine: HTTP/HTTPS on 127.0.0.1 and ::1, a test CA, a DNS server.

Everything runs in one background thread with its own event loop, started once per test session by the
``local_sites`` fixture (import it into a conftest or a test module: ``from
edupulse.monitoring.tests.servers import local_sites``). What it offers:

* a test CA made with ``cryptography`` and leaf certificates per site: valid, expired, wrong host,
  self-signed, expiring in 10 days (``LocalSites.ca_file`` is the CA bundle to trust);
* one plain-HTTP port and one HTTPS port, each bound on BOTH 127.0.0.1 and ::1 with the same number
  (so IPv4 and IPv6 reachability are on the same port, as internet.nl checks), plus a "legacy" HTTPS port
  that also accepts TLS 1.0/1.1; sites are virtual hosts chosen by the Host header / SNI;
* a dnspython UDP DNS server on 127.0.0.1 answering A/AAAA for the site names, so a name can be
  dual-stack, IPv4-only or IPv6-only (``LocalSites.dns``);
* ``LocalSites.config()`` — a ``ProbeConfig`` that allows loopback, uses the DNS server, trusts the CA and
  knows the ports.

Site names are ``<name>.edu.test``; ``SITES`` below says what each one does. Tests may switch the
tampering site's content with ``LocalSites.set_state``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import random
import socket
import ssl
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from edupulse.monitoring.probes import ProbeConfig

V4 = "127.0.0.1"
V6 = "::1"
DOMAIN = "edu.test"

GOOD_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'self'; frame-ancestors 'none'",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-site",
}


def ipv6_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind((V6, 0))
    except OSError:
        return False
    return True


# --- certificates ------------------------------------------------------------------------------------------------
@dataclass
class LocalCA:
    """A throw-away CA and the leaf certificates the sites present (EC P-256: fast handshakes)."""

    directory: Path
    key: ec.EllipticCurvePrivateKey = field(init=False)
    cert: x509.Certificate = field(init=False)

    def __post_init__(self) -> None:
        now = dt.datetime.now(dt.UTC)
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "EduPulse Test CA")])
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=30))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                    encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        self.ca_file = self.directory / "ca.pem"
        self.ca_file.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    def leaf(
        self,
        label: str,
        names: list[str],
        *,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        self_signed: bool = False,
    ) -> tuple[Path, Path]:
        """Write ``label.pem`` / ``label.key`` for ``names`` (DNS names and IP addresses) and return the paths."""
        now = dt.datetime.now(dt.UTC)
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
        sans: list[x509.GeneralName] = []
        for item in names:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(item)))
            except ValueError:
                sans.append(x509.DNSName(item))
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject if self_signed else self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - dt.timedelta(days=1))
            .not_valid_after(not_after or now + dt.timedelta(days=365))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        )
        if not self_signed:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False
            )
        cert = builder.sign(key if self_signed else self.key, hashes.SHA256())
        cert_path, key_path = self.directory / f"{label}.pem", self.directory / f"{label}.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return cert_path, key_path


# --- DNS ---------------------------------------------------------------------------------------------------------
class DnsServer(asyncio.DatagramProtocol):
    """A tiny authoritative server: A/AAAA from ``records``, NXDOMAIN for unknown names."""

    def __init__(self, records: dict[str, dict[str, list[str]]]) -> None:
        self.records = records
        self.transport: asyncio.DatagramTransport | None = None
        self.queries = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.queries += 1
        try:
            query = dns.message.from_wire(data)
        except Exception:
            return
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        name = question.name.to_text().rstrip(".").lower()
        entry = self.records.get(name)
        if entry is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
        else:
            kind = dns.rdatatype.to_text(question.rdtype)
            addresses = entry.get(kind, [])
            if addresses:
                response.answer.append(
                    dns.rrset.from_text_list(question.name, 60, dns.rdataclass.IN, question.rdtype, addresses)
                )
        assert self.transport is not None
        self.transport.sendto(response.to_wire(), addr)


# --- sites ----------------------------------------------------------------------------------------------------
def _page(title: str, body: str, head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{title}</title>{head}</head>"
        f"<body style=\"background:#ffffff;color:#333333\">{body}</body></html>"
    )


HOME_BODY = (
    "<h1>某某市第一中学</h1>"
    "<ul class=\"nav\"><li><a href=\"/news/1.html\">学校新闻</a></li><li><a href=\"/news/2.html\">通知公告</a></li>"
    "<li><a href=\"/about.html\">学校概况</a></li></ul>"
    "<div class=\"dropdown\" style=\"display:none\"><a href=\"/menu.html\">下拉菜单</a></div>"
    "<p>欢迎访问我校网站。学校始建于1952年，现有教学班48个。</p>"
    "<p>友情链接：<a href=\"http://www.moe.gov.cn/\">教育部</a></p>"
)
SUBPAGE_BODY = "<h2>学校新闻</h2><p>内容</p><a href=\"/\">首页</a><a href=\"/news/3.html\">更多</a>"

DARK_BODY = (
    HOME_BODY
    + "<div style=\"display:none\"><a href=\"http://casino-dark.example/\">澳门新葡京</a></div>"
    + "<div style=\"visibility:hidden\"><a href=\"http://hidden-vis.example/\">visible? no</a></div>"
    + "<div style=\"position:absolute;left:-9999px;top:-9999px\"><a href=\"http://offscreen.example/\">在线"
      "真人视讯</a></div>"
    + "<span style=\"font-size:0\"><a href=\"http://tiny.example/\">tiny</a></span>"
    + "<p><a style=\"color:#fff\" href=\"http://samecolour.example/\">same colour</a></p>"
    + "<div style=\"background:#000000\"><a href=\"http://fontcolour.example/\"><font color=\"black\">黑字</font></a></div>"
    + "<script>document.write('<a href=\"http://scripted.example/\">彩票开户</a>');</script>"
    + "<p>最新：博\u200b彩\u200b平台</p>"
    + "<a href=\"http://zw.example/\">友\u200b链</a>"
)
TAMPERED_BODY = (
    "<h1>Hacked by someone</h1><p>澳门新葡京 在线真人视讯 欢迎光临</p>"
    "<a href=\"http://casino-dark.example/\">进入</a><script src=\"http://evil.example/x.js\"></script>"
)


@dataclass(frozen=True)
class Site:
    """A virtual host: which families it resolves to, which certificate, how it answers."""

    name: str
    v4: bool = True
    v6: bool = True
    cert: str = "valid"  # valid | expired | wronghost | selfsigned | expiring | none (TLS refused)
    redirect_https: bool = True  # the plain-HTTP side answers 301 to HTTPS
    headers: dict[str, str] = field(default_factory=dict)
    body: str = HOME_BODY
    legacy_tls: bool = False

    @property
    def host(self) -> str:
        return f"{self.name}.{DOMAIN}"


SITES: dict[str, Site] = {
    site.name: site
    for site in (
        Site("good", headers=GOOD_HEADERS),
        Site("plain", v6=False, cert="none", redirect_https=False),
        Site("v4only", v6=False, headers=GOOD_HEADERS),
        Site("v6only", v4=False, headers=GOOD_HEADERS),
        Site("brokenv6", headers=GOOD_HEADERS),
        Site("diffv6", headers=GOOD_HEADERS),
        Site("halfv6links", headers=GOOD_HEADERS),
        # News pages answer 404 over IPv6 only; /gone.html is dead over both families.
        Site("v6links404", headers=GOOD_HEADERS, body=HOME_BODY + "<a href=\"/gone.html\">旧页面</a>"),
        Site("expired", cert="expired"),
        Site("wronghost", cert="wronghost"),
        Site("selfsigned", cert="selfsigned"),
        Site("expiring", cert="expiring", headers=GOOD_HEADERS),
        Site("legacy", legacy_tls=True, headers=GOOD_HEADERS),
        Site("nohsts", headers={k: v for k, v in GOOD_HEADERS.items() if k != "Strict-Transport-Security"}),
        Site("shorthsts", headers={**GOOD_HEADERS, "Strict-Transport-Security": "max-age=86400"}),
        Site("noredirect", redirect_https=False),
        Site("dark", body=DARK_BODY),
        Site("cloaked"),
        Site("hijack"),
        Site("tamper"),
        Site("flaky"),
        Site("rotating"),
        Site("sensitive", body=HOME_BODY + "<p>本站提供代开发票服务，联系QQ</p>"),
        Site("gbk"),
        Site("big"),
        Site("cookies", headers={"Set-Cookie": "sessionid=abc; Path=/"}),
        Site("unsafecsp", headers={**GOOD_HEADERS,
                                   "Content-Security-Policy": "default-src 'self' 'unsafe-inline' 'unsafe-eval'"}),
        Site("cors", headers={"Access-Control-Allow-Origin": "*"}),
        Site("corsuniversal"),
        Site("sri", body=HOME_BODY + "<script src=\"http://cdn.other.example/jquery.js\"></script>"),
        Site("metacsp", body=HOME_BODY,
             headers={"X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options": "nosniff"}),
        Site("redirectprivate"),
        Site("redirectv6literal", redirect_https=False, cert="none"),  # 302 to http://[::1]:port/
        Site("spiderredirect", headers=GOOD_HEADERS),  # Baiduspider is sent to a site that does not resolve
        Site("searchhijack", headers=GOOD_HEADERS),  # phone visitors from Baidu are sent to a gambling site
        Site("error500"),
        Site("slow"),
    )
}
# Names that resolve to addresses the prober must refuse.
PRIVATE_NAMES = {"private.edu.test": {"A": ["10.1.2.3"]}, "metadata.edu.test": {"A": ["169.254.169.254"]}}


class _State:
    def __init__(self) -> None:
        self.tampered = False
        self.flaky_hits = 0
        self.rotation = 0


def _family_of(request: web.Request) -> int:
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    return 6 if sockname and ":" in str(sockname[0]) else 4


def _make_app(sites: LocalSites, *, tls: bool) -> web.Application:
    state = sites.state

    async def handler(request: web.Request) -> web.StreamResponse:
        host = (request.host or "").split(":")[0].strip("[]").lower()
        name = host.removesuffix("." + DOMAIN)
        site = SITES.get(name)
        if site is None and request.path == "/landing":  # where "redirectv6literal" sends the browser
            return web.Response(text=_page("landing", "<p>IPv6 literal</p>"), content_type="text/html")
        if site is None:
            return web.Response(status=404, text="unknown site")
        family = _family_of(request)
        if name == "brokenv6" and family == 6:
            assert request.transport is not None
            request.transport.abort()  # the IPv6 side is broken: connection dropped
            raise web.HTTPBadRequest()
        if name == "halfv6links" and family == 6 and request.path.startswith("/news/"):
            assert request.transport is not None
            request.transport.abort()
            raise web.HTTPBadRequest()
        if name == "v6links404" and (request.path == "/gone.html" or (family == 6 and request.path.startswith("/news/"))):
            raise web.HTTPNotFound()
        if not tls and site.redirect_https and site.cert != "none":
            port = sites.legacy_port if site.legacy_tls else sites.https_port
            raise web.HTTPMovedPermanently(f"https://{site.host}:{port}{request.path_qs}")
        headers = dict(site.headers) if tls or site.redirect_https is False else {}
        if not tls:
            headers.pop("Strict-Transport-Security", None)
        if name == "corsuniversal" and request.method == "OPTIONS":
            origin = request.headers.get("Origin", "")
            return web.Response(status=204, headers={"Access-Control-Allow-Origin": origin,
                                                     "Access-Control-Allow-Credentials": "true"})
        if request.method == "OPTIONS":
            return web.Response(status=204, headers=headers)
        if name == "redirectprivate":
            raise web.HTTPFound("http://169.254.169.254/latest/meta-data/")
        if name == "redirectv6literal" and request.path == "/":
            raise web.HTTPFound(f"http://[::1]:{sites.http_port}/landing")
        if name == "error500":
            return web.Response(status=500, text="boom")
        if name == "slow":
            await asyncio.sleep(2)
        body = site.body
        if request.path != "/" and name not in ("rotating", "tamper", "flaky"):
            body = SUBPAGE_BODY
        if name == "metacsp":
            head = ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'\">"
                    "<meta name=\"referrer\" content=\"same-origin\">")
            return web.Response(text=_page("meta", body, head), content_type="text/html", headers=headers)
        if name == "diffv6" and family == 6:
            body = "<h1>IPv6 maintenance page</h1><p>" + "本站 IPv6 正在维护中。" * 20 + "</p>"
        if (name == "searchhijack" and "baidu.com" in request.headers.get("Referer", "")
                and "Mobile" in request.headers.get("User-Agent", "")):
            raise web.HTTPFound("http://www.xpj-hijack.example/")
        if name == "spiderredirect" and "baiduspider" in request.headers.get("User-Agent", "").lower():
            raise web.HTTPFound("http://www.xpj-spider.example/")
        if name == "cloaked" and "baiduspider" in request.headers.get("User-Agent", "").lower():
            body = HOME_BODY + "<a href=\"http://spider-only.example/\">百家乐 娱乐城</a>"
        if name == "hijack":
            body = HOME_BODY + (
                "<script>var r=document.referrer;if(r.indexOf('baidu')>-1||r.indexOf('sogou')>-1)"
                "{window.location.href='http://casino-dark.example/';}</script>"
            )
        if name == "tamper" and state.tampered:
            body = TAMPERED_BODY
        if name == "flaky":
            state.flaky_hits += 1
            if state.flaky_hits == 1 and state.tampered:
                body = TAMPERED_BODY
        if name == "rotating":
            state.rotation += 1
            body = HOME_BODY + f"<ul><li><a href=\"/news/{state.rotation}.html\">新闻 {state.rotation}</a></li>" \
                f"<li>第{state.rotation}条 今日要闻{random.randint(0, 10**6)}</li></ul>"
        if name == "gbk":
            text = _page("GBK", HOME_BODY + "<p>代考替考</p>").replace("utf-8", "gbk")
            return web.Response(body=text.encode("gbk"), headers={**headers, "Content-Type": "text/html"})
        if name == "big":
            return web.Response(text=_page("big", "<p>" + "大" * 3_000_000 + "</p>"), content_type="text/html")
        return web.Response(text=_page(site.name, body), content_type="text/html", headers=headers)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


# --- the whole thing -------------------------------------------------------------------------------------------
class LocalSites:
    """The running servers; see the module docstring."""

    def __init__(self) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="edupulse-probe-")
        self.directory = Path(self.tmp.name)
        self.state = _State()
        self.has_ipv6 = ipv6_available()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="probe-test-sites", daemon=True)
        self.http_port = self.https_port = self.legacy_port = self.dns_port = 0
        self._runners: list[web.AppRunner] = []
        self.dns: DnsServer | None = None
        self.ca = LocalCA(self.directory)
        self.ca_file = str(self.ca.ca_file)

    # Certificates and TLS contexts --------------------------------------------------------------------------
    def _contexts(self) -> tuple[ssl.SSLContext, ssl.SSLContext]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0/1.1 on purpose (legacy site)
            return self._build_contexts()

    def _build_contexts(self) -> tuple[ssl.SSLContext, ssl.SSLContext]:
        now = dt.datetime.now(dt.UTC)
        contexts: dict[str, ssl.SSLContext] = {}
        legacy_contexts: dict[str, ssl.SSLContext] = {}
        for site in SITES.values():
            if site.cert == "none":
                continue
            names = [site.host, V4, V6]
            kwargs: dict[str, Any] = {}
            if site.cert == "expired":
                kwargs = {"not_before": now - dt.timedelta(days=400), "not_after": now - dt.timedelta(days=5)}
            elif site.cert == "wronghost":
                names = ["www.someone-else.test"]
            elif site.cert == "selfsigned":
                kwargs = {"self_signed": True}
            elif site.cert == "expiring":
                kwargs = {"not_after": now + dt.timedelta(days=10)}
            cert, key = self.ca.leaf(site.name, names, **kwargs)
            for legacy, table in ((False, contexts), (True, legacy_contexts)):
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                if legacy:
                    context.minimum_version = ssl.TLSVersion.TLSv1
                    context.set_ciphers("DEFAULT:@SECLEVEL=0")
                else:
                    context.minimum_version = ssl.TLSVersion.TLSv1_2
                context.load_cert_chain(cert, key)
                table[site.host] = context

        def chooser(table: dict[str, ssl.SSLContext]) -> Callable[..., int | None]:
            def callback(ssl_object: ssl.SSLObject, server_name: str | None, _ctx: ssl.SSLContext) -> int | None:
                name = (server_name or "").lower()
                if name.removesuffix("." + DOMAIN) in SITES and SITES[name.removesuffix("." + DOMAIN)].cert == "none":
                    return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME  # this site has no HTTPS
                if name in table:
                    ssl_object.context = table[name]
                return None

            return callback

        default = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        default.minimum_version = ssl.TLSVersion.TLSv1_2
        cert, key = self.ca.leaf("default", [V4, V6, "localhost"])
        default.load_cert_chain(cert, key)
        default.sni_callback = chooser(contexts)
        legacy = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        legacy.minimum_version = ssl.TLSVersion.TLSv1
        legacy.set_ciphers("DEFAULT:@SECLEVEL=0")
        legacy.load_cert_chain(cert, key)
        legacy.sni_callback = chooser(legacy_contexts)
        return default, legacy

    # Start / stop -------------------------------------------------------------------------------------------
    async def _serve_both(self, app: web.Application, context: ssl.SSLContext | None) -> int:
        """Bind ``app`` on 127.0.0.1 and ::1 with one port number; return it."""
        for _attempt in range(50):
            runner = web.AppRunner(app, access_log=None, handle_signals=False)
            await runner.setup()
            v4 = web.TCPSite(runner, V4, 0, ssl_context=context, backlog=4096)
            await v4.start()
            server = v4._server
            assert server is not None
            port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            if not self.has_ipv6:
                self._runners.append(runner)
                return port
            try:
                v6 = web.TCPSite(runner, V6, port, ssl_context=context, backlog=4096)
                await v6.start()
            except OSError:
                await runner.cleanup()
                continue
            self._runners.append(runner)
            return port
        raise RuntimeError("could not find a port free on both 127.0.0.1 and ::1")

    async def _start(self) -> None:
        tls_default, tls_legacy = self._contexts()
        self.http_port = await self._serve_both(_make_app(self, tls=False), None)
        self.https_port = await self._serve_both(_make_app(self, tls=True), tls_default)
        self.legacy_port = await self._serve_both(_make_app(self, tls=True), tls_legacy)
        records: dict[str, dict[str, list[str]]] = {}
        for site in SITES.values():
            entry: dict[str, list[str]] = {}
            if site.v4:
                entry["A"] = [V4]
            if site.v6 and self.has_ipv6:
                entry["AAAA"] = [V6]
            records[site.host] = entry
        records.update(PRIVATE_NAMES)
        self.records = records
        transport, protocol = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: DnsServer(records), local_addr=(V4, 0)
        )
        self.dns = protocol
        self.dns_port = transport.get_extra_info("sockname")[1]

    def start(self) -> LocalSites:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)
        return self

    def stop(self) -> None:
        async def _stop() -> None:
            for runner in self._runners:
                await runner.cleanup()
            if self.dns and self.dns.transport:
                self.dns.transport.close()

        asyncio.run_coroutine_threadsafe(_stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.tmp.cleanup()

    # For tests ------------------------------------------------------------------------------------------------
    def url(self, name: str, scheme: str = "https", path: str = "/") -> str:
        site = SITES.get(name)
        host = site.host if site else name
        port = self.http_port if scheme == "http" else self.legacy_port if site and site.legacy_tls else self.https_port
        return f"{scheme}://{host}:{port}{path}"

    def config(self, **overrides: Any) -> ProbeConfig:
        values: dict[str, Any] = {
            "allow": (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")),
            "dns_servers": (f"{V4}:{self.dns_port}",),
            "ca_file": self.ca_file,
            "http_port": self.http_port,
            "https_port": self.https_port,
            "timeout_s": 5.0,
        }
        values.update(overrides)
        return ProbeConfig(**values)

    def set_state(self, **values: Any) -> None:
        for key, value in values.items():
            setattr(self.state, key, value)

    def hosts_map(self) -> dict[str, str]:
        """name → first address, for clients that cannot use our DNS server (the Node cross-check)."""
        return {
            name: (entry.get("A") or entry.get("AAAA") or [""])[0]
            for name, entry in self.records.items()
            if entry.get("A") or entry.get("AAAA")
        }


@pytest.fixture(scope="session")
def local_sites() -> Iterator[LocalSites]:
    sites = LocalSites().start()
    try:
        yield sites
    finally:
        sites.stop()
