"""TLS checks: protocol versions offered and the certificate (validity, chain, host name, expiry).

``observe_tls`` does the handshakes through ``connecting.open_connection``, the SSRF-checked connect of every
probe connection (only to a resolved, permitted address): one verifying handshake with the system trust store
(plus ``ProbeConfig.ca_file``), one unverified handshake to read the certificate when verification fails, and
one handshake per protocol version pinned with ``minimum_version = maximum_version``. ``evaluate_certificate`` and
``protocols_result`` / ``certificate_result`` are pure.
"""

from __future__ import annotations

import asyncio
import ssl
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from edupulse.monitoring.probes import scoring
from edupulse.monitoring.probes.config import ProbeConfig
from edupulse.monitoring.probes.connecting import open_connection, permitted_addresses
from edupulse.monitoring.probes.net import AddressPolicy, DnsClient
from edupulse.monitoring.probes.types import CheckOutcome, error_result

_VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}


@dataclass(frozen=True)
class TlsObservation:
    """What the handshakes saw. ``versions`` maps a version to offered (True/False) or None (not testable)."""

    host: str
    port: int
    address: str | None
    versions: tuple[tuple[str, bool | None], ...]
    negotiated: str | None
    certificate: bytes | None
    verify_code: int | None
    verify_message: str | None
    error: str | None = None


def _client_context(version: str | None, config: ProbeConfig, *, verify: bool) -> ssl.SSLContext:
    return _cached_context(version, config.ca_file, verify)


@lru_cache(maxsize=32)
def _cached_context(version: str | None, ca_file: str | None, verify: bool) -> ssl.SSLContext:
    """Contexts are reusable and loading the system trust store costs milliseconds: build each once."""
    if verify:
        context = ssl.create_default_context()
        if ca_file:
            context.load_verify_locations(cafile=ca_file)
        return context
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if version is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = _VERSIONS[version]
            context.maximum_version = _VERSIONS[version]
        if version in scoring.TLS_INSECURE_VERSIONS:
            # OpenSSL 3 refuses TLS 1.0/1.1 at the default security level: lower it so we can *detect* them.
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


async def _handshake(
    address: str, port: int, host: str, context: ssl.SSLContext, timeout: float, dns: DnsClient, policy: AddressPolicy
) -> tuple[str | None, bytes | None]:
    """Connect (through the SSRF-checked connect every probe connection uses), handshake, return (negotiated
    version, peer certificate DER). Raises on failure."""
    transport, _protocol = await asyncio.wait_for(
        open_connection(dns, policy, address, port, asyncio.Protocol, tls=context,
                        server_hostname=host.strip("[]"), tls_handshake_timeout=timeout),
        timeout,
    )
    try:
        ssl_object = transport.get_extra_info("ssl_object")
        version = ssl_object.version() if ssl_object else None
        der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
        return version, der
    finally:
        # No TLS shutdown: waiting for the server's close_notify costs time and tells us nothing.
        transport.abort()


async def observe_tls(host: str, port: int, config: ProbeConfig, dns: DnsClient, policy: AddressPolicy) -> TlsObservation:
    """Every handshake goes to the same address: the first one of the host's the policy allows."""
    addresses = await dns.lookup(host)
    permitted, refusals = permitted_addresses(policy, addresses, 0)
    if not permitted:
        reason = "; ".join(refusals) or addresses.error or "no address"
        return TlsObservation(host, port, None, (), None, None, None, None, error=f"blocked or unresolved: {reason}")
    address = permitted[0][1]
    timeout = min(config.timeout_s, 10.0)
    negotiated: str | None = None
    der: bytes | None = None
    verify_code: int | None = None
    verify_message: str | None = None

    async def handshake(context: ssl.SSLContext) -> tuple[str | None, bytes | None]:
        return await _handshake(address, port, host, context, timeout, dns, policy)

    try:
        negotiated, der = await handshake(_client_context(None, config, verify=True))
    except ssl.SSLCertVerificationError as exc:
        verify_code, verify_message = exc.verify_code, exc.verify_message
    except (TimeoutError, OSError, ssl.SSLError) as exc:
        verify_code, verify_message = None, None
        try:
            negotiated, der = await handshake(_client_context(None, config, verify=False))
        except (TimeoutError, OSError, ssl.SSLError) as inner:
            return TlsObservation(host, port, address, (), None, None, None, None,
                                  error=f"TLS handshake failed: {inner or exc!r}")
    if der is None:
        try:
            negotiated, der = await handshake(_client_context(None, config, verify=False))
        except (TimeoutError, OSError, ssl.SSLError) as exc:
            return TlsObservation(host, port, address, (), None, None, verify_code, verify_message,
                                  error=f"TLS handshake failed: {exc!r}")

    async def offered(version: str) -> tuple[str, bool | None]:
        if version == negotiated:
            return version, True
        try:
            context = _client_context(version, config, verify=False)
        except (ValueError, ssl.SSLError):
            return version, None  # this OpenSSL cannot speak it at all: we cannot tell
        try:
            got, _der = await handshake(context)
        except (TimeoutError, OSError, ssl.SSLError):
            return version, False
        return version, got == version

    versions = await asyncio.gather(*(offered(version) for version in scoring.TLS_VERSIONS))
    return TlsObservation(host, port, address, tuple(versions), negotiated, der, verify_code, verify_message)


