"""The OpenAPI pages: the JSON document and a plain HTML index, no JavaScript, no CDN.

Litestar's interactive viewers (Redoc, Swagger UI, Scalar) load their code from a CDN, which a
festival's offline network cannot reach. ``/schema`` therefore renders a server-side list of the
operations, linking to the JSON document at ``/schema/openapi.json`` that any OpenAPI tool reads.
"""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin

__all__ = ["SchemaIndexPlugin", "openapi_config"]

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


class SchemaIndexPlugin(OpenAPIRenderPlugin):
    """Renders ``/schema`` as an HTML table of operations with a link to the JSON document."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(path="/", **kwargs)

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """The HTML index of the API."""
        info = openapi_schema.get("info", {})
        rows = []
        for path, item in sorted(openapi_schema.get("paths", {}).items()):
            for method in _METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                summary = operation.get("summary") or operation.get("operationId", "")
                rows.append(
                    f"<tr><td><code>{method.upper()}</code></td><td><code>{escape(path)}</code>"
                    f"</td><td>{escape(str(summary))}</td></tr>"
                )
        json_url = escape(self.get_openapi_json_route(request))
        title = escape(f"{info.get('title', 'API')} {info.get('version', '')}".strip())
        return (
            '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
            f"<title>{title}</title>"
            '<link rel="stylesheet" href="/-/static/tirelire.css"></head><body><main>'
            f"<h1>{title}</h1>"
            f'<p>Document OpenAPI : <a href="{json_url}">{json_url}</a></p>'
            "<table><thead><tr><th>Méthode</th><th>Chemin</th><th>Résumé</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></main></body></html>"
        ).encode()


def openapi_config(title: str, version: str) -> OpenAPIConfig:
    """OpenAPI served at ``/schema`` (HTML index) and ``/schema/openapi.json`` (the document)."""
    return OpenAPIConfig(
        title=title,
        version=version,
        path="/schema",
        render_plugins=[SchemaIndexPlugin(), JsonRenderPlugin(path="/openapi.json")],
    )
