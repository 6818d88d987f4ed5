"""A bounded property-based run of the API against its own OpenAPI schema (schemathesis).

Every operation gets generated parameters (valid and invalid); no response may be a 5xx, and
every response must match the schema: a documented status code, content type, headers and
body. Bounded to a few examples per operation so the run stays well under a minute.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test.utils import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES_PER_OPERATION = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def keep_the_test_connection():
    """Serve through the WSGI app without closing the test's database connection at each
    request's end (as Django's test client does): the run stays inside the test's transaction,
    on PostgreSQL too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@override_settings(PORTAL_API_THROTTLE_RATE="100000/minute")
def test_every_operation_conforms_to_its_schema(portal_data, keep_the_test_connection):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    tried = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call()
            assert response.status_code < 500, (case.path, case.query, response.text[:300])
            case.validate_response(response, checks=CHECKS)
            tried.append(response.status_code)

        check()
    assert any(status == 200 for status in tried)
    assert any(status == 400 for status in tried)
