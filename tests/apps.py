"""One ASGI app per test process, rebound to each test's container.

Building the app costs ~0.2–0.5 s (FastAPI clones every route and builds its pydantic fields on `include_router`),
which over ~600 API and page tests was minutes of the suite. The app keeps nothing of a container except
`app.state.container` and `app.state.features`, read per request, so a test rebinds those two (and empties
the rate limiter's counts) and gets an app that
behaves as a freshly built one. A test that needs its own settings builds its own app with `create_app`.
"""

from __future__ import annotations

from fastapi import FastAPI

from cobro.app.http import create_app
from cobro.platform.container import Container
from cobro.platform.db.features import detect_features

_APPS: dict[str, FastAPI] = {}


def app_for(container: Container) -> FastAPI:
    """The process's app for these settings (the database URL aside), bound to `container`."""
    key = container.settings.model_copy(update={"database_url": ""}).model_dump_json()
    app = _APPS.get(key)
    if app is None:
        app = _APPS[key] = create_app(container=container)
    app.state.container, app.state.features = container, detect_features(container.engine)
    app.state.rate_limiter.reset()  # counts from earlier tests must not spend this one's budget
    return app
