"""ClientRequestToken idempotency of DynamoDB's write transactions (TransactWriteItems, ExecuteTransaction).

Owns: the one mechanism both operations use.  A token is remembered in the store's expiring keys
(namespace :data:`NAMESPACE`), scoped to the caller's account, region and operation, together with a
digest of the request's parameters and the answer it got, in the same store transaction as the writes
it made, so a replay after a restart still finds it.  AWS's rules
(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html):

* a token is valid for 10 minutes after the request that first used it finishes;
* the same token with the same parameters within that time answers as the first call did and
  writes nothing;
* the same token with different parameters raises IdempotentParameterMismatchException.

A request that fails (e.g. TransactionCanceledException) leaves no token behind.  Lapsed tokens are
pruned each time a new one is recorded.  Times are passed in from the clock.

Must not: execute or validate the transaction itself, or read the clock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson

from riverbed.errors import IdempotentParameterMismatchException
from riverbed.storage import Txn

NAMESPACE = "dynamodb-client-request-token"
TOKEN_LIFETIME_SECONDS = 600.0


@dataclass(frozen=True)
class ClientToken:
    """One request's ClientRequestToken: where it is remembered and what its parameters were."""

    key: str
    digest: str

    @classmethod
    def of(cls, account: str, region: str, operation: str, token: str | None, parameters: Any
           ) -> ClientToken | None:
        """The token of a request, or None when the request carries none."""
        if not token:
            return None
        canonical = orjson.dumps(parameters, option=orjson.OPT_SORT_KEYS)
        return cls(f"{account}/{region}/{operation}/{token}", hashlib.sha256(canonical).hexdigest())


def replay(store: Txn, token: ClientToken | None, now: float) -> dict[str, Any] | None:
    """The answer of an earlier request with this token that is still valid at ``now``, if any.

    Raises IdempotentParameterMismatchException when that request had different parameters.
    """
    if token is None:
        return None
    raw = store.get_key(NAMESPACE, token.key, now)
    if raw is None:
        return None
    seen = orjson.loads(raw)
    if seen["digest"] != token.digest:
        raise IdempotentParameterMismatchException(
            "Request with the same client token was received with different parameters")
    result: dict[str, Any] = seen["result"]
    return result


def remember(txn: Txn, token: ClientToken | None, result: dict[str, Any], now: float) -> None:
    """Record the answer of a finished request under its token, valid for 10 minutes from ``now``.

    Call it inside the transaction that made the request's writes, so both commit or neither does.
    """
    if token is None:
        return
    txn.prune_keys(NAMESPACE, now)
    value = orjson.dumps({"digest": token.digest, "result": result})
    txn.put_key_if_absent(NAMESPACE, token.key, value, now + TOKEN_LIFETIME_SECONDS, now)
