"""Two staff members save one department at the same moment, on an SQLite file database.

Run by tests/test_staff_input.py in a subprocess (`python -m tests.sqlite_simultaneous_saves`,
with DATABASE_URL naming an SQLite file): the suite's own SQLite database lives in memory with
a shared cache, whose locking is not what a deployment's file database does. Each save runs in
its own thread with its own connection, as two gunicorn workers would; each save is slowed
down so that the two overlap. Prints the outcome as JSON.
"""

import json
import os
import threading
import time

import django


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncology_portal.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from departments import admin as departments_admin
    from departments.models import Department, Hospital

    from .helpers import admin_url, change_form_id, form_data, make_curator

    call_command("migrate", verbosity=0)
    hospital = Hospital.objects.create(name="Simultaneous Hospital", slug="simultaneous")
    department = Department.objects.create(
        hospital=hospital, name="Simultaneous Department", slug="simultaneous", kind="medical"
    )
    curator = make_curator("simultaneous-curator")
    url = admin_url(Department, "change", department.pk)
    clients, forms = [], []
    for number in range(2):
        client = Client(raise_request_exception=False)
        client.force_login(curator)
        page = client.get(url)
        forms.append(form_data(page, change_form_id(Department), phone=f"0571-000{number}"))
        clients.append(client)
    connection.close()

    original_save = departments_admin.TrackedAdmin.save_model

    def slow_save(self, request, obj, form, change):
        time.sleep(0.5)  # both saves are under way at once
        return original_save(self, request, obj, form, change)

    departments_admin.TrackedAdmin.save_model = slow_save
    start = threading.Barrier(2)
    outcomes = [None, None]

    def save(number):
        from django.db import connection as own_connection

        start.wait()
        response = clients[number].post(url, forms[number])
        page = response.content.decode(errors="replace")
        outcomes[number] = {
            "status": response.status_code,
            "conflict": "Your changes have not been saved" in page,
            "locked": "database is locked" in page,
        }
        own_connection.close()

    threads = [threading.Thread(target=save, args=(number,)) for number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    department.refresh_from_db()
    print(
        json.dumps(
            {
                "outcomes": outcomes,
                "phone": department.phone,
                "history": department.history.count(),
            }
        )
    )


if __name__ == "__main__":
    main()
