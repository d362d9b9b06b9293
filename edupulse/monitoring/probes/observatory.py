"""Security-header scoring: a port of the MDN HTTP Observatory (npm ``@mdn/mdn-http-observatory`` 1.4.8,
algorithm version 4).

The ten tests (CSP, cookies, CORS, redirection, referrer policy, HSTS, SRI, X-Content-Type-Options,
X-Frame-Options, CORP) follow ``src/analyzer/tests/*.js`` of that package: same expectations, same
modifiers (``MODIFIERS``), same order of badness, same score rules (start at 100, add modifiers, bonuses
count only when the score without them is >= 90, floor 0) and the same grade chart. Inputs are our
fetches: the ``https://host/`` and ``http://host/`` redirect chains, the CORS preflight, the page body.

Known differences: the CORS "universal access" rule (-50) is unreachable in the package (see ``cors_test``)
and is kept unreachable here so grades agree; the HSTS preload list is not consulted (the package downloads it at install time);
registrable domains use ``html.site_of`` instead of the public-suffix list; duplicate response headers are
joined with ", " as Node does. ``tests/test_probe_observatory.py`` cross-checks grades against the real
package on local sites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from edupulse.monitoring.probes import scoring
from edupulse.monitoring.probes.html import ParsedPage, site_of
from edupulse.monitoring.probes.net import FetchResult
from edupulse.monitoring.probes.types import CheckOutcome, error_result

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

#: Expectation → score modifier (src/grader/charts.js SCORE_TABLE).
MODIFIERS: dict[str, int] = {
    "csp-implemented-with-no-unsafe-default-src-none": 10,
    "csp-implemented-with-no-unsafe": 5,
    "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
    "csp-implemented-with-insecure-scheme-in-passive-content-only": -10,
    "csp-implemented-with-unsafe-eval": -10,
    "csp-implemented-with-unsafe-inline": -20,
    "csp-implemented-with-insecure-scheme": -20,
    "csp-header-invalid": -25,
    "csp-not-implemented": -25,
    "csp-not-implemented-but-reporting-enabled": -25,
    "csp-implemented-but-duplicate-directives": 0,
    "cookies-secure-with-httponly-sessions-and-samesite": 5,
    "cookies-secure-with-httponly-sessions": 0,
    "cookies-not-found": 0,
    "cookies-without-secure-flag-but-protected-by-hsts": -5,
    "cookies-session-without-secure-flag-but-protected-by-hsts": -10,
    "cookies-without-secure-flag": -20,
    "cookies-samesite-flag-invalid": -20,
    "cookies-anticsrf-without-samesite-flag": -20,
    "cookies-session-without-httponly-flag": -30,
    "cookies-session-without-secure-flag": -40,
    "cross-origin-resource-sharing-not-implemented": 0,
    "cross-origin-resource-sharing-implemented-with-public-access": 0,
    "cross-origin-resource-sharing-implemented-with-restricted-access": 0,
    "cross-origin-resource-sharing-implemented-with-universal-access": -50,
    "redirection-all-redirects-preloaded": 0,
    "redirection-to-https": 0,
    "redirection-not-needed-no-http": 0,
    "redirection-off-host-from-http": -5,
    "redirection-not-to-https-on-initial-redirection": -10,
    "redirection-not-to-https": -20,
    "redirection-missing": -20,
    "redirection-invalid-cert": -20,
    "referrer-policy-private": 5,
    "referrer-policy-not-implemented": 0,
    "referrer-policy-unsafe": -5,
    "referrer-policy-header-invalid": -5,
    "hsts-preloaded": 5,
    "hsts-implemented-max-age-at-least-six-months": 0,
    "hsts-implemented-max-age-less-than-six-months": -10,
    "hsts-not-implemented": -20,
    "hsts-header-invalid": -20,
    "hsts-not-implemented-no-https": -20,
    "hsts-invalid-cert": -20,
    "sri-implemented-and-all-scripts-loaded-securely": 5,
    "sri-implemented-and-external-scripts-loaded-securely": 5,
    "sri-not-implemented-response-not-html": 0,
    "sri-not-implemented-but-no-scripts-loaded": 0,
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": 0,
    "sri-not-implemented-but-external-scripts-loaded-securely": -5,
    "sri-implemented-but-external-scripts-not-loaded-securely": -20,
    "sri-not-implemented-and-external-scripts-not-loaded-securely": -50,
    "x-content-type-options-nosniff": 0,
    "x-content-type-options-not-implemented": -5,
    "x-content-type-options-header-invalid": -5,
    "x-frame-options-implemented-via-csp": 5,
    "x-frame-options-sameorigin-or-deny": 0,
    "x-frame-options-allow-from-origin": 0,
    "x-frame-options-not-implemented": -20,
    "x-frame-options-header-invalid": -20,
    "corp-header-invalid": -5,
    "corp-implemented-with-cross-origin": 0,
    "corp-implemented-with-same-origin": 10,
    "corp-implemented-with-same-site": 10,
    "corp-not-implemented": 0,
    "html-not-parseable": -20,
}

# Node's http module keeps only the first of these when a response repeats them; others are joined by ", ".
_NODE_FIRST_ONLY = frozenset({
    "age", "authorization", "content-length", "content-type", "etag", "expires", "from", "host",
    "if-modified-since", "if-unmodified-since", "last-modified", "location", "max-forwards",
    "proxy-authorization", "referer", "retry-after", "server", "user-agent",
})


class Headers:
    """Response headers as the Observatory (Node + axios) sees them: one value per name."""

    def __init__(self, pairs: tuple[tuple[str, str], ...]) -> None:
        values: dict[str, list[str]] = {}
        for key, value in pairs:
            values.setdefault(key.lower(), []).append(value)
        self.cookies = tuple(values.pop("set-cookie", []))
        self._values = {
            key: (items[0] if key in _NODE_FIRST_ONLY else ", ".join(items)) for key, items in values.items()
        }

    def get(self, name: str) -> str | None:
        return self._values.get(name.lower())

    def all(self, name: str) -> list[str]:
        value = self.get(name)
        return [] if value is None else [value]


@dataclass(frozen=True)
class ObservatoryInput:
    """What the Observatory's retriever would have: the auto response (HTTPS if it answers, else HTTP)."""

    auto: FetchResult
    http: FetchResult | None
    https: FetchResult | None
    verified: bool  # the HTTPS certificate validated (else the Observatory retried without verification)
    cors: FetchResult | None = None
    page: ParsedPage | None = None  # ``auto``'s body already parsed (saves a second parse)


