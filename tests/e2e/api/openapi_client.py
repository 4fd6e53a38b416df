"""A client that knows the API only through its OpenAPI document, as an ERP integration generated from it would.

It finds operations by `operationId`, puts each argument where the document says (path, query or body), refuses an
argument the document does not list, checks the request body against the documented schema before sending, and
checks that the answer's status is documented and its body matches the documented schema. It logs in through the
security scheme the document names. Nothing here imports cobro.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
from fastapi.testclient import TestClient

JSON = "application/json"


class ContractError(AssertionError):
    """The server or the caller left the document's contract."""


class OpenApiClient:
    def __init__(self, http: TestClient, document: dict[str, Any]) -> None:
        self.http, self.document = http, document
        self.headers: dict[str, str] = {}
        self.operations: dict[str, tuple[str, str, dict[str, Any]]] = {
            op["operationId"]: (method, path, op)
            for path, ops in document["paths"].items() for method, op in ops.items()}

    @classmethod
    def discover(cls, http: TestClient, url: str = "/api/v1/openapi.json") -> OpenApiClient:
        answer = http.get(url)
        if answer.status_code != 200 or not answer.json().get("openapi", "").startswith("3."):
            raise ContractError(f"no OpenAPI 3 document at {url}")
        return cls(http, answer.json())

    def login(self, username: str, password: str) -> None:
        """The OAuth2 password flow the document names: its token URL, the form fields of RFC 6749."""
        flow = self.document["components"]["securitySchemes"]["password"]["flows"]["password"]
        answer = self.http.post(flow["tokenUrl"], data={"grant_type": "password", "username": username,
                                                        "password": password})
        if answer.status_code != 200:
            raise ContractError(f"login refused: {answer.status_code} {answer.text}")
        self.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def call(self, operation_id: str, body: Any = None, *, expect: int | None = None, **arguments: Any) -> Any:
        method, path, operation = self.operations[operation_id]
        where = {p["name"]: p["in"] for p in operation.get("parameters", [])}
        unknown = set(arguments) - set(where)
        if unknown:
            raise ContractError(f"{operation_id} takes no {sorted(unknown)} (it takes {sorted(where)})")
        url = path.format(**{k: v for k, v in arguments.items() if where[k] == "path"})
        query = {k: v for k, v in arguments.items() if where[k] == "query"}
        headers = dict(self.headers) | {k: str(v) for k, v in arguments.items() if where[k] == "header"}
        if body is not None:
            self._validate(operation["requestBody"]["content"][JSON]["schema"], body, f"{operation_id} request")
        answer = self.http.request(method.upper(), url, params=query, json=body, headers=headers)
        documented = operation["responses"]
        status = str(answer.status_code)
        if status not in documented and "default" not in documented:
            raise ContractError(f"{operation_id} answered {status}, documented {sorted(documented)}: {answer.text}")
        if expect is not None and answer.status_code != expect:
            raise ContractError(f"{operation_id} answered {status}, expected {expect}: {answer.text}")
        content = documented.get(status, documented.get("default", {})).get("content", {})
        media = next((m for m in content if m.endswith("json")), None)
        if media is None or not answer.content:
            return None
        result = answer.json()
        if "schema" in content[media]:
            self._validate(content[media]["schema"], result, f"{operation_id} answer {status}")
        return result

    def _validate(self, schema: dict[str, Any], value: Any, what: str) -> None:
        rooted = {**schema, "components": self.document.get("components", {})}  # "#/components/..." resolves
        errors = [e.message for e in jsonschema_rs.validator_for(rooted).iter_errors(value)]
        if errors:
            raise ContractError(f"{what} does not match the document: {errors[:3]}")
