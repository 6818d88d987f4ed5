"""python manage.py backup_portal FILE — every row of every table, history included, losslessly.

See oncology_portal/backup.py for the format; restore with `restore_portal FILE`.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from oncology_portal.backup import write_backup


class Command(BaseCommand):
    help = (
        "Write every row of every table (history, users, link tables included) to FILE, "
        "JSON Lines, gzip-compressed if FILE ends in .gz. Restore with restore_portal."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write it, e.g. portal-2026-12-01.jsonl.gz")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        try:
            counts = write_backup(options["file"], using=options["database"])
        except OSError as exc:
            raise CommandError(f"Cannot write {options['file']}: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {sum(counts.values())} rows of {len(counts)} tables "
                f"to {options['file']}."
            )
        )
