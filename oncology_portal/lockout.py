"""The page django-axes answers with while logins are paused (AXES_LOCKOUT_CALLABLE).

429 Too Many Requests with `Retry-After` (the cool-off, in seconds) and a page that says what
happened and what to do, in the admin's look. It never says whether the username or the
address tripped the limit, nor whether the username exists.
"""

import math

from django.conf import settings
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    cooloff = settings.AXES_COOLOFF_TIME
    seconds = int(cooloff.total_seconds()) if cooloff else 0
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": math.ceil(seconds / 60),
        "site_header": None,
    }
    response = render(request, "admin/lockout.html", context, status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response
