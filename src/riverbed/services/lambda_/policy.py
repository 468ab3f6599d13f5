"""Resource-based policies: the statements AddPermission writes and GetPolicy answers.

Owns: turning AddPermission parameters into an IAM statement exactly as Lambda writes it (principal
forms, the Condition block for SourceArn/SourceAccount/PrincipalOrgID/EventSourceToken/
FunctionUrlAuthType) and the policy document around the statements.

Shapes: lambda_api snapshot (TestLambdaPermissions); https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html

Must not: evaluate policies (IAM checks are issue 5) or touch the store.
"""

from __future__ import annotations

import re
from typing import Any

from riverbed.errors import InvalidParameterValueException

INVALID_PRINCIPAL = "The provided principal was invalid. Please check the principal and try again."
_SERVICE = re.compile(r"^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$|^[a-z0-9.-]+\.amazon\.com$")
_ACCOUNT = re.compile(r"^\d{12}$")
_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:(iam|sts)::\d{12}:.+$")


def principal(value: str, partition: str = "aws") -> Any:
    """``*``, ``{"Service": ...}`` or ``{"AWS": ...}`` (an account id becomes its root ARN)."""
    if value == "*":
        return "*"
    if _ACCOUNT.match(value):
        return {"AWS": f"arn:{partition}:iam::{value}:root"}
    if _ARN.match(value):
        return {"AWS": value}
    if _SERVICE.match(value):
        return {"Service": value}
    raise InvalidParameterValueException(INVALID_PRINCIPAL)


def statement(request: dict[str, Any], resource_arn: str, partition: str = "aws") -> dict[str, Any]:
    """The statement AddPermission adds (member order as Lambda writes it)."""
    out: dict[str, Any] = {
        "Sid": request["StatementId"],
        "Effect": "Allow",
        "Principal": principal(request["Principal"], partition),
        "Action": request["Action"],
        "Resource": resource_arn,
    }
    equals: dict[str, str] = {}
    if request.get("SourceAccount"):
        equals["AWS:SourceAccount"] = request["SourceAccount"]
    if request.get("EventSourceToken"):
        equals["lambda:EventSourceToken"] = request["EventSourceToken"]
    if request.get("FunctionUrlAuthType"):
        equals["lambda:FunctionUrlAuthType"] = request["FunctionUrlAuthType"]
    if request.get("PrincipalOrgID"):
        equals["aws:PrincipalOrgID"] = request["PrincipalOrgID"]
    condition: dict[str, Any] = {}
    if equals:
        condition["StringEquals"] = equals
    if request.get("SourceArn"):
        condition["ArnLike"] = {"AWS:SourceArn": request["SourceArn"]}
    if condition:
        out["Condition"] = condition
    return out


def document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Id": "default", "Statement": statements}
