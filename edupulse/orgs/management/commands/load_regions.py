from typing import Any

from django.core.management.base import BaseCommand

from edupulse.core.actions import run_as_system
from edupulse.orgs import actions


class Command(BaseCommand):
    help = "Load or refresh China's administrative divisions (GB/T 2260, 2022-10-31). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        result = run_as_system(actions.load_regions)
        self.stdout.write(f"regions: {result.total} in file, {result.created} created, {result.updated} updated")