@dataclass(frozen=True)
class TestOutcome:
    name: str
    result: str
    passed: bool
    modifier: int
    data: Any = None


@dataclass(frozen=True)
class ObservatoryEvaluation:
    score: int
    grade: str
    tests: tuple[TestOutcome, ...]
    status_code: int
    tests_passed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _only_if_worse(new: str, old: str | None, order: list[str]) -> str:
    if not old:
        return new
    return new if order.index(new) > (order.index(old) if old in order else -1) else old


# --- CSP parser (src/analyzer/cspParser.js) -------------------------------------------------------------------
_ALLOWED_DUPLICATES = {"report-uri", "report-to"}
_META_DISALLOWED = ("frame-ancestors", "report-uri", "sandbox")
DUPLICATE_WARNINGS_KEY = "_observatory_duplicate_key_warnings"


class CspError(ValueError):
    pass


@dataclass
class _Source:
    source: str
    index: int
    keep: bool


def _path_part_match(a: str, b: str) -> bool:
    if len(a) == 0:
        return True
    if a == "/" and len(b) == 0:
        return True
    exact = not a.endswith("/")
    parts_a, parts_b = a.split("/"), b.split("/")
    if len(parts_a) > len(parts_b):
        return False
    if exact and len(parts_a) != len(parts_b):
        return False
    if not exact:
        parts_a.pop()
    return all(unquote(x) == unquote(y) for x, y in zip(parts_a, parts_b, strict=False))


