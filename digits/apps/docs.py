"""/docs: Swagger UI for the API, from files that a package ships (fastapi-offline), not a CDN.

FastAPI's own /docs page starts Swagger UI with an inline script, which the pages' strict
Content-Security-Policy forbids, and loads it from a CDN; this one loads everything from the app.
"""
from importlib.resources import files

from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_UI = files("fastapi_offline") / "static"  # swagger-ui-bundle.js, swagger-ui.css
DOCS_PAGE = files("digits.apps") / "web" / "docs.html"  # it runs web/docs.js


def add_docs(app, headers):
    """Serve /docs (with these headers) and Swagger UI's files under /docs/swagger-ui."""
    app.mount("/docs/swagger-ui", StaticFiles(directory=str(SWAGGER_UI)), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    async def docs():
        return FileResponse(str(DOCS_PAGE), headers=headers)
