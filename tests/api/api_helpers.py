"""Helpers shared by the tests in tests/api (imported as ``api_helpers``)."""

from __future__ import annotations

import re
import socket
from typing import Any

from jsonschema import Draft202012Validator

PRODUCT = "aluminium-coil"
"""Product the tests use (declared unit kg)."""


class SpecClient:
    """Flask test client that validates every response against the app's OpenAPI document."""

    def __init__(self, app):
        self.client = app.test_client()
        self.spec = self.client.get("/openapi.json").get_json()
        self._paths = [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$"), p)
                       for p in self.spec["paths"]]

    def template(self, path: str) -> str | None:
        """Return the spec path template matching ``path`` (None for unknown routes)."""
        path = path.split("?", 1)[0]
        for regex, template in self._paths:
            if regex.match(path):
                return template
        return None

    def check(self, method: str, path: str, resp) -> None:
        """Assert that ``resp`` is documented for ``method path`` and matches its schema."""
        if resp.status_code >= 400:
            assert resp.mimetype == "application/problem+json", resp.data
            body = resp.get_json()
            for key in ("type", "title", "status", "detail"):
                assert key in body, body
            assert body["status"] == resp.status_code
        template = self.template(path)
        if template is None or method.lower() not in self.spec["paths"][template]:
            assert resp.status_code in (404, 405), (method, path, resp.status_code)
            return
        op = self.spec["paths"][template][method.lower()]
        responses = op["responses"]
        doc = responses.get(str(resp.status_code)) or responses.get("default")
        assert doc is not None, f"{method} {template} answers {resp.status_code}, not documented"
        if "$ref" in doc:
            doc = self.spec["components"]["responses"][doc["$ref"].rsplit("/", 1)[-1]]
        content = doc.get("content") or {}
        media = resp.mimetype
        if resp.status_code >= 400 and media not in content:
            media = "application/problem+json"
        assert media in content, f"{method} {template} {resp.status_code}: {resp.mimetype} " \
                                 f"not in {list(content)}"
        if not (media == "application/json" or media.endswith("+json")):
            return  # a file (CSV, xlsx, PDF): documented media type, no JSON body to check
        schema = {**content[media]["schema"], "components": self.spec["components"]}
        if media.endswith("json"):
            body = resp.get_json()
        elif media.startswith("text/"):
            body = resp.get_data(as_text=True)      # e.g. the audit as text/markdown
        else:
            return                                  # binary (PDF): nothing to validate
        errors = sorted(Draft202012Validator(schema).iter_errors(body),
                        key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])

    def open(self, method: str, path: str, **kwargs):
        resp = self.client.open(path, method=method, **kwargs)
        self.check(method, path, resp)
        return resp

    def get(self, path: str, **kwargs):
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.open("POST", path, **kwargs)


def problem(resp, status: int) -> dict[str, Any]:
    """Assert ``resp`` is a problem+json with ``status``; return its body."""
    assert resp.status_code == status, (resp.status_code, resp.data[:500])
    assert resp.mimetype == "application/problem+json"
    return resp.get_json()


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