def parse_csp(policies: list[str]) -> dict[str, set[str]]:
    """Parse one or more CSP strings into directive → sources, merging several policies as the browser does."""
    clean = [re.sub(r"[\r\n]", "", policy).strip() for policy in policies]
    if not clean:
        return {}
    for policy in clean:
        if not policy or len(policy) < len("img-src") - 1:
            raise CspError(f"Invalid policy: {policy}")
    csp: dict[str, list[_Source]] = {}
    warnings: set[str] = set()
    for index, policy in enumerate(clean):
        seen: set[str] = set()
        for entry in policy.split(";"):
            tokens = entry.strip().split()
            if not tokens:
                continue
            directive = tokens[0].lower()
            if directive in seen:
                if directive in _ALLOWED_DUPLICATES:
                    warnings.add(directive)
                else:
                    raise CspError(f"Duplicate directive {directive} in policy {index}")
            else:
                seen.add(directive)
            keep = index == 0
            values = [_Source(raw.strip().lower(), index, keep) for raw in tokens[1:]]
            if not tokens[1:] and directive.endswith("-src"):
                values = [_Source("'none'", index, keep)]
            combined = list(values) if index == 0 else [*csp.get(directive, []), *values]
            combined.sort(key=lambda item: item.source)
            for position in range(1, len(combined)):
                source, previous = combined[position], combined[position - 1]
                if source.index == previous.index and source.source.startswith(previous.source):
                    source.keep = False
                if source.index != previous.index and _path_part_match(previous.source, source.source):
                    source.keep = True
            csp[directive] = [item for item in combined if item.keep]
            if index == 0 and len(policies) > 1:
                for item in csp[directive]:
                    item.keep = False
    final: dict[str, set[str]] = {
        directive: ({item.source for item in sources} if sources else {"'none'"})
        for directive, sources in csp.items()
    }
    if warnings:
        final[DUPLICATE_WARNINGS_KEY] = warnings
    return final


def parse_csp_meta(policies: list[str]) -> dict[str, set[str]]:
    parsed = parse_csp(policies)
    for directive in _META_DISALLOWED:
        parsed.pop(directive, None)
    return parsed


# --- the tests -----------------------------------------------------------------------------------------------------
_BROAD = {"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"}
_UNSAFE_INLINE = {"'unsafe-inline'", "data:"}
_BROAD_AND_INLINE = _BROAD | _UNSAFE_INLINE
_PASSIVE = ("img-src", "media-src")
_NONCES = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")


@dataclass(frozen=True)
class _Context:
    auto: FetchResult
    headers: Headers
    http: FetchResult | None
    http_verified: bool
    https: FetchResult | None
    https_headers: Headers | None
    verified: bool
    cors: FetchResult | None
    session_url: str
    hostname: str
    equiv: dict[str, list[str]]
    body: str
    scripts: tuple[tuple[str, str | None], ...]


def _has_nonce(sources: set[str]) -> bool:
    return any(source.startswith(_NONCES) for source in sources)


def csp_test(ctx: _Context) -> TestOutcome:
    http_csp = ctx.headers.all("content-security-policy")
    equiv = ctx.equiv.get("content-security-policy", [])
    try:
        csp = parse_csp([*http_csp, *equiv])
    except CspError:
        return _outcome("content-security-policy", "csp-header-invalid", False)
    try:
        header_only = parse_csp(http_csp)
    except CspError:
        header_only = {}
    try:
        meta = parse_csp_meta(equiv)
    except CspError:
        meta = {}
    if len(header_only) + len(meta) == 0:
        if ctx.headers.get("content-security-policy-report-only"):
            return _outcome("content-security-policy", "csp-not-implemented-but-reporting-enabled", False)
        return _outcome("content-security-policy", "csp-not-implemented", False)
    result: str | None = None
    object_src = csp.get("object-src") or csp.get("default-src") or {"*"}
    # The same set objects as in ``csp`` (as in the JavaScript): the removals below change the policy too.
    script_src = csp.get("script-src") or csp.get("default-src") or {"*"}
    style_src = csp.get("style-src") or csp.get("default-src") or {"*"}
    for sources in (script_src, style_src):
        if _has_nonce(sources) and "'unsafe-inline'" in sources:
            sources.discard("'unsafe-inline'")
    if _has_nonce(script_src) and "'strict-dynamic'" in script_src:
        for source in list(script_src):
            if any(source.startswith(broad) for broad in _BROAD) or source in ("'self'", "'unsafe-inline'"):
                script_src.discard(source)
    elif "'strict-dynamic'" in script_src:
        result = result or "csp-header-invalid"
    active = [s for d, sources in csp.items() if d not in _PASSIVE and d != "script-src" for s in sources]
    active += list(script_src)
    passive = [s for d in _PASSIVE for s in (csp.get(d) or csp.get("default-src") or set())]
    https_session = ctx.session_url.startswith("https:")
    if any(s in _BROAD_AND_INLINE for s in script_src) or any(s in _BROAD for s in object_src):
        result = result or "csp-implemented-with-unsafe-inline"
    if https_session and any(s.startswith(("http:", "ftp:")) for s in active):
        result = result or "csp-implemented-with-insecure-scheme"
    if "'unsafe-eval'" in script_src | style_src:
        result = result or "csp-implemented-with-unsafe-eval"
    if https_session and any(s.startswith(("http:", "ftp:")) for s in passive):
        result = result or "csp-implemented-with-insecure-scheme-in-passive-content-only"
    if any(s in _BROAD_AND_INLINE for s in style_src):
        result = result or "csp-implemented-with-unsafe-inline-in-style-src-only"
    default = csp.get("default-src")
    if default is not None and "'none'" in default and len(default) == 1:
        result = result or "csp-implemented-with-no-unsafe-default-src-none"
    else:
        result = result or "csp-implemented-with-no-unsafe"
    passed = result in (
        "csp-implemented-with-no-unsafe",
        "csp-implemented-with-no-unsafe-default-src-none",
        "csp-implemented-with-unsafe-inline-in-style-src-only",
        "csp-implemented-with-insecure-scheme-in-passive-content-only",
    )
    if passed and DUPLICATE_WARNINGS_KEY in csp:
        result = "csp-implemented-but-duplicate-directives"
    data = {key: sorted(value) for key, value in csp.items() if key != DUPLICATE_WARNINGS_KEY}
    return _outcome("content-security-policy", result, passed, data)


