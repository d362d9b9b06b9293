"""``edupulse demo-data --province 51 --scale 1.0 --seed 7``: load a demo province and demo users.

Progress goes to stderr, the summary to stdout (``--json`` for a machine-readable summary; errors are
then JSON too, with exit status 1). The contract is documented in docs/cli-orgs.md.
"""

import json
import sys
import time
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from edupulse.core.roles import Role
from edupulse.orgs import demo


class Command(BaseCommand):
    help = (
        "Load a deterministic demo province (invented schools in every county, calibrated to real counts) "
        "and one demo user per role. Idempotent: schools whose code exists and users that exist are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", default="51", help="2-digit province code (default 51, Sichuan)")
        parser.add_argument("--scale", type=float, default=1.0,
                            help=f"fraction of the real school count, > 0 and <= {demo.MAX_SCALE:g} (default 1.0)")
        parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
        parser.add_argument("--json", action="store_true", help="print the summary (or the error) as JSON")
        parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
        parser.add_argument("--sign-ins", action="store_true",
                            help="print only the demo sign-ins (loading what is missing first, as always)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        quiet = options["quiet"]
        started = time.perf_counter()

        def progress(message: str) -> None:
            if not quiet:
                sys.stderr.write(f"demo-data: {message}\n")
                sys.stderr.flush()

        try:
            result = demo.load_demo(options["province"], scale=options["scale"], seed=options["seed"],
                                    progress=progress)
        except demo.DemoError as exc:
            if as_json:
                self.stdout.write(json.dumps({"ok": False, "error": exc.message, "details": exc.details},
                                             ensure_ascii=False, default=str))
                sys.exit(1)
            detail = f"\n{json.dumps(exc.details, ensure_ascii=False, default=str)}" if exc.details else ""
            raise CommandError(exc.message + detail) from exc
        seconds = round(time.perf_counter() - started, 2)
        if as_json:
            payload = {"ok": True, **asdict(result), "seconds": seconds}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        if options["sign_ins"]:
            self._sign_ins(result)
            return
        self.stdout.write(
            f"demo province {result.province_name} ({result.province}), scale {result.scale:g}, seed {result.seed}: "
            f"{result.generated} schools generated, {result.created} created, "
            f"{result.skipped} already present ({seconds} s)"
        )
        self.stdout.write(f"demo users (password for new users: {result.password}):")
        for user in result.users:
            state = "created" if user.created else "exists"
            self.stdout.write(f"  {user.username:<22} {user.role:<20} {user.scope}  [{state}]")

    def _sign_ins(self, result: demo.DemoResult) -> None:
        """The demo's sign-ins in Chinese, one per role (what ``make demo`` prints last)."""
        self.stdout.write(_("Demo sign-ins (password %(password)s):") % {"password": result.password})
        for user in result.users:
            role = str(Role(user.role).label) if user.role in Role.values else _("Superuser")
            self.stdout.write(f"  {user.username:<22} {role:<10}  {user.scope}")
