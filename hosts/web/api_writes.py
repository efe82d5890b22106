"""What the JSON API's money writes share: a body decoded once and strictly, a lighter guard call.

- :class:`StrictJSONRequest` decodes the body straight into the handler's ``data`` Struct with
  msgspec's strict rules, once. Litestar's own path decodes the JSON to dicts, then converts
  laxly (the string ``"5"`` would become the integer 5), which money must not accept: an
  amount is a JSON integer in the smallest unit. Litestar then passes the Struct through
  unchanged. Errors are Litestar's 400 naming the field; the OpenAPI document is unchanged
  (``data: JSONBody[SaleIn]`` still declares the body).
- :class:`ApiWrite` is a route handler whose guards receive the handler itself: Litestar
  hands each guard a copy of the handler, about 8 µs per request on the payment path
  (docs/performance.md); our guards never look at the handler, let alone change it.
- :func:`api_post` is ``@post`` with both.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import HttpMethod, Request
from litestar.connection import ASGIConnection
from litestar.exceptions import ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.types import Empty

__all__ = ["ApiWrite", "StrictJSONRequest", "api_post", "decode_strict"]

_DECODERS: dict[type[Any], msgspec.json.Decoder[Any]] = {}


def decode_strict(raw: bytes, kind: Any, where: str) -> Any:
    """``raw`` JSON decoded as ``kind`` with msgspec's strict rules; 400 naming the field."""
    decoder = _DECODERS.get(kind)
    if decoder is None:
        decoder = _DECODERS[kind] = msgspec.json.Decoder(kind)
    try:
        return decoder.decode(raw)
    except msgspec.ValidationError as exc:
        path = str(exc).rpartition("at `$.")[2].rstrip("`")
        problem = {"message": str(exc), "key": path if path != str(exc) else "", "source": "body"}
    except msgspec.DecodeError as exc:
        problem = {"message": f"invalid JSON: {exc}", "key": "", "source": "body"}
    raise ValidationException(detail=f"Validation failed for {where}", extra=[problem])


class StrictJSONRequest(Request[Any, Any, Any]):
    """A request whose JSON body decodes straight into the route's ``data`` type, strictly."""

    async def json(self) -> Any:
        """The body as the handler's ``data`` Struct (see the module); cached like Litestar's."""
        if self._json is Empty:
            field = self.route_handler.parsed_data_field
            if field is None:  # a handler without a body: Litestar's own reading
                return await super().json()
            where = f"{self.scope['method']} {self.scope['path']}"  # e.g. ``PayIn | None`` too
            self._json = decode_strict(await self.body(), field.annotation, where)
        return self._json


class ApiWrite(HTTPRouteHandler):
    """A route handler whose guards get the handler itself instead of a copy each."""

    async def authorize_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        """Run the route's guards (see the module for why no copy)."""
        for guard in self.resolve_guards():
            await guard(connection, self)  # type: ignore[misc]


def api_post(path: str, **options: Any) -> ApiWrite:
    """``@post`` for the JSON API's writes: strict single decode, guards without copies."""
    return ApiWrite(path, http_method=HttpMethod.POST, request_class=StrictJSONRequest, **options)
