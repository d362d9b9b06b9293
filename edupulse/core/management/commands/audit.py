from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edupulse.core import audit


class Command(BaseCommand):
    help = "Audit trail tools. 'edupulse audit verify' checks the hash chain and names the first broken row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit.verify()
        if not result.ok:
            raise CommandError(
                f"audit chain BROKEN at row {result.broken_sequence}: {result.reason} "
                f"({result.checked} rows before it are intact)"
            )
        self.stdout.write(f"audit chain OK: {result.checked} rows verified")
