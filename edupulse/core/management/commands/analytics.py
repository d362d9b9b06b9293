from __future__ import annotations

import csv
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edupulse.core import analytics


class Command(BaseCommand):
    help = ("The embedded analytics store (DuckDB). 'sync' refreshes the published tables from the database; "
            "'sql QUERY' runs a read-only query and prints CSV.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["sync", "sql", "tables"])
        parser.add_argument("query", nargs="?", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        operation = options["operation"]
        if operation == "sync":
            counts = analytics.sync_all(progress=lambda table, n: self.stderr.write(f"  {table}: {n} rows"))
            self.stdout.write(f"analytics store synced: {sum(counts.values())} rows in {len(counts)} tables")
            return
        try:
            connection = analytics.connect(read_only=True)
        except Exception as exc:  # DuckDB raises its own IOException when the file does not exist yet
            raise CommandError(f"analytics store not available ({exc}); run 'edupulse analytics sync' first") from exc
        with connection:
            if operation == "tables":
                for (name,) in connection.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall():
                    self.stdout.write(name)
                return
            if not options["query"]:
                raise CommandError("give the SQL query to run, e.g. edupulse analytics sql 'SELECT count(*) FROM schools'")
            try:
                result = connection.execute(options["query"])
            except Exception as exc:
                raise CommandError(f"query failed: {exc}") from exc
            writer = csv.writer(sys.stdout)
            writer.writerow([d[0] for d in result.description or []])
            writer.writerows(result.fetchall())
