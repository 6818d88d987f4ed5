"""python manage.py add_department_editor USERNAME DEPARTMENT_SLUG [--create]"""

import difflib

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from departments.models import Department
from departments.permissions import grant_department_editor


class Command(BaseCommand):
    help = (
        "Let a staff user edit one department (and what belongs to it) in admin. With --create, "
        "create the user first: a staff user without a usable password (set one, or use a "
        "password reset, before they log in)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("department_slug")
        parser.add_argument(
            "--create",
            action="store_true",
            help="Create the user if there is none with that username.",
        )

    def handle(self, *args, username, department_slug, create, **options):
        department = Department.objects.filter(slug=department_slug).first()
        if department is None:
            slugs = list(Department.objects.values_list("slug", flat=True))
            close = difflib.get_close_matches(department_slug, slugs, n=3)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise CommandError(f"No department with slug '{department_slug}'.{hint}")
        User = get_user_model()
        with transaction.atomic():
            user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
            created_user = False
            if user is None:
                if not create:
                    raise CommandError(
                        f"No user '{username}'. Use --create to create a staff user without "
                        "a usable password."
                    )
                user = User(**{User.USERNAME_FIELD: username}, is_staff=True)
                user.set_unusable_password()
                user.full_clean(exclude=["password"])
                user.save()
                created_user = True
            _link, created = grant_department_editor(user=user, department=department)
        if created_user:
            self.stdout.write(f"Created staff user '{username}' (no usable password yet).")
        if created:
            message = f"'{username}' can now edit {department} ({department.slug}) in admin."
        else:
            message = (
                f"'{username}' already edits {department} ({department.slug}); nothing changed."
            )
        self.stdout.write(self.style.SUCCESS(message))
