"""The API reference page at ``/docs``: Swagger UI over ``/openapi.json``, served offline.

Swagger UI's built files come from the ``flask-swagger-ui`` package (its ``dist/`` folder, the
upstream swagger-ui distribution, pinned in ``pyproject.toml``); only the files the page needs
are served, under ``/docs/assets/``. The page's own start-up script is
``pcf/api/static/docs.js`` at ``/docs/docs.js``. Nothing is fetched from another host: the page
works with no internet access, and Swagger UI's online validator is switched off.

Routes:

- ``GET /docs``: the HTML page;
- ``GET /docs/docs.js``: the start-up script (reads the spec URL from the page);
- ``GET /docs/assets/<name>``: one of :data:`SWAGGER_UI_FILES`.
"""

from __future__ import annotations

from html import escape
from importlib import resources
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, send_file, url_for

SWAGGER_UI_PACKAGE = "flask_swagger_ui"
"""The installed package whose ``dist/`` folder holds the swagger-ui files."""

SWAGGER_UI_FILES = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png",
                    "favicon-16x16.png", "LICENSE", "VERSION")
"""The swagger-ui files served under ``/docs/assets/``; any other name answers 404."""

_PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} API reference</title>
<link rel="stylesheet" href="{css}">
<link rel="icon" type="image/png" sizes="32x32" href="{icon32}">
<link rel="icon" type="image/png" sizes="16x16" href="{icon16}">
<style>body {{ margin: 0; background: #fafafa; }}</style>
</head>
<body>
<noscript><p>This page needs JavaScript. The OpenAPI document is at
<a href="{spec}">{spec}</a>.</p></noscript>
<div id="swagger-ui" data-spec-url="{spec}"></div>
<script src="{bundle}"></script>
<script src="{init}"></script>
</body>
</html>
"""

blp = Blueprint("docs", __name__)


def swagger_ui_dir() -> Path:
    """The folder holding the swagger-ui distribution files.

    Returns
    -------
    pathlib.Path
        ``dist/`` inside the installed ``flask-swagger-ui`` package.

    Raises
    ------
    ModuleNotFoundError
        If ``flask-swagger-ui`` is not installed.
    """
    return Path(str(resources.files(SWAGGER_UI_PACKAGE).joinpath("dist")))


@blp.route("/docs", methods=["GET"])
def page() -> Response:
    """The Swagger UI page; every URL in it points into this application."""
    def asset_url(name: str) -> str:
        return url_for("docs.asset", name=name)

    html = _PAGE.format(
        title=escape(str(current_app.config.get("API_TITLE") or "API")),
        css=asset_url("swagger-ui.css"), bundle=asset_url("swagger-ui-bundle.js"),
        icon32=asset_url("favicon-32x32.png"), icon16=asset_url("favicon-16x16.png"),
        init=url_for("docs.script"), spec=escape(url_for("api-docs.openapi_json")))
    return Response(html, mimetype="text/html")


@blp.route("/docs/docs.js", methods=["GET"])
def script() -> Response:
    """The start-up script of the page (``pcf/api/static/docs.js``)."""
    path = Path(str(resources.files("pcf.api").joinpath("static/docs.js")))
    return send_file(path, mimetype="text/javascript")


@blp.route("/docs/assets/<name>", methods=["GET"])
def asset(name: str) -> Response:
    """One swagger-ui file from :func:`swagger_ui_dir`; names not listed answer 404."""
    if name not in SWAGGER_UI_FILES:
        abort(404)
    mimetype = "text/plain" if name in ("LICENSE", "VERSION") else None
    return send_file(swagger_ui_dir() / name, mimetype=mimetype)


def register_docs(app: Flask) -> None:
    """Serve the Swagger UI reference page at ``/docs`` and its assets.

    Parameters
    ----------
    app : flask.Flask
        The application; flask-smorest's ``Api`` must already be set up on it, since the
        page links to its ``/openapi.json`` (endpoint ``api-docs.openapi_json``).

    Returns
    -------
    None

    Raises
    ------
    ModuleNotFoundError
        If ``flask-swagger-ui`` (the package shipping the swagger-ui files) is not installed.
    """
    if not (swagger_ui_dir() / "swagger-ui-bundle.js").is_file():
        raise ModuleNotFoundError(f"{SWAGGER_UI_PACKAGE} has no dist/swagger-ui-bundle.js")
    app.register_blueprint(blp)
