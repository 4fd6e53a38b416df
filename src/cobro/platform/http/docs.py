"""The interactive API docs, `/api/docs` (Swagger UI) and `/api/redoc` (ReDoc), from assets vendored under
`/static/vendor/` (no CDN: the docs work offline and the CSP allows scripts from this origin only).

FastAPI's `get_swagger_ui_html` starts Swagger UI with an inline `<script>`, which the policy forbids, so the page
is written here and `static/api-docs.js` starts it; ReDoc starts itself from its `<redoc spec-url>` element.
The pages are public like `/api/v1/openapi.json` they read: they hold no data, and every call made from them
still needs credentials (Swagger UI's "Authorize").
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cobro.platform.http.auth import public

router = APIRouter(include_in_schema=False)

SWAGGER_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} · API</title>
  <link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi="{openapi}"></div>
  <script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="/static/api-docs.js"></script>
</body>
</html>
"""

REDOC_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} · API reference</title>
</head>
<body>
  <redoc spec-url="{openapi}"></redoc>
  <script src="/static/vendor/redoc/redoc.standalone.js"></script>
</body>
</html>
"""


def _page(template: str, request: Request) -> HTMLResponse:
    app = request.app
    return HTMLResponse(template.format(title=escape(app.title), openapi=escape(app.openapi_url or "")))


@router.get("/api/docs")
@public
def swagger_ui(request: Request) -> HTMLResponse:
    return _page(SWAGGER_PAGE, request)


@router.get("/api/redoc")
@public
def redoc(request: Request) -> HTMLResponse:
    return _page(REDOC_PAGE, request)
