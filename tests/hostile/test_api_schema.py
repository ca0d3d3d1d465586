"""Fuzz every operation of the served OpenAPI schema (/api/v1/schema, drf-spectacular) with a valid
token: path ids (existing, missing, huge), query parameters and JSON bodies generated from the
schema's own request schemas (by ``from_schema`` below: hypothesis-jsonschema 0.23 crashes on
these schemas with the hypothesis we use), a valid body with fields replaced by generated or
arbitrary values, or arbitrary JSON. No response is a 5xx, and no request raises out of the view
(the test client re-raises what would be a 500)."""

import copy
from datetime import UTC
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from steadyhand.access.roles import Role
from steadyhand.api.tests.factories import api_client, record_json
from steadyhand.core.testing import SmallAgency, make_user
from tests.hostile.support import DB

SCHEMA_URL = "/api/v1/schema"
# Every role that reads or writes through the API, so that refusals do not hide the handlers.
ROLES = [Role.COMMANDER, Role.INTERNAL_AFFAIRS, Role.AGENCY_ADMIN, Role.ANALYST]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
ids = st.one_of(st.integers(0, 50), st.sampled_from([2**31, 2**63 - 1, 2**63, 10**30]))


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values of an (inlined) OpenAPI schema: mostly valid, with its limits as edge cases."""
    if "allOf" in schema:
        return from_schema({k: v for part in schema["allOf"] for k, v in part.items()})
    if "oneOf" in schema or "anyOf" in schema:
        return st.one_of([from_schema(s) for s in schema.get("oneOf", schema.get("anyOf"))])
    options: list[st.SearchStrategy[Any]] = []
    if schema.get("nullable"):
        options.append(st.none())
    if "enum" in schema:
        return st.one_of(*options, st.sampled_from(schema["enum"] or [None]))
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        options.append(
            st.fixed_dictionaries(
                {k: from_schema(v) for k, v in properties.items() if k in required},
                optional={k: from_schema(v) for k, v in properties.items() if k not in required},
            )
        )
    elif kind == "array":
        options.append(st.lists(from_schema(schema.get("items", {})), max_size=3))
    elif kind == "integer":
        options.append(st.integers(-(2**31), 2**31) | st.sampled_from([0, -1, 2**63, 10**30]))
    elif kind == "number":
        options.append(st.floats(allow_nan=False) | st.sampled_from([0.0, -1e308, 1e308]))
    elif kind == "boolean":
        options.append(st.booleans())
    elif kind == "string":
        fmt = schema.get("format")
        if fmt == "date-time":
            options.append(st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()))
        elif fmt == "date":
            options.append(st.dates().map(str))
        longest = schema.get("maxLength", 30)
        options.append(st.text(max_size=min(longest, 30)))
        options.append(st.just("x" * (longest + 1)))
    else:
        options.append(json_values)
    return st.one_of(options)


@st.composite
def near_valid(draw: Any, schema: dict[str, Any], valid: dict[str, Any]) -> dict[str, Any]:
    """A valid body with a few fields (top level or in a nested list) replaced or removed."""
    body = copy.deepcopy(valid)
    properties = schema.get("properties", {})
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(sorted(properties) or ["x"]))
        if draw(st.integers(0, 4)) == 0:
            body.pop(key, None)
            continue
        sub = properties.get(key, {})
        if isinstance(body.get(key), list) and body[key] and "items" in sub:
            i = draw(st.integers(0, len(body[key]) - 1))
            item_schema = sub["items"]
            if isinstance(body[key][i], dict) and item_schema.get("properties"):
                field = draw(st.sampled_from(sorted(item_schema["properties"])))
                body[key][i][field] = draw(
                    from_schema(item_schema["properties"][field]) | json_values
                )
                continue
        body[key] = draw(from_schema(sub) | json_values)
    return body


VALID_BODIES = {"/api/v1/incidents/": record_json}


def _schema(client: Any) -> dict[str, Any]:
    response = client.get(SCHEMA_URL)
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


_SESSIONS: dict[int, tuple[SmallAgency, Any, dict[str, Any]]] = {}


def _session(agency: SmallAgency) -> tuple[Any, dict[str, Any]]:
    """One user, token and schema per test (examples of a test share its database)."""
    key = id(agency)
    if key not in _SESSIONS or _SESSIONS[key][0] is not agency:
        _SESSIONS.clear()
        user = make_user(agency.agency, ROLES, member=agency.sergeant_a1)
        client = api_client(user)
        _SESSIONS[key] = (agency, client, _schema(client))
    return _SESSIONS[key][1], _SESSIONS[key][2]


def _resolve(node: Any, components: dict[str, Any], depth: int = 0) -> Any:
    """Inline ``$ref``s (hypothesis-jsonschema does not follow references into components)."""
    if isinstance(node, dict):
        if "$ref" in node:
            if depth > 8:
                return {}
            name = node["$ref"].rsplit("/", 1)[-1]
            return _resolve(copy.deepcopy(components[name]), components, depth + 1)
        # OpenAPI-only keywords that JSON Schema validators do not know.
        skip = {"readOnly", "writeOnly", "example", "discriminator", "xml", "externalDocs"}
        return {k: _resolve(v, components, depth) for k, v in node.items() if k not in skip}
    if isinstance(node, list):
        return [_resolve(v, components, depth) for v in node]
    return node


def _operations() -> list[tuple[str, str]]:
    """(path, method) of the schema as the app serves it, read once without a database."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (path, method)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    )


OPERATIONS = _operations()


def test_the_schema_lists_operations() -> None:
    assert ("/api/v1/incidents/", "post") in OPERATIONS


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), OPERATIONS)
@DB
@given(data=st.data())
def test_no_operation_answers_a_server_error(
    small_agency: SmallAgency, path: str, method: str, data: Any
) -> None:
    client, schema = _session(small_agency)
    components = schema.get("components", {}).get("schemas", {})
    operation = _resolve(schema["paths"][path][method], components)
    url = path
    query: dict[str, Any] = {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            url = url.replace("{" + parameter["name"] + "}", str(data.draw(ids)))
        elif parameter["in"] == "query" and data.draw(st.booleans()):
            value = data.draw(
                st.one_of(from_schema(parameter.get("schema", {})), st.text(max_size=10))
            )
            query[parameter["name"]] = value if isinstance(value, str) else str(value)
    body: Any = None
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body_schema = content["application/json"]["schema"]
        bodies = [from_schema(body_schema), json_values]
        if path in VALID_BODIES:
            valid = VALID_BODIES[path](case_number=f"FZ-{data.draw(st.integers(0, 10**6))}")
            bodies = [st.just(valid), near_valid(body_schema, valid), *bodies]
        body = data.draw(st.one_of(bodies), label="body")
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items() if "&" not in v)
    response = getattr(client, method)(url, data=body, format="json")
    event(f"{method.upper()} {response.status_code}")
    assert response.status_code < 500, (method, url, body, response.content[:500])


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["limit=9223372036854775808", "offset=9223372036854775808"])
def test_page_numbers_beyond_the_database_integers_are_not_a_server_error(
    small_agency: SmallAgency, query: str
) -> None:
    """Fixed bug: DRF passed ?offset=2**63 (or ?limit=) to the database (SQLite "datatype
    mismatch", PostgreSQL "bigint out of range"), a 500; steadyhand.api.pagination bounds both."""
    client, _schema_json = _session(small_agency)
    for path in ("/api/v1/incidents/", "/api/v1/complaints/", "/api/v1/members/",
                 "/api/v1/imports/"):  # fmt: skip
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, (path, response.status_code)
