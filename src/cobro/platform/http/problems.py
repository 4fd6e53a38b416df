"""Thin JSON endpoints: parse the request, call one service, shape the answer with a schema."""

from cobro.platform.http.errors import PROBLEM_MEDIA_TYPE
from cobro.platform.http.schemas import Problem

_PROBLEM_CONTENT = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}

# documented on every endpoint that reads a tenant's data (errors.py produces the bodies)
PROBLEMS: dict[int | str, dict[str, object]] = {
    404: {"model": Problem, "description": "Unknown tenant or resource", "content": _PROBLEM_CONTENT},
    422: {"model": Problem, "description": "Invalid parameters", "content": _PROBLEM_CONTENT},
}
