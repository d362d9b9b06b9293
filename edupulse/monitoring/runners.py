"""How the platform runs the probe engine: one replaceable *probe runner*.

A runner takes site URLs and the checks to run (None = all) and returns one ``SiteReport`` per URL. Sweeps
and notice re-probes take theirs from the ``PROBE_RUNNER`` setting — a dotted path, or the runner itself,
as DRF's settings accept either — so a test or a site-specific deployment sets it the way Django's
``EMAIL_BACKEND`` is set (``settings.PROBE_RUNNER = fake`` with pytest-django's ``settings`` fixture),
instead of patching a module global.

The default :class:`EngineRunner` also *streams*: a sweep batch saves each site's report as it arrives
(:meth:`EngineRunner.producer`); any other runner is called chunk by chunk.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from edupulse.monitoring.probes import SiteReport

DEFAULT_RUNNER = "edupulse.monitoring.runners.EngineRunner"

# A producer runs in the probe thread: it calls ``emit(report)`` once per site and returns when done,
# or early once ``stop`` is set. It must not touch the database (connections are per thread).
Producer = Callable[[Callable[[Any], None], threading.Event], None]


class ProbeRunner(Protocol):
    def __call__(self, urls: Sequence[str], checks: Sequence[str] | None) -> list[SiteReport]: ...


class EngineRunner:
    """The probe engine with the probe configuration of the environment and each site's tampering baseline.

    ``engine`` is the engine's ``probe_sites`` coroutine function; a test may pass its own to drive the
    streaming path (reports one by one, a stalled site, cancellation) without a network."""

    def __init__(self, engine: Callable[..., Awaitable[Any]] | None = None) -> None:
        self.engine = engine

    def _engine(self) -> Callable[..., Awaitable[Any]]:
        if self.engine is not None:
            return self.engine
        from edupulse.monitoring.probes import probe_sites  # heavy: the engine; a web process may never probe

        return probe_sites

    def _inputs(self, urls: Sequence[str]) -> dict[str, Any]:
        """The configuration and baselines, read in the caller's thread (the baselines are database work)."""
        # heavy: the engine's package, as above
        from edupulse.monitoring.baselines import baselines_for
        from edupulse.monitoring.probes import ProbeConfig

        return {"config": ProbeConfig.from_env(), "baselines": baselines_for(urls)}

    def __call__(self, urls: Sequence[str], checks: Sequence[str] | None) -> list[SiteReport]:
        from edupulse.monitoring.probes.engine import run_async  # heavy: with the engine, as above

        reports = run_async(self._engine()(list(urls), checks=list(checks) if checks else None, **self._inputs(urls)))
        return list(reports)

    def producer(self, urls: list[str], checks: list[str] | None) -> Producer:
        """The engine over all ``urls`` on its own event loop, emitting each site's report as it is done."""
        from edupulse.monitoring.probes.engine import run_async  # heavy: with the engine, as above

        engine, inputs = self._engine(), self._inputs(urls)

        def produce(emit: Callable[[Any], None], stop: threading.Event) -> None:
            async def main() -> None:
                probing = asyncio.ensure_future(engine(urls, checks=checks, **inputs,
                                                       on_report=lambda _index, report: emit(report)))
                while not probing.done():
                    if stop.is_set():
                        probing.cancel()
                        break
                    await asyncio.wait({probing}, timeout=0.2)
                try:
                    await probing
                except asyncio.CancelledError:
                    if not stop.is_set():
                        raise

            run_async(main())

        return produce


def probe_runner() -> ProbeRunner:
    """The runner named by ``settings.PROBE_RUNNER`` (a dotted path to a class or function, or the runner)."""
    configured = getattr(settings, "PROBE_RUNNER", DEFAULT_RUNNER)
    if isinstance(configured, str):
        found = import_string(configured)
        return found() if isinstance(found, type) else found  # type: ignore[no-any-return]
    return configured  # type: ignore[no-any-return]


def producer_for(runner: ProbeRunner, urls: list[str], checks: list[str] | None, chunk_size: int) -> Producer:
    """How a sweep batch gets its reports from ``runner``: streamed by the engine, else ``chunk_size`` at a time."""
    if isinstance(runner, EngineRunner):
        return runner.producer(urls, checks)

    def produce(emit: Callable[[Any], None], stop: threading.Event) -> None:
        for start in range(0, len(urls), chunk_size):
            if stop.is_set():
                return
            for report in runner(urls[start:start + chunk_size], checks):
                emit(report)

    return produce