def _csp_frame_ancestors(ctx: _Context) -> bool:
    """Whether the CSP test's data has frame-ancestors (X-Frame-Options via CSP)."""
    try:
        csp = parse_csp([*ctx.headers.all("content-security-policy"),
                         *ctx.equiv.get("content-security-policy", [])])
        header_only = parse_csp(ctx.headers.all("content-security-policy"))
    except CspError:
        return False
    try:
        meta = parse_csp_meta(ctx.equiv.get("content-security-policy", []))
    except CspError:
        meta = {}
    if len(header_only) + len(meta) == 0:
        return False
    return "frame-ancestors" in csp


def hsts_test(ctx: _Context) -> TestOutcome:
    response, headers = ctx.https, ctx.https_headers
    data: dict[str, Any] = {"max_age": None, "include_subdomains": False, "preload": False}
    if response is None or headers is None:
        return _outcome("strict-transport-security", "hsts-not-implemented-no-https", False, data)
    if not ctx.verified:
        return _outcome("strict-transport-security", "hsts-invalid-cert", False, data)
    header = headers.get("strict-transport-security")
    if header is None:
        return _outcome("strict-transport-security", "hsts-not-implemented", False, data)
    value = header[:1024]
    result = "hsts-header-invalid"
    if "," not in value:
        max_age: float | None = None
        for parameter in (item.strip().lower() for item in value.split(";")):
            if parameter.startswith("max-age="):
                max_age = _parse_int(parameter[8:128])
            elif parameter == "includesubdomains":
                data["include_subdomains"] = True
            elif parameter == "preload":
                data["preload"] = True
        if max_age is not None:
            data["max_age"] = None if max_age != max_age else int(max_age)
            # JavaScript: NaN < SIX_MONTHS is false, so a malformed number counts as "at least six months".
            result = (
                "hsts-implemented-max-age-less-than-six-months"
                if max_age == max_age and max_age < 15_552_000
                else "hsts-implemented-max-age-at-least-six-months"
            )
    return _outcome("strict-transport-security", result, result == "hsts-implemented-max-age-at-least-six-months",
                    data)


def _parse_int(text: str) -> float:
    """JavaScript ``parseInt(text, 10)``: leading digits, else NaN."""
    match = re.match(r"\s*([+-]?\d+)", text)
    return float(match.group(1)) if match else float("nan")


@dataclass
class _Cookie:
    name: str
    secure: bool
    http_only: bool
    same_site: str | None


