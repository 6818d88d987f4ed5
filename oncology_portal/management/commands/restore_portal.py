"""python manage.py restore_portal FILE — restore a `backup_portal` file into this database.

The database must be migrated to the backup's release and hold no data (or pass --replace).
All or nothing: on any error nothing changes. See oncology_portal/backup.py.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from oncology_portal.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup_portal FILE: every row as it was, history included. The database "
        "must be migrated and empty of portal data (or pass --replace to delete its contents)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete everything in the database first (default: refuse if it holds data).",
        )

    def handle(self, *args, **options):
        try:
            counts = restore_backup(
                options["file"], using=options["database"], replace=options["replace"]
            )
        except BackupError as exc:
            raise CommandError(f"{exc}") from exc
        except FileNotFoundError as exc:
            raise CommandError(f"No such backup file: {options['file']}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {sum(counts.values())} rows of {len(counts)} tables "
                f"from {options['file']}; every table's row count matches the backup."
            )
        )
