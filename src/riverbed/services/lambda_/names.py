"""Function names, ARNs and qualifiers: what a ``FunctionName`` parameter designates.

Owns: parsing every form Lambda accepts wherever ``FunctionName`` appears -- a
name (``my-function``), a name with a qualifier (``my-function:1``), a partial
ARN (``123456789012:function:my-function``) and a full ARN, qualified or not --
into ``(account, region, name, qualifier)``; reconciling that qualifier with a
separate ``Qualifier`` parameter; and the texts of the "not found" errors,
which quote the ARN the way AWS does (Invoke and PutFunctionConcurrency add
``:$LATEST``; GetFunction does not).

The pattern check itself (``Member must satisfy regular expression pattern``)
belongs to request validation against the botocore model; this module only
splits a value that passed it.

Must not: read the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from riverbed import ids
from riverbed.errors import InvalidParameterValueException, LambdaResourceNotFoundException

LATEST = "$LATEST"

# https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html (FunctionName pattern)
_FUNCTION_REF = re.compile(
    r"^(?:arn:(?P<partition>aws[a-zA-Z-]*)?:lambda:)?"
    r"(?:(?P<region>(?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?"
    r"(?:function:)?"
    r"(?P<name>[a-zA-Z0-9\-_.]+)"
    r"(?::(?P<qualifier>\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9\-_]+))?$"
)
NAME_RE = re.compile(r"^[a-zA-Z0-9\-_]{1,64}$")
VERSION_RE = re.compile(r"^[0-9]+$")

DERIVED_QUALIFIER_MISMATCH = "The derived qualifier from the function name does not match the specified qualifier."


@dataclass(frozen=True)
class FunctionRef:
    account: str
    region: str
    name: str
    qualifier: str | None = None

    def arn(self, qualifier: str | None = None) -> str:
        return ids.lambda_arn(self.region, self.account, self.name, qualifier)

    @property
    def key(self) -> str:
        return function_key(self.account, self.region, self.name)


def function_key(account: str, region: str, name: str) -> str:
    """The store key of a function document: ``<account>/<region>/<name>``."""
    return f"{account}/{region}/{name}"


def parse(value: str, account: str, region: str, *, check_region: bool = True) -> FunctionRef | None:
    """Split a FunctionName value; None if it is not one (validation normally catches that first).

    A full ARN naming another region answers what AWS answers when ``check_region`` is set:
    ``Functions from 'eu-west-1' are not reachable in this region ('us-east-1')``.
    """
    m = _FUNCTION_REF.match(value or "")
    if m is None:
        return None
    arn_region = m.group("region")
    if arn_region and arn_region != region:
        if check_region:
            raise LambdaResourceNotFoundException(
                f"Functions from '{arn_region}' are not reachable in this region ('{region}')")
        region = arn_region
    return FunctionRef(m.group("account") or account, region, m.group("name"), m.group("qualifier"))


def resolve_qualifier(ref: FunctionRef, qualifier: str | None) -> FunctionRef:
    """Merge a ``Qualifier`` parameter into the reference; AWS rejects two different ones."""
    if qualifier is None:
        return ref
    if ref.qualifier is not None and ref.qualifier != qualifier:
        raise InvalidParameterValueException(DERIVED_QUALIFIER_MISMATCH)
    return FunctionRef(ref.account, ref.region, ref.name, qualifier)


def not_found(ref: FunctionRef, qualifier: str | None = None) -> LambdaResourceNotFoundException:
    """``Function not found: arn:aws:lambda:us-east-1:000000000000:function:name[:qualifier]``."""
    return LambdaResourceNotFoundException(f"Function not found: {ref.arn(qualifier)}")


def name_from(value: str) -> str:
    """The bare function name of any accepted form (best effort, for logs and control routes)."""
    m = _FUNCTION_REF.match(value or "")
    return m.group("name") if m else value