def _parse_cookie(raw: str, host: str, now: datetime) -> tuple[tuple[str, str, str], _Cookie | None] | None:
    """tough-cookie-like parsing: (domain, path, name) key and the cookie, or None to delete / ignore."""
    parts = raw.split(";")
    name, sep, _value = parts[0].partition("=")
    name = name.strip() if sep else ""
    if not name:
        return None
    secure = http_only = False
    same_site: str | None = None
    domain, path = host, "/"
    expired = False
    for part in parts[1:]:
        key, _sep, value = part.strip().partition("=")
        key, value = key.strip().lower(), value.strip()
        if key == "secure":
            secure = True
        elif key == "httponly":
            http_only = True
        elif key == "samesite":
            lowered = value.lower()
            same_site = lowered if lowered in ("strict", "lax", "none") else None
        elif key == "domain" and value:
            candidate = value.lstrip(".").lower()
            if not (host == candidate or host.endswith("." + candidate)):
                return None  # the jar rejects a cookie for another domain
            domain = candidate
        elif key == "path" and value.startswith("/"):
            path = value
        elif key == "max-age" and re.fullmatch(r"-?\d+", value):
            expired = int(value) <= 0
        elif key == "expires":
            try:
                expires = parsedate_to_datetime(value)
                if expires.tzinfo is None:
                    expires = expires.replace(tzinfo=UTC)
                expired = expired or expires < now
            except (TypeError, ValueError):
                pass
    if name.startswith("__Secure-") and not secure:
        return None
    return (domain, path, name), None if expired else _Cookie(name, secure, http_only, same_site)


_COOKIE_ORDER = [
    "cookies-without-secure-flag-but-protected-by-hsts",
    "cookies-without-secure-flag",
    "cookies-session-without-secure-flag-but-protected-by-hsts",
    "cookies-samesite-flag-invalid",
    "cookies-anticsrf-without-samesite-flag",
    "cookies-session-without-httponly-flag",
    "cookies-session-without-secure-flag",
]


def _invalid_same_site(raw: str) -> bool:
    for part in raw.strip().split(";"):
        pieces = part.strip().split("=")
        if pieces[0].strip().lower() == "samesite":
            value = pieces[1] if len(pieces) > 1 else ""
            if not value or value.strip().lower() not in ("lax", "strict", "none"):
                return True
    return False


def cookies_test(ctx: _Context, hsts_passed: bool) -> TestOutcome:
    result: str | None = None
    for raw in ctx.headers.cookies:
        if _invalid_same_site(raw):
            result = _only_if_worse("cookies-samesite-flag-invalid", result, _COOKIE_ORDER)
    jar: dict[tuple[str, str, str], _Cookie] = {}
    now = datetime.now(UTC)
    session = ctx.https if ctx.https is not None else ctx.http
    for hop in session.hops if session is not None else ():
        host = (urlsplit(hop.url).hostname or "").lower()
        for raw in hop.set_cookies:
            parsed = _parse_cookie(raw, host, now)
            if parsed is None:
                continue
            key, cookie = parsed
            if cookie is None:
                jar.pop(key, None)
            else:
                jar[key] = cookie
    cookies = [cookie for cookie in jar.values() if cookie.name != "heroku-session-affinity"]
    if not cookies:
        return _outcome("cookies", "cookies-not-found", True)
    missing_same_site = False
    for cookie in cookies:
        lowered = cookie.name.lower()
        session_id = "login" in lowered or "sess" in lowered
        anticsrf = "csrf" in lowered
        if not cookie.secure and cookie.same_site == "none":
            result = _only_if_worse("cookies-samesite-flag-invalid", result, _COOKIE_ORDER)
        if not cookie.secure and hsts_passed:
            result = _only_if_worse("cookies-without-secure-flag-but-protected-by-hsts", result, _COOKIE_ORDER)
        elif not cookie.secure:
            result = _only_if_worse("cookies-without-secure-flag", result, _COOKIE_ORDER)
        if anticsrf and not cookie.same_site:
            result = _only_if_worse("cookies-anticsrf-without-samesite-flag", result, _COOKIE_ORDER)
        if session_id and not cookie.secure and hsts_passed:
            result = _only_if_worse("cookies-session-without-secure-flag-but-protected-by-hsts", result,
                                    _COOKIE_ORDER)
        elif session_id and not cookie.secure:
            result = _only_if_worse("cookies-session-without-secure-flag", result, _COOKIE_ORDER)
        if session_id and not cookie.http_only:
            result = _only_if_worse("cookies-session-without-httponly-flag", result, _COOKIE_ORDER)
        if not cookie.same_site:
            missing_same_site = True
    if not result:
        result = (
            "cookies-secure-with-httponly-sessions"
            if missing_same_site
            else "cookies-secure-with-httponly-sessions-and-samesite"
        )
    passed = result in ("cookies-not-found", "cookies-secure-with-httponly-sessions-and-samesite",
                        "cookies-secure-with-httponly-sessions")
    return _outcome("cookies", result, passed, sorted(cookie.name for cookie in cookies))


