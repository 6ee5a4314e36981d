"""``manage.py setup_demo``: migrate when needed, then ``seed_demo``, in one process."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    """Bring the demo database up to date and seed it (idempotent)."""

    help = "Apply pending migrations (if any) and seed the demo desk."

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            self.stdout.write(f"setup_demo: applying {len(plan)} migration(s)")
            call_command("migrate", interactive=False, verbosity=0)
        else:
            self.stdout.write("setup_demo: database is up to date")
        call_command("seed_demo", stdout=self.stdout, stderr=self.stderr)
