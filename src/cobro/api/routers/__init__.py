"""Thin JSON endpoints: parse the request, call one service, shape the answer with a schema."""

from cobro.api.schemas import Problem

# documented on every endpoint that reads a tenant's data (errors.py produces the bodies)
PROBLEMS: dict[int | str, dict[str, object]] = {
    404: {"model": Problem, "description": "Unknown tenant or resource"},
    422: {"model": Problem, "description": "Invalid parameters"},
}