def cors_test(ctx: _Context) -> TestOutcome:
    result = "cross-origin-resource-sharing-not-implemented"
    response = ctx.cors
    headers = Headers(response.headers) if response is not None and response.ok else None
    acao = headers.get("access-control-allow-origin") if headers else None
    data = None
    if headers is not None and acao:
        data = acao[:256].strip().lower()
        credentials = headers.get("access-control-allow-credentials")
        # The package reads the Origin it sent from ``response.request.headers``, which a Node ClientRequest
        # does not have, so its "universal access" branch never fires (1.4.8): an echoed Origin with
        # credentials grades as restricted. We reproduce the package's grades, so we do the same.
        origin_sent: str | None = None
        if data == "*":
            result = "cross-origin-resource-sharing-implemented-with-public-access"
        elif origin_sent and acao == origin_sent and credentials and credentials.lower().strip() == "true":
            result = "cross-origin-resource-sharing-implemented-with-universal-access"
        else:
            result = "cross-origin-resource-sharing-implemented-with-restricted-access"
    passed = result != "cross-origin-resource-sharing-implemented-with-universal-access"
    return _outcome("cross-origin-resource-sharing", result, passed, data)


def redirection_test(ctx: _Context) -> TestOutcome:
    response = ctx.http
    if response is None:
        return _outcome("redirection", "redirection-not-needed-no-http", True)
    if not ctx.http_verified:
        return _outcome("redirection", "redirection-invalid-cert", False)
    route = [hop.url for hop in response.hops]
    parts = [urlsplit(url) for url in route]
    if len(route) <= 1:
        result = "redirection-missing"
    elif parts[-1].scheme != "https":
        result = "redirection-not-to-https"
    elif parts[1].scheme == "http":
        result = "redirection-not-to-https-on-initial-redirection"
    elif parts[0].scheme == "http" and parts[1].scheme == "https" and parts[0].hostname != parts[1].hostname:
        result = "redirection-off-host-from-http"
    else:
        result = "redirection-to-https"
    return _outcome("redirection", result, result == "redirection-to-https", route)


_REFERRER_GOOD = ["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"]
_REFERRER_BAD = ["origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"]


def referrer_test(ctx: _Context) -> TestOutcome:
    http_values = ctx.headers.all("referrer-policy")
    equiv = ctx.equiv.get("referrer-policy", [])
    if not http_values and not equiv:
        return _outcome("referrer-policy", "referrer-policy-not-implemented", True)
    data = ", ".join([*http_values, *equiv])
    valid = [item.lower().strip() for item in data.split(",") if item.lower().strip() in
             _REFERRER_GOOD + _REFERRER_BAD]
    policy = valid[-1] if valid else ""
    if policy in _REFERRER_GOOD:
        result = "referrer-policy-private"
    elif policy in _REFERRER_BAD:
        result = "referrer-policy-unsafe"
    else:
        result = "referrer-policy-header-invalid"
    return _outcome("referrer-policy", result, result == "referrer-policy-private", data)


_SRI_ORDER = [
    "sri-implemented-and-all-scripts-loaded-securely",
    "sri-implemented-and-external-scripts-loaded-securely",
    "sri-implemented-but-external-scripts-not-loaded-securely",
    "sri-not-implemented-but-external-scripts-loaded-securely",
    "sri-not-implemented-and-external-scripts-not-loaded-securely",
    "sri-not-implemented-response-not-html",
]


def _registrable(host: str) -> str | None:
    """tldts ``parse(host).domain``: None for IP addresses and single labels."""
    host = host.lower().strip("[]").rstrip(".")
    if not host or "." not in host or host.replace(".", "").isdigit() or ":" in host:
        return None
    return site_of(host)


