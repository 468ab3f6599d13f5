"""Signature Version 4 verification (``--auth sigv4``): is the request signed with a secret riverbed knows?

Owns: rebuilding the canonical request from what arrived (method, the path as sent — encoded once
more, as every service but S3 signs it —, the query sorted and RFC 3986-encoded, the signed headers
with trimmed values, the payload hash or its marker: ``UNSIGNED-PAYLOAD``, ``STREAMING-…``), the string
to sign and the signing key (``AWS4`` + secret → date → region → service → ``aws4_request``), the
5-minute skew against riverbed's clock, session tokens, and presigned query strings
(``X-Amz-Signature`` & co., ``X-Amz-Expires``), with AWS's error codes and texts.
https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html

Errors differ by protocol: JSON services answer UnrecognizedClientException, InvalidSignatureException,
ExpiredTokenException, MissingAuthenticationTokenException; query services (IAM, STS, SNS)
InvalidClientTokenId, SignatureDoesNotMatch, ExpiredToken, MissingAuthenticationToken (HTTP 403).

Must not: decide what a caller may do (IAM does) or know any service; secrets come from a lookup.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote

from riverbed.errors import ServiceError

ALGORITHM = "AWS4-HMAC-SHA256"
SKEW_SECONDS = 300
BAD_TOKEN = "The security token included in the request is invalid."
BAD_SIGNATURE = ("The request signature we calculated does not match the signature you provided. Check your AWS "
                 "Secret Access Key and signing method. Consult the service documentation for details.")
EXPIRED_TOKEN = "The security token included in the request is expired"
MISSING = "Request is missing Authentication Token"

# (secret, session token or "", expired) of an access key, or None when riverbed does not know it.
SecretLookup = Callable[[str], "tuple[str, str, bool] | None"]

_CODES = {  # kind -> (JSON / REST-JSON code, query code)
    "token": ("UnrecognizedClientException", "InvalidClientTokenId"),
    "signature": ("InvalidSignatureException", "SignatureDoesNotMatch"),
    "expired": ("ExpiredTokenException", "ExpiredToken"),
    "missing": ("MissingAuthenticationTokenException", "MissingAuthenticationToken"),
    "denied": ("AccessDeniedException", "AccessDenied"),
}


def auth_error(kind: str, protocol: str, message: str) -> ServiceError:
    json_code, query_code = _CODES[kind]
    if protocol == "query":
        return ServiceError(message, code=query_code, status=403)
    return ServiceError(message, code=json_code, status=400 if protocol == "json" else 403)


def _amz_time(text: str) -> float:
    return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()


def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y%m%dT%H%M%SZ")


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")


def canonical_query(raw: str, *, drop_signature: bool = False) -> str:
    pairs = []
    for part in raw.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        key, value = unquote(key), unquote(value)
        if drop_signature and key == "X-Amz-Signature":
            continue
        pairs.append((_encode(key), _encode(value)))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def canonical_request(method: str, raw_path: str, raw_query: str, headers: dict[str, str], signed: list[str],
                      payload_hash: str, *, presigned: bool = False) -> str:
    path = quote(raw_path or "/", safe="/~")       # the path as sent, encoded again (all services but S3)
    lines = [f"{name}:{' '.join(headers.get(name, '').split())}" for name in signed]
    return "\n".join([method, path, canonical_query(raw_query, drop_signature=presigned), *lines, "",
                      ";".join(signed), payload_hash])


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = hmac.new(f"AWS4{secret}".encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def signature(secret: str, amz_date: str, scope: str, canonical: str) -> str:
    date, region, service, _ = scope.split("/")
    to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    return hmac.new(signing_key(secret, date, region, service), to_sign.encode(), hashlib.sha256).hexdigest()


def _header_fields(authorization: str) -> dict[str, str]:
    algorithm, _, rest = authorization.partition(" ")
    if algorithm != ALGORITHM:
        return {}
    out = {}
    for item in rest.split(","):
        key, _, value = item.strip().partition("=")
        out[key] = value
    return out


def root_keys(text: str, default_account: str) -> dict[str, tuple[str, str]]:
    """``RIVERBED_ROOT_CREDENTIALS`` (``KEY:SECRET[:ACCOUNT],...``) as ``{key: (secret, account)}``."""
    out = {}
    for entry in text.split(","):
        parts = entry.strip().split(":")
        if len(parts) >= 2 and parts[0]:
            out[parts[0]] = (parts[1], parts[2] if len(parts) > 2 and parts[2] else default_account)
    return out


class SignatureVerifier:
    """Checks every request's SigV4 signature against the secrets ``lookup`` knows."""

    def __init__(self, lookup: SecretLookup, now: Callable[[], float]) -> None:
        self.lookup = lookup
        self.now = now

    def verify(self, protocol: str, scope: dict[str, Any], headers: dict[str, str], body: bytes) -> str:
        """The verified access key id; raises the protocol's AWS error when the request is not signed right."""
        raw_query = scope.get("query_string", b"").decode("latin-1")
        query = {unquote(k): unquote(v) for k, _, v in (p.partition("=") for p in raw_query.split("&") if p)}
        presigned = "X-Amz-Signature" in query
        if presigned:
            credential = query.get("X-Amz-Credential", "")
            signed = query.get("X-Amz-SignedHeaders", "")
            given = query["X-Amz-Signature"]
            amz_date = query.get("X-Amz-Date", "")
            token = query.get("X-Amz-Security-Token", "")
            payload_hash = query.get("X-Amz-Content-Sha256") or "UNSIGNED-PAYLOAD"
        else:
            fields = _header_fields(headers.get("authorization", ""))
            if not fields:
                raise auth_error("missing", protocol, MISSING)
            credential, signed, given = fields.get("Credential", ""), fields.get("SignedHeaders", ""), \
                fields.get("Signature", "")
            amz_date = headers.get("x-amz-date", "")
            token = headers.get("x-amz-security-token", "")
            payload_hash = headers.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest()
        parts = credential.split("/")
        if len(parts) != 5 or parts[4] != "aws4_request" or not given or not signed:
            raise auth_error("missing", protocol, MISSING)
        access_key, scope_text = parts[0], "/".join(parts[1:])
        known = self.lookup(access_key)
        if known is None:
            raise auth_error("token", protocol, BAD_TOKEN)
        secret, expected_token, expired = known
        if expired:
            raise auth_error("expired", protocol, EXPIRED_TOKEN)
        if expected_token and token != expected_token:
            raise auth_error("token", protocol, BAD_TOKEN)
        self._check_time(protocol, amz_date, query.get("X-Amz-Expires") if presigned else None)
        raw_path = scope.get("raw_path", b"").decode("latin-1").split("?", 1)[0] or scope.get("path", "/")
        # A presigned URL's payload is UNSIGNED-PAYLOAD, or (SDKs signing over plain HTTP) the body's hash.
        hashes = [payload_hash] + ([hashlib.sha256(body).hexdigest()] if presigned else [])
        if not any(hmac.compare_digest(signature(secret, amz_date, scope_text, canonical_request(
                scope.get("method", "GET"), raw_path, raw_query, headers, signed.split(";"), candidate,
                presigned=presigned)), given) for candidate in hashes):
            raise auth_error("signature", protocol, BAD_SIGNATURE)
        if not payload_hash.startswith(("UNSIGNED-PAYLOAD", "STREAMING-")) and \
                payload_hash != hashlib.sha256(body).hexdigest():
            # The signed hash is not the body's: the body was changed after signing.
            raise auth_error("signature", protocol, BAD_SIGNATURE)
        return access_key

    def _check_time(self, protocol: str, amz_date: str, expires: str | None) -> None:
        try:
            signed_at = _amz_time(amz_date)
        except ValueError:
            raise auth_error("missing", protocol, MISSING) from None
        now = self.now()
        if expires is not None:
            # Presigned: valid from the signing time for X-Amz-Expires seconds.
            if now > signed_at + int(expires or 0):
                raise auth_error("denied", protocol, "Request has expired")
            return
        if signed_at < now - SKEW_SECONDS:
            raise auth_error("signature", protocol, f"Signature expired: {amz_date} is now earlier than "
                                                    f"{_stamp(now - SKEW_SECONDS)} ({_stamp(now)} - 5 min.)")
        if signed_at > now + SKEW_SECONDS:
            raise auth_error("signature", protocol, f"Signature not yet current: {amz_date} is still later than "
                                                    f"{_stamp(now + SKEW_SECONDS)} ({_stamp(now)} + 5 min.)")