# --- evaluation (pure) ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CertificateEvaluation:
    subject: str
    issuer: str
    san: tuple[str, ...]
    not_before: datetime
    not_after: datetime
    days_to_expiry: int
    expired: bool
    not_yet_valid: bool
    self_signed: bool
    hostname_matches: bool
    trusted: bool  # the verifying handshake succeeded (chain to a trusted root, host name, dates)
    verify_code: int | None
    verify_message: str | None
    key: str
    signature_algorithm: str


def _name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else name.rfc4514_string()


def hostname_matches(host: str, names: tuple[str, ...]) -> bool:
    """RFC 6125 matching, wildcard only as the whole left-most label."""
    host = host.lower().rstrip(".")
    for name in names:
        name = name.lower().rstrip(".")
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
            return True
    return False


def evaluate_certificate(
    der: bytes, host: str, verify_code: int | None, verify_message: str | None, now: datetime
) -> CertificateEvaluation:
    cert = x509.load_der_x509_certificate(der)
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        san = tuple(
            [str(v) for v in ext.value.get_values_for_type(x509.DNSName)]
            + [str(v) for v in ext.value.get_values_for_type(x509.IPAddress)]
        )
    except x509.ExtensionNotFound:
        san = ()
    not_before, not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    public_key = cert.public_key()
    if isinstance(public_key, rsa.RSAPublicKey):
        key = f"RSA-{public_key.key_size}"
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        key = f"EC-{public_key.curve.name}"
    else:
        key = public_key.__class__.__name__
    algorithm = cert.signature_hash_algorithm
    return CertificateEvaluation(
        subject=_name(cert.subject),
        issuer=_name(cert.issuer),
        san=san,
        not_before=not_before,
        not_after=not_after,
        days_to_expiry=(not_after - now).days,
        expired=not_after < now,
        not_yet_valid=not_before > now,
        self_signed=cert.issuer == cert.subject,
        hostname_matches=hostname_matches(host, san or (_name(cert.subject),)),
        trusted=verify_code is None,
        verify_code=verify_code,
        verify_message=verify_message,
        key=key,
        signature_algorithm=algorithm.name if algorithm else "unknown",
    )


def certificate_result(obs: TlsObservation, now: datetime | None = None) -> CheckOutcome:
    if obs.error or obs.certificate is None:
        return error_result("tls_certificate", obs.error or "no certificate", host=obs.host, port=obs.port)
    ev = evaluate_certificate(obs.certificate, obs.host, obs.verify_code, obs.verify_message, now or datetime.now(UTC))
    evidence = {
        "host": obs.host,
        "port": obs.port,
        "subject": ev.subject,
        "issuer": ev.issuer,
        "san": list(ev.san[: scoring.EVIDENCE_ITEMS]),
        "not_before": ev.not_before.isoformat(),
        "not_after": ev.not_after.isoformat(),
        "days_to_expiry": ev.days_to_expiry,
        "trusted": ev.trusted,
        "self_signed": ev.self_signed,
        "hostname_matches": ev.hostname_matches,
        "key": ev.key,
        "signature_algorithm": ev.signature_algorithm,
    }
    problems = []
    if ev.expired:
        problems.append("expired")
    if ev.not_yet_valid:
        problems.append("not yet valid")
    if not ev.hostname_matches:
        problems.append("host name mismatch")
    if ev.self_signed:
        problems.append("self-signed")
    if not ev.trusted:
        problems.append(f"not trusted: {ev.verify_message}")
    if problems:
        return CheckOutcome("tls_certificate", "fail", 0, {**evidence, "problems": problems})
    if ev.days_to_expiry <= scoring.CERT_EXPIRY_WARN_DAYS:
        return CheckOutcome("tls_certificate", "warn", scoring.CERT_EXPIRY_WARN_SCORE,
                           {**evidence, "problems": [f"expires in {ev.days_to_expiry} days"]})
    return CheckOutcome("tls_certificate", "pass", 100, evidence)


@dataclass(frozen=True)
class ProtocolsEvaluation:
    offered: tuple[str, ...]
    insecure: tuple[str, ...]
    untested: tuple[str, ...]
    score: int


def evaluate_protocols(versions: tuple[tuple[str, bool | None], ...]) -> ProtocolsEvaluation:
    offered = tuple(v for v, ok in versions if ok)
    untested = tuple(v for v, ok in versions if ok is None)
    insecure = tuple(v for v in offered if v in scoring.TLS_INSECURE_VERSIONS)
    if not ({"TLSv1.2", "TLSv1.3"} & set(offered)):
        score = 0
    else:
        score = 100 - scoring.TLS_INSECURE_PENALTY * len(insecure)
        if "TLSv1.3" not in offered:
            score -= scoring.TLS_NO_13_PENALTY
    return ProtocolsEvaluation(offered, insecure, untested, max(0, score))


def protocols_result(obs: TlsObservation) -> CheckOutcome:
    if obs.error or not obs.versions:
        return error_result("tls_protocols", obs.error or "no handshake", host=obs.host, port=obs.port)
    ev = evaluate_protocols(obs.versions)
    evidence = {
        "host": obs.host,
        "port": obs.port,
        "offered": list(ev.offered),
        "insecure": list(ev.insecure),
        "untested": list(ev.untested),
        "negotiated": obs.negotiated,
    }
    status = scoring.status_for(ev.score, scoring.TLS_PROTOCOLS_PASS, scoring.TLS_PROTOCOLS_WARN)
    if ev.insecure and status == "pass":
        status = "warn"
    return CheckOutcome("tls_protocols", status, ev.score, evidence)  # type: ignore[arg-type]