def sri_test(ctx: _Context) -> TestOutcome:
    mime = (ctx.headers.get("content-type") or "").split(";")[0]
    if mime not in HTML_TYPES:
        return _outcome("subresource-integrity", "sri-not-implemented-response-not-html", True)
    scripts = ctx.scripts
    result: str | None = None
    foreign = False
    page_domain = _registrable(ctx.hostname)
    data: dict[str, Any] = {}
    for src, integrity in scripts:
        if not src:
            continue
        relative_origin = relative_protocol = same_sld = False
        if re.match(r"^//[^/]", src):
            relative_protocol = same_sld = True
        elif re.match(r"^https?://", src):
            same_sld = _registrable(urlsplit(src).hostname or "") == page_domain
        else:
            relative_origin = same_sld = True
        secure_origin = relative_origin or (same_sld and not relative_protocol)
        if not secure_origin:
            foreign = True
        scheme = None if relative_protocol or relative_origin else urlsplit(src).scheme + ":"
        secure_scheme = scheme == "https:" or (relative_origin and ctx.session_url.startswith("https:"))
        if not secure_origin:
            data[src] = {"integrity": integrity}
            if integrity and not secure_scheme:
                result = _only_if_worse("sri-implemented-but-external-scripts-not-loaded-securely", result,
                                        _SRI_ORDER)
            elif not integrity and secure_scheme:
                result = _only_if_worse("sri-not-implemented-but-external-scripts-loaded-securely", result,
                                        _SRI_ORDER)
            elif not integrity and not secure_scheme:
                result = _only_if_worse("sri-not-implemented-and-external-scripts-not-loaded-securely", result,
                                        _SRI_ORDER)
        elif integrity and secure_scheme and not result:
            result = "sri-implemented-and-all-scripts-loaded-securely"
    if not scripts:
        result = "sri-not-implemented-but-no-scripts-loaded"
    elif not result:
        result = (
            "sri-implemented-and-external-scripts-loaded-securely"
            if foreign
            else "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"
        )
    passed = result in (
        "sri-implemented-and-all-scripts-loaded-securely",
        "sri-implemented-and-external-scripts-loaded-securely",
        "sri-not-implemented-response-not-html",
        "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
        "sri-not-implemented-but-no-scripts-loaded",
    )
    return _outcome("subresource-integrity", result, passed, data or None)


def xcto_test(ctx: _Context) -> TestOutcome:
    header = ctx.headers.get("x-content-type-options")
    if not header:
        return _outcome("x-content-type-options", "x-content-type-options-not-implemented", False)
    if header[:256].strip().lower() == "nosniff":
        return _outcome("x-content-type-options", "x-content-type-options-nosniff", True, header[:256])
    return _outcome("x-content-type-options", "x-content-type-options-header-invalid", False, header[:256])


def xfo_test(ctx: _Context) -> TestOutcome:
    header = ctx.headers.get("x-frame-options")
    if header:
        value = header[:1024].strip().lower()
        if value in ("deny", "sameorigin"):
            result = "x-frame-options-sameorigin-or-deny"
        elif value.startswith("allow-from"):
            result = "x-frame-options-allow-from-origin"
        else:
            result = "x-frame-options-header-invalid"
    else:
        result = "x-frame-options-not-implemented"
    if _csp_frame_ancestors(ctx):
        result = "x-frame-options-implemented-via-csp"
    passed = result in ("x-frame-options-allow-from-origin", "x-frame-options-sameorigin-or-deny",
                        "x-frame-options-implemented-via-csp")
    return _outcome("x-frame-options", result, passed, header)


def corp_test(ctx: _Context) -> TestOutcome:
    header = ctx.headers.get("cross-origin-resource-policy")
    result = "corp-not-implemented"
    if header:
        value = header[:256].strip().lower()
        result = {
            "same-site": "corp-implemented-with-same-site",
            "same-origin": "corp-implemented-with-same-origin",
            "cross-origin": "corp-implemented-with-cross-origin",
        }.get(value, "corp-header-invalid")
    return _outcome("cross-origin-resource-policy", result, result != "corp-header-invalid", header)


def _outcome(name: str, result: str, passed: bool, data: Any = None) -> TestOutcome:
    return TestOutcome(name, result, passed, MODIFIERS.get(result, 0), data)


