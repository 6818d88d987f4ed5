#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

# Commands that never change portal data; any other moves the page cache's data version.
READ_ONLY_COMMANDS = {
    "runserver",
    "check",
    "help",
    "makemigrations",
    "showmigrations",
    "test",
    "collectstatic",
    "compilemessages",
    "makemessages",
    "diffsettings",
    "version",
    "sqlmigrate",
    "dumpdata",
    "backup_portal",
}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncology_portal.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
    if len(sys.argv) > 1 and sys.argv[1] not in READ_ONLY_COMMANDS:
        # Whatever a command wrote (bulk writes send no signals), cached pages are now stale.
        from oncology_portal.pagecache import bump_data_version

        try:
            bump_data_version()
        except Exception as exc:  # the cache may be unreachable (e.g. before Redis starts)
            sys.stderr.write(f"Warning: the page cache's data version was not moved: {exc}\n")


if __name__ == "__main__":
    main()
