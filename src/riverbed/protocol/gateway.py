"""The gateway: one ASGI app on one port for every service riverbed serves.

Owns: identifying service and operation (``X-Amz-Target`` for JSON
protocols, the path for REST-JSON, ``Action=`` for the query protocol),
the caller's account and region (SigV4 credential scope), request validation
against the botocore model, calling the operation, and serializing the
result or the error exactly as AWS does.  Also the health check and the
mounting point for ``/_riverbed/`` control routes.

Must not: contain anything service-specific; services are registered as
:class:`ServiceSpec` values by the composition root (``app.py``).
"""

from __future__ import annotations

import inspect
import logging
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import orjson

from riverbed import ids
from riverbed.errors import (
    InternalServerError,
    SerializationException,
    ServiceError,
    UnknownOperationException,
)
from riverbed.protocol.context import RequestContext, credential_scope

log = logging.getLogger("riverbed.gateway")

Operation = Callable[[RequestContext, dict], dict | Awaitable[dict]]


@dataclass
class ServiceSpec:
    name: str                         # botocore service name, e.g. "dynamodb"
    protocol: str                     # "json" | "rest-json" | "query"
    operations: dict[str, Operation]
    target_prefix: str = ""           # JSON protocols: X-Amz-Target prefix
    error_prefix: str = ""            # JSON protocols: "__type" namespace ("com.amazonaws.dynamodb.v20120810#")
    json_version: str = "1.0"
    validate: bool = True
    # Replaces the model validator for a service that answers some violations in its own words (Lambda).
    validator: Callable[[Any, str, dict], None] | None = None
    signing_names: tuple[str, ...] = ()   # query protocol: SigV4 service names routed here
    query_error_headers: bool = False     # SQS JSON: x-amzn-query-error header
    _is_async: dict[str, bool] = field(default_factory=dict)

    def check(self, model: Any, op: str, request: dict) -> None:
        if not self.validate:
            return
        if self.validator is not None:
            self.validator(model, op, request)
            return
        from riverbed.protocol.validate import validate_input

        validate_input(model, op, request)

    def is_async(self, op: str) -> bool:
        cached = self._is_async.get(op)
        if cached is None:
            cached = self._is_async[op] = inspect.iscoroutinefunction(self.operations[op])
        return cached


Response = tuple[int, list[tuple[bytes, bytes]], bytes]
Route = Callable[[dict, bytes], Awaitable[Response]]