def _metas(body: str, page: ParsedPage | None) -> tuple[tuple[str | None, str | None, str | None], ...]:
    if page is not None:
        return page.metas
    return tuple(
        (meta.attributes.get("http-equiv") if "http-equiv" in meta.attributes else None,
         meta.attributes.get("name"), meta.attributes.get("content"))
        for meta in LexborHTMLParser(body).css("meta")
    )


def _scripts(body: str, page: ParsedPage | None) -> tuple[tuple[str, str | None], ...]:
    if page is not None:
        return page.scripts
    return tuple(
        ((script.attributes.get("src") or "").strip(), script.attributes.get("integrity"))
        for script in LexborHTMLParser(body or "").css("script")
    )


def http_equiv(body: str, page: ParsedPage | None = None) -> dict[str, list[str]]:
    """``<meta http-equiv="Content-Security-Policy">`` contents and ``<meta name="referrer">`` (last wins)."""
    equiv: dict[str, list[str]] = {"content-security-policy": []}
    if page is None and "<meta" not in body.lower():
        return equiv
    for http_equiv_name, name, content in _metas(body, page):
        if http_equiv_name is not None and content is not None:
            if http_equiv_name.lower().strip() == "content-security-policy" and content:
                equiv["content-security-policy"].append(content)
        elif (name or "").lower().strip() == "referrer" and content:
            equiv["referrer-policy"] = [content]
    return equiv


def _http_verified(http: FetchResult | None, https_verified: bool) -> bool:
    """The HTTP session is unverified when its redirects reached HTTPS with a certificate that failed."""
    if http is None:
        return True
    return https_verified or not any(hop.url.startswith("https:") for hop in http.hops)


def evaluate(inp: ObservatoryInput) -> ObservatoryEvaluation:
    """Run the ten tests and grade, as ``scanner/index.js`` does. Pure."""
    auto = inp.auto
    headers = Headers(auto.headers)
    mime = (headers.get("content-type") or "").split(";")[0]
    session = inp.https if inp.https is not None else inp.http
    session_url = session.url if session is not None else auto.url
    ctx = _Context(
        auto=auto,
        headers=headers,
        http=inp.http,
        http_verified=_http_verified(inp.http, inp.verified),
        https=inp.https,
        https_headers=Headers(inp.https.headers) if inp.https is not None else None,
        verified=inp.verified,
        cors=inp.cors,
        session_url=session_url,
        hostname=(urlsplit(auto.url).hostname or "").lower(),
        equiv=http_equiv(auto.body, inp.page) if mime in HTML_TYPES and auto.body else {},
        body=auto.body,
        scripts=_scripts(auto.body, inp.page) if mime in HTML_TYPES else (),
    )
    hsts = hsts_test(ctx)
    tests = (
        csp_test(ctx),
        cookies_test(ctx, hsts.passed),
        cors_test(ctx),
        redirection_test(ctx),
        referrer_test(ctx),
        hsts,
        sri_test(ctx),
        xcto_test(ctx),
        xfo_test(ctx),
        corp_test(ctx),
    )
    with_bonus = 100 + sum(test.modifier for test in tests)
    without_bonus = 100 + sum(test.modifier for test in tests if test.modifier < 0)
    score = with_bonus if without_bonus >= scoring.OBSERVATORY_BONUS_THRESHOLD else without_bonus
    score = max(score, 0)
    return ObservatoryEvaluation(
        score=score,
        grade=scoring.grade(score),
        tests=tests,
        status_code=auto.status,
        tests_passed=sum(1 for test in tests if test.passed),
    )


def headers_result(ev: ObservatoryEvaluation) -> CheckOutcome:
    status_code = ev.status_code
    if status_code < 200 or (status_code >= 400 and status_code not in (401, 403)):
        return error_result("headers", f"Site did respond with an unexpected HTTP status code {status_code}.",
                            status_code=status_code)
    evidence = {
        "grade": ev.grade,
        "score": ev.score,
        "algorithm": "mdn-http-observatory/4",
        "tests_passed": ev.tests_passed,
        "tests_failed": len(ev.tests) - ev.tests_passed,
        "tests": {
            test.name: {"result": test.result, "pass": test.passed, "modifier": test.modifier}
            for test in ev.tests
        },
    }
    status = scoring.status_for(ev.score, scoring.HEADERS_PASS_SCORE, scoring.HEADERS_WARN_SCORE)
    return CheckOutcome("headers", status, ev.score, evidence)  # type: ignore[arg-type]
