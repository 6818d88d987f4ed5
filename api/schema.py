"""The OpenAPI schema (drf-spectacular) covers this API's paths only."""

from drf_spectacular.openapi import AutoSchema

API_PREFIX = "/api/v1/"


def only_this_api(endpoints, **kwargs):
    """Preprocessing hook: leave out any other DRF view in the URL map."""
    return [
        (path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
        if path.startswith(API_PREFIX)
        and not path.startswith((f"{API_PREFIX}schema", f"{API_PREFIX}docs"))
    ]


class ApiAutoSchema(AutoSchema):
    """Operations grouped by resource on the docs page: departments, hospitals, cancer types,
    services, trials, search (the root: "about")."""

    def get_tags(self):
        rest = self.path[len(API_PREFIX) :] if self.path.startswith(API_PREFIX) else ""
        return [rest.split("/")[0] or "about"]