class Gateway:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.by_target: dict[str, ServiceSpec] = {}
        self.by_signing_name: dict[str, ServiceSpec] = {}
        self.rest: list[ServiceSpec] = []
        self.extra_routes: list[tuple[str, Route]] = []   # (path prefix, handler) e.g. /_riverbed/
        self._models: dict[str, Any] = {}
        self._routers: dict[str, Any] = {}

    # --- registration -----------------------------------------------------------------
    def register(self, spec: ServiceSpec) -> None:
        """Register a service; a second spec with the same name adds its operations to the first."""
        for existing in list(self.by_target.values()) + self.rest + list(self.by_signing_name.values()):
            if existing.name == spec.name:
                existing.operations.update(spec.operations)
                existing._is_async.clear()
                return
        if spec.protocol == "json":
            self.by_target[spec.target_prefix] = spec
        elif spec.protocol == "rest-json":
            self.rest.append(spec)
        for name in spec.signing_names:
            self.by_signing_name[name] = spec

    def mount(self, prefix: str, handler: Route) -> None:
        """Serve paths under ``prefix`` with ``handler``; the longest matching prefix wins."""
        self.extra_routes.append((prefix, handler))
        self.extra_routes.sort(key=lambda route: len(route[0]), reverse=True)

    def model(self, service: str) -> Any:
        m = self._models.get(service)
        if m is None:
            from riverbed.protocol.models import load_service_model

            m = self._models[service] = load_service_model(service)
        return m

    # --- ASGI -------------------------------------------------------------------------------
    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        try:
            status, headers, payload = await self.handle(scope, body)
        except Exception:  # never a traceback on the wire
            log.exception("unhandled error")
            err = InternalServerError("Internal server error")
            status, headers, payload = 500, [(b"content-type", b"application/x-amz-json-1.0")], \
                orjson.dumps({"__type": err.code, "message": err.message})
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    async def _lifespan(self, receive: Callable, send: Callable) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.app.start()
                except Exception as exc:  # pragma: no cover - surfaced by uvicorn
                    await send({"type": "lifespan.startup.failed", "message": repr(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.app.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # --- routing ------------------------------------------------------------------------------
    async def handle(self, scope: dict, body: bytes) -> Response:
        headers = _headers(scope)
        target = headers.get("x-amz-target")
        if target:
            prefix, _, op = target.partition(".")
            spec = self.by_target.get(prefix)
            if spec is not None:
                return await self._json(spec, op, headers, body)
            return _json_error(UnknownOperationException(""), "com.amazon.coral.service#", ids.request_id())
        path = scope.get("path", "/")
        for prefix, route in self.extra_routes:
            if path.startswith(prefix):
                return await route(scope, body)
        method = scope.get("method", "GET")
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        for spec in self.rest:
            router = self._router(spec)
            match = router.match(method, path, query=query)
            if match is not None:
                return await self._rest(spec, match, query, headers, body)
        ctype = headers.get("content-type", "")
        if method == "POST" and "x-www-form-urlencoded" in ctype or (method == "GET" and scope.get("query_string")):
            return await self._query(scope, headers, body)
        if path in ("/", "/_riverbed/health", "/health") and method in ("GET", "HEAD"):
            payload = orjson.dumps({"status": "running", "service": "riverbed", "version": _version()})
            return 200, [(b"content-type", b"application/json")], payload
        return 404, [(b"content-type", b"application/json")], orjson.dumps({"message": "Not Found"})

    def _router(self, spec: ServiceSpec) -> Any:
        router = self._routers.get(spec.name)
        if router is None:
            from riverbed.protocol.restjson import RestJsonRouter

            router = self._routers[spec.name] = RestJsonRouter(self.model(spec.name))
        return router

    def _context(self, spec: ServiceSpec, op: str, headers: dict[str, str]) -> RequestContext:
        settings = self.app.settings
        scope = credential_scope(headers.get("authorization"))
        region = settings.region
        access_key = ""
        if scope is not None:
            access_key, _, region, _ = scope
        return RequestContext(app=self.app, service=spec.name, operation=op, account=settings.account,
                              region=region or settings.region, request_id=ids.request_id(),
                              host=headers.get("host", f"{settings.host}:{settings.port}"), access_key=access_key)

    # --- JSON 1.0 / 1.1 ------------------------------------------------------------------------
    async def _json(self, spec: ServiceSpec, op: str, headers: dict[str, str], body: bytes) -> Response:
        ctx = self._context(spec, op, headers)
        func = spec.operations.get(op)
        if func is None:
            return self._json_error(spec, UnknownOperationException(""), ctx)
        try:
            try:
                request = orjson.loads(body) if body else {}
            except orjson.JSONDecodeError:
                raise SerializationException("Start of structure or map found where not expected.") from None
            if not isinstance(request, dict):
                raise SerializationException("Start of structure or map found where not expected.")
            spec.check(self.model(spec.name), op, request)
            result = func(ctx, request)
            if spec.is_async(op):
                result = await result  # type: ignore[misc]
        except ServiceError as exc:
            return self._json_error(spec, exc, ctx)
        payload = orjson.dumps(result)
        return 200, [
            (b"content-type", b"application/x-amz-json-" + spec.json_version.encode()),
            (b"x-amzn-requestid", ctx.request_id.encode()),
            (b"x-amz-crc32", str(zlib.crc32(payload)).encode()),
        ], payload

    def _json_error(self, spec: ServiceSpec, exc: ServiceError, ctx: RequestContext) -> Response:
        self.app.on_error(spec.name, ctx, exc)
        status, headers, payload = _json_error(exc, spec.error_prefix, ctx.request_id, spec.json_version)
        if spec.query_error_headers:
            legacy = exc.extra.get("__query_code", exc.code) if exc.extra else exc.code
            fault = "Sender" if exc.sender else "Receiver"
            headers.append((b"x-amzn-query-error", f"{legacy};{fault}".encode()))
        return status, headers, payload

    # --- REST-JSON ---------------------------------------------------------------------------------
    async def _rest(self, spec: ServiceSpec, match: tuple[str, dict], query: dict[str, list[str]],
                    headers: dict[str, str], body: bytes) -> Response:
        from riverbed.protocol.restjson import (
            parse_restjson_request,
            serialize_restjson_error,
            serialize_restjson_response,
        )

        op, path_params = match
        ctx = self._context(spec, op, headers)
        model = self.model(spec.name)
        try:
            func = spec.operations.get(op)
            if func is None:
                raise ServiceError(f"Operation {op} is not supported by riverbed", code="UnknownOperationException")
            request = parse_restjson_request(model, op, path_params, query, headers, body)
            spec.check(model, op, request)
            result = func(ctx, request)
            if spec.is_async(op):
                result = await result  # type: ignore[misc]
            status, out_headers, payload = serialize_restjson_response(model, op, result)
        except ServiceError as exc:
            self.app.on_error(spec.name, ctx, exc)
            status, out_headers, payload = serialize_restjson_error(exc, model=model)
        hdrs = [(k.lower().encode(), str(v).encode()) for k, v in out_headers.items()]
        hdrs.append((b"x-amzn-requestid", ctx.request_id.encode()))
        if not any(k == b"content-type" for k, _ in hdrs):
            hdrs.append((b"content-type", b"application/json"))
        return status, hdrs, payload

    # --- query protocol (form-encoded, XML answers) -------------------------------------------------
    async def _query(self, scope: dict, headers: dict[str, str], body: bytes) -> Response:
        from riverbed.protocol.query import (
            parse_query_request,
            serialize_query_error,
            serialize_query_response,
        )

        raw = body.decode("utf-8") if scope.get("method") == "POST" else scope.get("query_string", b"").decode()
        form = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        cred = credential_scope(headers.get("authorization"))
        signing = cred[3] if cred else ""
        spec = self.by_signing_name.get(signing)
        if spec is None and scope.get("path", "/").count("/") >= 2:
            spec = self.by_signing_name.get("sqs")    # legacy SQS queue-URL form posts
        if spec is None:
            return 400, [(b"content-type", b"text/xml")], serialize_query_error(
                ServiceError(f"Service {signing!r} is not served by riverbed", code="InvalidAction"), ids.request_id())
        model = self.model(spec.name)
        action = form.get("Action", "")
        ctx = self._context(spec, action, headers)
        try:
            op, request = parse_query_request(model, form)
            func = spec.operations.get(op)
            if func is None:
                raise ServiceError(f"The action {op} is not valid for this endpoint.", code="InvalidAction")
            if "QueueUrl" not in request and scope.get("path", "/") not in ("/", ""):
                # Legacy SQS: the queue is named by the URL the form was posted to.
                request["QueueUrl"] = f"http://{ctx.host}{scope['path']}"
            spec.check(model, op, request)
            result = func(ctx, request)
            if spec.is_async(op):
                result = await result  # type: ignore[misc]
            payload = serialize_query_response(model, op, result or {}, ctx.request_id)
            return 200, [(b"content-type", b"text/xml"), (b"x-amzn-requestid", ctx.request_id.encode())], payload
        except ServiceError as exc:
            self.app.on_error(spec.name, ctx, exc)
            return exc.status, [(b"content-type", b"text/xml"), (b"x-amzn-requestid", ctx.request_id.encode())], \
                serialize_query_error(exc, ctx.request_id, model=model)


def _headers(scope: dict) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}


def _json_error(exc: ServiceError, prefix: str, request_id: str, json_version: str = "1.0") -> Response:
    body: dict[str, Any] = {"__type": prefix + exc.code, "message": exc.message}
    if exc.extra:
        body.update({k: v for k, v in exc.extra.items() if not k.startswith("__")})
    payload = orjson.dumps(body)
    headers = [
        (b"content-type", b"application/x-amz-json-" + json_version.encode()),
        (b"x-amzn-requestid", request_id.encode()),
        (b"x-amz-crc32", str(zlib.crc32(payload)).encode()),
    ]
    headers.extend((k.encode(), v.encode()) for k, v in exc.headers.items())
    return exc.status, headers, payload


def _version() -> str:
    from riverbed import __version__

    return __version__

