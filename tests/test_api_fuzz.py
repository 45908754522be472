"""Property-based fuzz of the whole OpenAPI schema (schemathesis): no generated request may cause a 5xx.

Every operation gets up to FUZZ_EXAMPLES generated requests (valid and schema-violating bodies, query
and path values), sent in-process through ASGI with a valid admin key, so the authorised code paths run
(an admin may call every protected endpoint except the trainee-only consent decisions and the
employer-only contact request, which answer 403 — still exercised for the 5xx check). A second pass
sends a trainee key and an employer key to the endpoints whose behaviour depends on the subject.
The data home is a private copy: fuzzed writes and deletes cannot disturb other tests.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from api.app import create_app
from matcher.config import Settings
from tests.support import copy_home, mint_keys

FUZZ_EXAMPLES = int(os.environ.get("MATCHER_FUZZ_EXAMPLES", "20"))
schemathesis.serializer.alias("application/x-ndjson", "text/plain")

# The OpenAPI document is static: build it once at import from an app that is never started (its data
# home is an empty temporary folder). Requests then go to a started app on a copy of the small world.
_SPEC_HOME = Path(tempfile.mkdtemp(prefix="matcher-openapi-"))
atexit.register(shutil.rmtree, _SPEC_HOME, ignore_errors=True)
_SPEC_APP = create_app(Settings(home=_SPEC_HOME))
schema = schemathesis.openapi.from_dict(_SPEC_APP.openapi())


@pytest.fixture(scope="module")
def fuzz_env(small_home, tmp_path_factory):
    home = copy_home(small_home, tmp_path_factory.mktemp("fuzz") / "home")
    keys = mint_keys(home)
    with TestClient(create_app(Settings(home=home)), raise_server_exceptions=False) as client:
        yield client, keys


def _httpx_kwargs(kwargs: dict) -> dict:
    """schemathesis serialises for `requests`; TestClient speaks httpx."""
    out = {k: v for k, v in kwargs.items() if k in ("method", "url", "headers", "params", "json")}
    if "data" in kwargs and kwargs["data"] is not None:
        data = kwargs["data"]
        out["content"] = data.encode("utf-8") if isinstance(data, str) else data
    return out


SUBJECT_PATHS = ("/api/trainees/", "/api/postings/", "/api/employer/")


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_no_server_errors(case, fuzz_env):
    client, keys = fuzz_env
    roles = ["admin"]
    if case.path.startswith(SUBJECT_PATHS):
        roles += ["trainee", "employer"]
    for role in roles:
        kwargs = case.as_transport_kwargs(
            base_url="http://testserver", headers={"Authorization": f"Bearer {keys[role]}"}
        )
        response = client.request(**_httpx_kwargs(kwargs))
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} as {role} → {response.status_code}: {response.text[:500]}\n"
            f"query={case.query} body={str(case.body)[:500]}"
        )
