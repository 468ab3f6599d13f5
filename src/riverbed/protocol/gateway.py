"""The gateway: one ASGI app on one port for every service riverbed serves.

Owns: identifying service and operation (``X-Amz-Target`` for JSON protocols, the path for
REST-JSON, ``Action=`` for the query protocol), who is calling (the SigV4 signature verified under
``--auth sigv4``; account and principal from the access key's owner through ``Identities``; region from
the credential scope), request validation against the botocore model, authorization of the caller under
``--iam strict`` (action and resources as data on the description), calling the operation, and serializing the
result or the error exactly as AWS does.  Every protocol goes through one dispatch path:
``parse -> validate -> call -> serialize`` (:meth:`Gateway._dispatch`); a :class:`Wire` per protocol
supplies the parse and serialize steps.  Also the health check and the mounting point for
``/_riverbed/`` control routes.

Must not: contain anything service-specific.  Services are :class:`ServiceDescription` values built by
the composition root (``app.py``); their wire quirks (SQS queue URLs as paths, legacy element names,
validation dialects) are data on those descriptions.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import parse_qs

import orjson

from riverbed import ids
from riverbed.core.authorization import authorize
from riverbed.core.context import RequestContext
from riverbed.core.interfaces import Identities, Permissions
from riverbed.core.models import ServiceModel, load_service_model
from riverbed.core.payload import BodyStream, Payload, PayloadError, PayloadSink
from riverbed.core.service import Operation, Result, ServiceDescription
from riverbed.errors import (
    InternalServerError,
    SerializationException,
    ServiceError,
    UnknownOperationException,
)
from riverbed.protocol.auth import credential_scope
from riverbed.protocol.commits import GroupCommit
from riverbed.protocol.signing import SignatureVerifier
from riverbed.storage import StoreConflict

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.config import Settings
    from riverbed.storage.base import Store

log = logging.getLogger("riverbed.gateway")

Headers = list[tuple[bytes, bytes]]
Response = tuple[int, Headers, bytes | BodyStream]   # a BodyStream is sent chunk by chunk
Route = Callable[[dict[str, Any], bytes], Awaitable[Response]]
ErrorListener = Callable[[str, str, ServiceError], None]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
AsgiRoute = Callable[[dict[str, Any], Receive, Send], Awaitable[None]]


class Host(Protocol):
    """What the gateway needs from the application around it (the composition root's ``App``)."""

    settings: Settings
    store: Store
    clock: Clock

    async def start(self) -> None: ...
    async def stop(self) -> None: ...


@dataclass
class Bound:
    """One operation as the gateway calls it: its function, backend and whether it is a coroutine."""

    description: ServiceDescription
    func: Operation
    backend: Any
    is_async: bool


@dataclass
class Call:
    """A parsed request on its way through the dispatch path."""

    description: ServiceDescription
    operation: str
    request: dict[str, Any]


class Gateway:
    def __init__(self, host: Host, on_error: ErrorListener | None = None) -> None:
        self.host = host
        self.on_error = on_error
        self.descriptions: dict[str, ServiceDescription] = {}
        self.by_target: dict[str, ServiceDescription] = {}
        self.by_signing_name: dict[str, ServiceDescription] = {}
        self.path_services: list[ServiceDescription] = []     # query posts to a non-root path (SQS queue URLs)
        self.rest: list[ServiceDescription] = []
        self.rest_xml: list[ServiceDescription] = []          # chosen by signing name or virtual host
        self.bound: dict[tuple[str, str], Bound] = {}
        self.extra_routes: list[tuple[str, Route]] = []   # (path prefix, handler) e.g. /_riverbed/
        self.asgi_routes: list[tuple[str, AsgiRoute]] = []  # streamed answers (server-sent events)
        self._stream_closers: list[Callable[[], None]] = []
        self._routers: dict[str, Any] = {}
        self._actions: dict[tuple[str, str], str] = {}   # (service, operation) -> IAM action name
        self._default_limit: int | None = None   # the largest body of a request not yet tied to a service
        self.identities: Identities | None = None   # who owns an access key (STS, IAM); set by the app
        self.authorizer: Permissions | None = None   # --iam enforce|strict: requests authorized (IAM)
        self.strict = False      # --iam strict: every request; enforce: those on another account's resources
        self.verifier: SignatureVerifier | None = None   # --auth sigv4: every signature verified
        self.root_accounts: dict[str, str] = {}       # root access key -> its account (RIVERBED_ROOT_CREDENTIALS)
        self.commits: GroupCommit | None = None   # set while serving (lifespan): answers wait for the commit
        self.requests_in_flight: Callable[[], int] | None = None   # told by the HTTP server (server.py)

    # --- registration -----------------------------------------------------------------
    def register(self, desc: ServiceDescription) -> None:
        """Serve ``desc``; a second description with the same name adds its operations to the first."""
        self._default_limit = None
        for op, func in desc.operations.items():
            self.bound[(desc.name, op)] = Bound(desc, func, desc.backend, inspect.iscoroutinefunction(func))
        first = self.descriptions.get(desc.name)
        if first is not None:
            first.operations.update(desc.operations)
            return
        self.descriptions[desc.name] = desc
        if desc.protocol == "json":
            self.by_target[desc.target_prefix] = desc
        elif desc.protocol == "rest-json":
            self.rest.append(desc)
        elif desc.protocol == "rest-xml":
            self.rest_xml.append(desc)
        for name in desc.signing_names:
            self.by_signing_name[name] = desc
        if desc.path_member:
            self.path_services.append(desc)

    def mount(self, prefix: str, handler: Route) -> None:
        """Serve paths under ``prefix`` with ``handler``; the longest matching prefix wins."""
        self.extra_routes.append((prefix, handler))
        self.extra_routes.sort(key=lambda route: len(route[0]), reverse=True)

    def mount_asgi(self, prefix: str, handler: AsgiRoute, close: Callable[[], None] | None = None) -> None:
        """Hand paths under ``prefix`` to an ASGI callable that streams its own answer (server-sent events);
        ``close`` ends its open streams when the server shuts down (see :meth:`close_streams`)."""
        self.asgi_routes.append((prefix, handler))
        if close is not None:
            self._stream_closers.append(close)

    def close_streams(self) -> None:
        """End open streamed answers: the HTTP server waits for every response to finish before it stops."""
        for close in self._stream_closers:
            close()

    def model(self, service: str) -> ServiceModel:
        return load_service_model(service)

    # --- ASGI -------------------------------------------------------------------------------
    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]],
                       send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        for prefix, streamed in self.asgi_routes:
            if scope.get("path", "").startswith(prefix):
                await streamed(scope, receive, send)
                return
        request_headers = _headers(scope)         # decoded once per request
        target = request_headers.get("x-amz-target")
        # The REST-XML service addressed (S3), worked out once: it sets the body limit, may spool the body and
        # receives the request.
        rest_xml = None if target else self._rest_xml_description(scope, request_headers)
        limit = self._body_limit(target, rest_xml)
        declared = _content_length(request_headers)
        chunks: list[bytes] = []
        size = 0
        more = declared is None or declared <= limit
        sink = self._body_sink(scope, request_headers, rest_xml) if more else None
        body: bytes | Payload = b""
        try:
            while more:
                message = await receive()
                chunk = message.get("body", b"")
                size += len(chunk)
                if sink is None:
                    chunks.append(chunk)
                elif size <= limit:
                    sink.write(chunk)   # spooled to a file as it arrives (ServiceDescription.body_sink)
                more = message.get("more_body", False) and size <= limit
            if sink is not None and size <= limit:
                body = sink.finish()
        except PayloadError:   # a malformed aws-chunked body: decoding nothing, the wire answers IncompleteBody
            if sink is not None:
                sink.discard()
            sink = None
        except BaseException:
            if sink is not None:
                sink.discard()
            raise
        try:
            if size > limit or (declared is not None and declared > limit):
                # Refused as it arrives: the rest of the body is never read or parsed.
                if sink is not None:
                    sink.discard()
                status, headers, payload = self._too_large(scope, limit)
            else:
                status, headers, payload = await self._route(scope, body if sink is not None else b"".join(chunks),
                                                             request_headers, rest_xml)
            if self.commits is not None and self.commits.pending():
                await self.commits.settle()   # acknowledged only once what it wrote (or read) is committed
        except Exception:  # never a traceback on the wire
            log.exception("unhandled error")
            err = InternalServerError("Internal server error")
            status, headers, payload = 500, [(b"content-type", b"application/x-amz-json-1.0")], \
                orjson.dumps({"__type": err.code, "message": err.message})
        finally:
            if isinstance(body, Payload):
                body.discard()   # unless the service adopted (renamed) the file
        body_stream = payload if isinstance(payload, BodyStream) else None
        if not any(key == b"content-length" for key, _ in headers):   # a HEAD answer names the object's size
            size = body_stream.length if body_stream is not None else len(cast("bytes", payload))
            headers.append((b"content-length", str(size).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if body_stream is None:
            await send({"type": "http.response.body", "body": payload})
            return
        try:   # chunk by chunk: the HTTP server waits while the client is slow to read (bounded memory)
            for chunk in body_stream.chunks():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        finally:
            body_stream.close()
        await send({"type": "http.response.body", "body": b""})

    @staticmethod
    def _body_sink(scope: dict[str, Any], headers: dict[str, str],
                   rest_xml: ServiceDescription | None) -> PayloadSink | None:
        """A file to spool a PUT body into, when the REST-XML service it addresses asks for one."""
        if scope.get("method") != "PUT" or rest_xml is None or rest_xml.body_sink is None:
            return None
        return rest_xml.body_sink(headers)

    def _body_limit(self, target: str | None, rest_xml: ServiceDescription | None) -> int:
        """The largest request body the addressed service accepts (the largest of all when not known yet)."""
        if target:
            desc = self.by_target.get(target.partition(".")[0])
            if desc is not None:
                return desc.max_request_bytes
        if rest_xml is not None:
            return rest_xml.max_request_bytes
        if self._default_limit is None:   # computed once per set of registered services
            self._default_limit = max((d.max_request_bytes for d in self.descriptions.values()
                                       if d.protocol != "rest-xml"), default=16 * 1024 * 1024)
        return self._default_limit

    def _too_large(self, scope: dict[str, Any], limit: int) -> Response:
        # AWS front ends answer 413 before the service sees the request; the body text is ours (unverified).
        err = ServiceError(f"Request body is larger than the {limit} bytes this endpoint accepts",
                           code="RequestEntityTooLargeException", status=413)
        return _json_error(err, "", ids.request_id())

    async def _lifespan(self, receive: Callable[[], Awaitable[dict[str, Any]]],
                        send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.host.start()
                except Exception as exc:  # pragma: no cover - surfaced by uvicorn
                    await send({"type": "lifespan.startup.failed", "message": repr(exc)})
                    return
                self.commits = GroupCommit(self.host.store, asyncio.get_running_loop(), self.requests_in_flight)
                self.commits.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.commits is not None:
                    self.commits.stop()
                    self.commits = None
                await self.host.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # --- routing ------------------------------------------------------------------------------
    async def handle(self, scope: dict[str, Any], body: bytes | Payload,
                     headers: dict[str, str] | None = None) -> Response:
        """Route one request (headers decoded here unless given)."""
        if headers is None:
            headers = _headers(scope)
        rest_xml = None if headers.get("x-amz-target") else self._rest_xml_description(scope, headers)
        status, out_headers, payload = await self._route(scope, body, headers, rest_xml)
        return status, out_headers, payload.read() if isinstance(payload, BodyStream) else payload

    async def _route(self, scope: dict[str, Any], body: bytes | Payload, headers: dict[str, str],
                     rest_xml: ServiceDescription | None) -> Response:
        """Route one request to the REST-XML service ``rest_xml`` it addresses (worked out by the caller, once
        per request), or by its target, path or protocol."""
        target = headers.get("x-amz-target")
        if isinstance(body, Payload):   # spooled (ServiceDescription.body_sink): a REST-XML service's PUT
            if rest_xml is not None:
                query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
                return await self._rest_xml(rest_xml, scope, headers, query, body)
            body = body.read()
        if target:
            prefix, _, op = target.partition(".")
            desc = self.by_target.get(prefix)
            if desc is None:
                return _json_error(UnknownOperationException(""), "com.amazon.coral.service#", ids.request_id())
            return await self._dispatch(JsonWire(desc, op, body), headers, scope, body)
        path = scope.get("path", "/")
        for prefix, route in self.extra_routes:
            if path.startswith(prefix):
                return await route(scope, body)
        method = scope.get("method", "GET")
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        if rest_xml is not None:
            return await self._rest_xml(rest_xml, scope, headers, query, body)
        for desc in self.rest:
            match = self._router(desc).match(method, path, query=query)
            if match is not None:
                return await self._dispatch(RestJsonWire(desc, self.model(desc.name), match, query, headers, body),
                                            headers, scope, body)
        ctype = headers.get("content-type", "")
        if (method == "POST" and "x-www-form-urlencoded" in ctype) or (method == "GET" and scope.get("query_string")):
            return await self._query(scope, headers, body)
        if path in ("/", "/health") and method in ("GET", "HEAD"):   # /_riverbed/health: control routes
            payload = orjson.dumps({"status": "running", "service": "riverbed", "version": _version()})
            return 200, [(b"content-type", b"application/json")], payload
        return 404, [(b"content-type", b"application/json")], orjson.dumps({"message": "Not Found"})

    async def _query(self, scope: dict[str, Any], headers: dict[str, str], body: bytes) -> Response:
        from riverbed.protocol.query import serialize_query_error

        raw = body.decode("utf-8") if scope.get("method") == "POST" else scope.get("query_string", b"").decode()
        if not raw.strip():     # a presigned URL POSTed with an empty body carries its parameters in the query
            raw = scope.get("query_string", b"").decode()
        form = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        cred = credential_scope(headers.get("authorization"))
        if cred is None and form.get("X-Amz-Credential"):      # a presigned URL names its signing service
            cred = credential_scope(f"Credential={form['X-Amz-Credential']}")
        signing = cred[3] if cred else ""
        desc = self.by_signing_name.get(signing)
        path = scope.get("path", "/")
        if desc is None and path.count("/") >= 2 and self.path_services:
            desc = self.path_services[0]    # a form posted to a resource URL (legacy SQS queue URLs)
        if desc is None:
            return 400, [(b"content-type", b"text/xml")], serialize_query_error(
                ServiceError(f"Service {signing!r} is not served by riverbed", code="InvalidAction"), ids.request_id())
        return await self._dispatch(QueryWire(desc, self.model(desc.name), form, path), headers, scope, body)

    def _rest_xml_description(self, scope: dict[str, Any], headers: dict[str, str]) -> ServiceDescription | None:
        """The REST-XML service a request addresses: by its SigV4 signing name (header or presigned
        ``X-Amz-Credential``), or by a virtual-hosted name such as ``bucket.localhost:4566``."""
        if not self.rest_xml:
            return None
        cred = credential_scope(headers.get("authorization") or _presigned_credential(scope))
        if cred is not None:
            desc = self.by_signing_name.get(cred[3])
            return desc if desc is not None and desc.protocol == "rest-xml" else None
        hosted = _virtual_host(self.rest_xml, headers.get("host", ""))
        if hosted is not None:
            return hosted
        query = scope.get("query_string", b"").decode("latin-1")
        if query:
            names = set(parse_qs(query, keep_blank_values=True))
            for desc in self.rest_xml:
                if desc.presigned_v2_params and names.issuperset(desc.presigned_v2_params):
                    return desc
        return None

    async def _rest_xml(self, desc: ServiceDescription, scope: dict[str, Any], headers: dict[str, str],
                        query: dict[str, list[str]], body: bytes | Payload) -> Response:
        raw_path = (scope.get("raw_path") or scope.get("path", "/").encode()).decode("latin-1").partition("?")[0]
        host = headers.get("host", "").partition(":")[0]
        for suffix in desc.virtual_host_suffixes:
            if host.endswith("." + suffix):
                raw_path = "/" + host[:-len(suffix) - 1] + raw_path     # virtual-hosted: the host names the bucket
                break
        presigned = _presigned_credential(scope)
        if "authorization" not in headers and presigned:
            headers["authorization"] = presigned     # the region and key of a presigned URL
        wire = RestXmlWire(desc, self.model(desc.name), self._xml_router(desc), scope.get("method", "GET"),
                           raw_path, query, headers, body)
        return await self._dispatch(wire, headers, scope)

    def _xml_router(self, desc: ServiceDescription) -> Any:
        router = self._routers.get(desc.name)
        if router is None:
            from riverbed.protocol.restxml import RestXmlRouter

            router = self._routers[desc.name] = RestXmlRouter(self.model(desc.name))
        return router

    def _router(self, desc: ServiceDescription) -> Any:
        router = self._routers.get(desc.name)
        if router is None:
            from riverbed.protocol.restjson import RestJsonRouter

            router = self._routers[desc.name] = RestJsonRouter(self.model(desc.name))
        return router

    # --- the one dispatch path ---------------------------------------------------------------------
    async def _dispatch(self, wire: Wire, headers: dict[str, str], scope: dict[str, Any], body: bytes = b""
                        ) -> Response:
        desc = wire.description
        request_id = ids.request_id()
        host = headers.get("host", "")
        operation = wire.operation_hint()
        try:
            verified = self.verifier.verify(desc.protocol, scope, headers, body) if self.verifier else None
            call = wire.parse(host)
            operation = call.operation
            bound = self.bound.get((desc.name, operation))
            if bound is None:
                raise wire.unknown_operation(operation)
            ctx = self._context(bound, operation, headers, request_id, verified)
            if desc.validate:
                self._validate(desc, operation, call.request)
            if self.authorizer is not None:
                self._authorize(bound.description, ctx, call.request)
            out = bound.func(ctx, call.request)
            result = await cast("Awaitable[Result]", out) if bound.is_async else cast("Result", out)
            return wire.answer(operation, result or {}, request_id)
        except (ServiceError, StoreConflict) as caught:
            exc = caught if isinstance(caught, ServiceError) else _conflict_error(desc)
            if self.on_error is not None:
                self.on_error(desc.name, operation, exc)
            return wire.error(exc, request_id)

    def _context(self, bound: Bound, operation: str, headers: dict[str, str],
                 request_id: str, verified: str | None = None) -> RequestContext[Any]:
        settings = self.host.settings
        scope = credential_scope(headers.get("authorization"))
        region = settings.region
        access_key = verified or ""
        if scope is not None:
            access_key, _, region, _ = scope
        account, principal = self._caller(access_key)
        return RequestContext(backend=bound.backend, store=self.host.store, clock=self.host.clock,
                              service=bound.description.name, operation=operation, account=account,
                              region=region or settings.region, request_id=request_id,
                              host=headers.get("host", f"{settings.host}:{settings.port}"), access_key=access_key,
                              principal=principal)

    def _caller(self, access_key: str) -> tuple[str, str]:
        """``(account, principal ARN)`` of a request: the owner of its access key (an IAM user's key, an STS
        session's key); a key id of 12 digits names that account's root (the convention LocalStack users
        have); any other key is the root of the configured default account."""
        if len(access_key) == 12 and access_key.isdigit():
            return access_key, f"arn:aws:iam::{access_key}:root"
        if access_key in self.root_accounts:
            account = self.root_accounts[access_key]
            return account, f"arn:aws:iam::{account}:root"
        if self.identities is not None and access_key:
            owner = self.identities.identify(access_key)
            if owner is not None:
                return owner
        account = self.host.settings.account
        return account, f"arn:aws:iam::{account}:root"

    def _authorize(self, desc: ServiceDescription, ctx: RequestContext[Any], request: dict[str, Any]) -> None:
        """The caller's policies (and the resource's) must allow ``<prefix>:<Operation>`` on each resource: every
        request under --iam strict, a request on another account's resource under enforce too."""
        assert self.authorizer is not None
        if ctx.operation in desc.unauthorized_operations:
            return
        try:
            resources = desc.resources(ctx.account, ctx.region, ctx.operation, request) if desc.resources else ["*"]
        except (AttributeError, KeyError, TypeError, IndexError):
            resources = ["*"]     # members of unexpected shapes: the operation refuses the request itself
        code, status = desc.access_denied
        action = self._actions.get((desc.name, ctx.operation))
        if action is None:
            action = self._actions[(desc.name, ctx.operation)] = \
                f"{desc.action_prefix or desc.name}:{desc.action_names.get(ctx.operation, ctx.operation)}"
        authorize(self.authorizer, account=ctx.account, principal=ctx.principal, action=action,
                  resources=resources or ["*"],
                  code=code, status=status, strict=self.strict, policy_of=desc.resource_policy)

    def _validate(self, desc: ServiceDescription, operation: str, request: dict[str, Any]) -> None:
        from riverbed.protocol.validate import validate_input

        model = self.model(desc.name)
        held: dict[str, Any] = {}
        if desc.service_checked_enums:
            # Members whose enum the service checks in its own words (Lambda's Runtime): out of the
            # validator's sight when their value is outside the enum.
            for member in desc.service_checked_enums:
                value = request.get(member)
                if isinstance(value, str) and value not in model.member_enum(operation, member):
                    held[member] = request.pop(member)
        try:
            validate_input(model, operation, request, desc.validation_style, desc.validation_package)
        finally:
            request.update(held)


def _conflict_error(desc: ServiceDescription) -> ServiceError:
    """What a service answers when the store aborted the request for a conflict with another node's."""
    made = desc.conflict_error() if desc.conflict_error is not None else None
    return made if isinstance(made, ServiceError) else InternalServerError("Internal server error")


# --- the three protocols' parse and serialize steps ---------------------------------------------------

class Wire:
    """Parse and serialize steps of one protocol for one request."""

    description: ServiceDescription

    def operation_hint(self) -> str:
        return ""

    def parse(self, host: str) -> Call:
        raise NotImplementedError

    def unknown_operation(self, operation: str) -> ServiceError:
        return UnknownOperationException("")

    def answer(self, operation: str, result: dict[str, Any], request_id: str) -> Response:
        raise NotImplementedError

    def error(self, exc: ServiceError, request_id: str) -> Response:
        raise NotImplementedError


class JsonWire(Wire):
    """JSON 1.0 / 1.1 (``X-Amz-Target``): DynamoDB, Streams, SQS, KMS ..."""

    def __init__(self, desc: ServiceDescription, operation: str, body: bytes) -> None:
        self.description = desc
        self.op = operation
        self.body = body

    def operation_hint(self) -> str:
        return self.op

    def parse(self, host: str) -> Call:
        if self.op not in self.description.operations:
            raise UnknownOperationException("")
        try:
            request = orjson.loads(self.body) if self.body else {}
        except orjson.JSONDecodeError:
            raise SerializationException("Start of structure or map found where not expected.") from None
        if not isinstance(request, dict):
            raise SerializationException("Start of structure or map found where not expected.")
        return Call(self.description, self.op, request)

    def answer(self, operation: str, result: dict[str, Any], request_id: str) -> Response:
        payload = orjson.dumps(result)
        return 200, [
            (b"content-type", b"application/x-amz-json-" + self.description.json_version.encode()),
            (b"x-amzn-requestid", request_id.encode()),
            (b"x-amz-crc32", str(zlib.crc32(payload)).encode()),
        ], payload

    def error(self, exc: ServiceError, request_id: str) -> Response:
        desc = self.description
        status, headers, payload = _json_error(exc, desc.error_prefix, request_id, desc.json_version)
        if desc.query_error_headers:
            legacy = exc.extra.get("__query_code", exc.code) if exc.extra else exc.code
            fault = "Sender" if exc.sender else "Receiver"
            headers.append((b"x-amzn-query-error", f"{legacy};{fault}".encode()))
        return status, headers, payload


class RestJsonWire(Wire):
    """REST-JSON (the path and method name the operation): Lambda."""

    def __init__(self, desc: ServiceDescription, model: ServiceModel, match: tuple[str, dict[str, str]],
                 query: dict[str, list[str]], headers: dict[str, str], body: bytes) -> None:
        self.description = desc
        self.model = model
        self.match = match
        self.query = query
        self.headers = headers
        self.body = body

    def operation_hint(self) -> str:
        return self.match[0]

    def parse(self, host: str) -> Call:
        from riverbed.protocol.restjson import parse_restjson_request

        op, path_params = self.match
        if op not in self.description.operations:
            raise self.unknown_operation(op)
        request = parse_restjson_request(self.model, op, path_params, self.query, self.headers, self.body)
        return Call(self.description, op, request)

    def unknown_operation(self, operation: str) -> ServiceError:
        return ServiceError(f"Operation {operation} is not supported by riverbed", code="UnknownOperationException")

    def answer(self, operation: str, result: dict[str, Any], request_id: str) -> Response:
        from riverbed.protocol.restjson import serialize_restjson_response

        return self._headers(*serialize_restjson_response(self.model, operation, result), request_id)

    def error(self, exc: ServiceError, request_id: str) -> Response:
        from riverbed.protocol.restjson import serialize_restjson_error

        return self._headers(*serialize_restjson_error(exc, model=self.model), request_id)

    @staticmethod
    def _headers(status: int, out_headers: dict[str, Any], payload: bytes, request_id: str) -> Response:
        hdrs = [(k.lower().encode(), str(v).encode()) for k, v in out_headers.items()]
        hdrs.append((b"x-amzn-requestid", request_id.encode()))
        if not any(k == b"content-type" for k, _ in hdrs):
            hdrs.append((b"content-type", b"application/json"))
        return status, hdrs, payload


class QueryWire(Wire):
    """The query protocol (form fields, ``Action=``; XML answers): SNS, IAM, STS, CloudWatch, legacy SQS."""

    def __init__(self, desc: ServiceDescription, model: ServiceModel, form: dict[str, str], path: str) -> None:
        self.description = desc
        self.model = model
        self.form = form
        self.path = path

    def operation_hint(self) -> str:
        return self.form.get("Action", "")

    def parse(self, host: str) -> Call:
        from riverbed.protocol.query import parse_query_request

        desc = self.description
        op, request = parse_query_request(self.model, self.form, desc.legacy_query_names or None)
        if op not in desc.operations:
            raise self.unknown_operation(op)
        if desc.path_member and desc.path_member not in request and self.path not in ("/", ""):
            # A form posted to a resource URL names the resource by that URL (legacy SQS queue URLs).
            request[desc.path_member] = f"http://{host}{self.path}"
        return Call(desc, op, request)

    def unknown_operation(self, operation: str) -> ServiceError:
        return ServiceError(f"The action {operation} is not valid for this endpoint.", code="InvalidAction")

    def answer(self, operation: str, result: dict[str, Any], request_id: str) -> Response:
        from riverbed.protocol.query import serialize_query_response

        desc = self.description
        payload = serialize_query_response(self.model, operation, result, request_id,
                                           desc.legacy_query_names or None, desc.xml_namespace)
        return 200, [(b"content-type", b"text/xml"), (b"x-amzn-requestid", request_id.encode())], payload

    def error(self, exc: ServiceError, request_id: str) -> Response:
        from riverbed.protocol.query import serialize_query_error

        return exc.status, [(b"content-type", b"text/xml"), (b"x-amzn-requestid", request_id.encode())], \
            serialize_query_error(exc, request_id, model=self.model, namespace=self.description.xml_namespace)


class RestXmlWire(Wire):
    """REST-XML (method, path, required query and header members name the operation): S3."""

    def __init__(self, desc: ServiceDescription, model: ServiceModel, router: Any, method: str, raw_path: str,
                 query: dict[str, list[str]], headers: dict[str, str], body: bytes | Payload) -> None:
        self.description = desc
        self.model = model
        self.router = router
        self.method = method.upper()
        self.raw_path = raw_path
        self.query = query
        self.headers = headers
        self.body = body

    def parse(self, host: str) -> Call:
        from riverbed.protocol.restxml import decode_aws_chunked, parse_restxml_request, verify_payload

        match = self.router.match(self.method, self.raw_path, self.query, self.headers)
        if match is None:
            raise ServiceError("The specified method is not allowed against this resource.",
                               code="MethodNotAllowed", status=405)
        op, labels = match
        if op not in self.description.operations:
            raise self.unknown_operation(op)
        body, headers = self.body, self.headers
        if "aws-chunked" in headers.get("content-encoding", "") or headers.get(
                "x-amz-content-sha256", "").startswith("STREAMING-"):
            if isinstance(body, Payload):
                trailers = body.trailers   # decoded as it arrived
            else:
                body, trailers = decode_aws_chunked(body)
            headers = {**headers, **trailers}
            headers.pop("x-amz-content-sha256", None)
            encoding = [e for e in headers.get("content-encoding", "").split(",")
                        if e.strip() not in ("aws-chunked", "")]
            if encoding:
                headers["content-encoding"] = ",".join(encoding)
            else:
                headers.pop("content-encoding", None)
        verify_payload(self.model, op, headers, body)
        return Call(self.description, op, parse_restxml_request(self.model, op, labels, self.query, headers, body))

    def unknown_operation(self, operation: str) -> ServiceError:
        return ServiceError(f"{operation} is not implemented by riverbed", code="NotImplemented", status=501)

    def answer(self, operation: str, result: dict[str, Any], request_id: str) -> Response:
        from riverbed.protocol.restxml import serialize_restxml_response

        status, headers, body = serialize_restxml_response(self.model, operation, result,
                                                           self.description.xml_namespace)
        if self.method == "HEAD":
            if isinstance(body, BodyStream):
                body.close()
            body = b""   # HEAD answers carry the headers (Content-Length included) and no body
        return self._encode(status, headers, body, request_id)

    def error(self, exc: ServiceError, request_id: str) -> Response:
        from riverbed.protocol.restxml import serialize_restxml_error

        status, headers, body = serialize_restxml_error(exc, request_id, self.model, with_body=self.method != "HEAD")
        return self._encode(status, headers, body, request_id)

    @staticmethod
    def _encode(status: int, headers: list[tuple[str, str]], body: bytes | BodyStream, request_id: str
                ) -> Response:
        out = [(k.lower().encode("latin-1"), v.encode("utf-8")) for k, v in headers]
        out += [(b"x-amz-request-id", request_id.encode()), (b"x-amz-id-2", request_id.encode())]
        return status, out, body


def _presigned_credential(scope: dict[str, Any]) -> str | None:
    for key, values in parse_qs(scope.get("query_string", b"").decode("latin-1")).items():
        if key.lower() == "x-amz-credential" and values:
            return "Credential=" + str(values[-1])
    return None


def _virtual_host(descriptions: list[ServiceDescription], host: str) -> ServiceDescription | None:
    name = host.partition(":")[0]
    for desc in descriptions:
        if any(name.endswith("." + suffix) for suffix in desc.virtual_host_suffixes):
            return desc
    return None


def _content_length(headers: dict[str, str]) -> int | None:
    value = headers.get("content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _headers(scope: dict[str, Any]) -> dict[str, str]:
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
