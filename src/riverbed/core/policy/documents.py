"""Policy documents: parsing, the statement model, and validation with IAM's MalformedPolicyDocument texts.

Owns: turning JSON text into :class:`Statement` objects (single values and lists normalised to lists)
and refusing what IAM refuses, in its words: invalid JSON ("This policy contains invalid Json"), an
identity policy naming a principal ("Policy document should not specify a principal."), a trust policy
with a resource ("Has prohibited field Resource"), statements without actions or resources, actions
with two colons ("Actions/Condition can contain only one colon.").

Must not: evaluate anything, or know which service stores the document.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["identity", "trust", "resource"]
VERSIONS = ("2012-10-17", "2008-10-17")
SYNTAX = "Syntax errors in policy."


class PolicyError(ValueError):
    """A policy document IAM would refuse; ``message`` is IAM's text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Statement:
    effect: str                                  # "Allow" | "Deny"
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None     # None: the element is absent (trust policies)
    not_resources: tuple[str, ...] | None = None
    principals: dict[str, tuple[str, ...]] | None = None     # {"AWS": (...), "Service": (...)}, "*" -> {"AWS": ("*",)}
    not_principals: dict[str, tuple[str, ...]] | None = None
    conditions: dict[str, dict[str, tuple[Any, ...]]] = field(default_factory=dict)
    sid: str = ""


def _strings(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str) for v in items):
        raise PolicyError(SYNTAX)
    return tuple(items)


def _principal(value: Any) -> dict[str, tuple[str, ...]]:
    if value == "*":
        return {"AWS": ("*",)}
    if not isinstance(value, dict) or not value:
        raise PolicyError("Invalid principal in policy")
    out: dict[str, tuple[str, ...]] = {}
    for kind, entries in value.items():
        if kind not in ("AWS", "Service", "Federated", "CanonicalUser"):
            raise PolicyError("Invalid principal in policy")
        out[kind] = _strings(entries)
    return out


def _conditions(value: Any) -> dict[str, dict[str, tuple[Any, ...]]]:
    if not isinstance(value, dict):
        raise PolicyError(SYNTAX)
    out: dict[str, dict[str, tuple[Any, ...]]] = {}
    for operator, block in value.items():
        if not isinstance(block, dict):
            raise PolicyError(SYNTAX)
        out[str(operator)] = {str(k): tuple(v if isinstance(v, list) else [v]) for k, v in block.items()}
    return out


def parse_policy(text: str | dict[str, Any], kind: Kind = "identity") -> list[Statement]:
    """The statements of a policy document, or PolicyError with IAM's text for what IAM refuses."""
    if isinstance(text, str):
        try:
            doc = json.loads(text)
        except ValueError:
            raise PolicyError("This policy contains invalid Json") from None
    else:
        doc = text
    if not isinstance(doc, dict):
        raise PolicyError("This policy contains invalid Json")
    version = doc.get("Version")
    if version is not None and version not in VERSIONS:
        raise PolicyError("The policy failed legacy parsing")
    raw = doc.get("Statement")
    if raw is None:
        raise PolicyError(SYNTAX)
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise PolicyError(SYNTAX)
    statements = [_statement(item, kind) for item in items]
    uses_variables = "${" in json.dumps(doc.get("Statement"))
    if uses_variables and version != "2012-10-17" and kind == "identity":
        # Variables are only understood from version 2012-10-17 on; IAM says so on write.
        raise PolicyError("Policy document must be version 2012-10-17 or greater.")
    return statements


def _statement(item: Any, kind: Kind) -> Statement:
    if not isinstance(item, dict):
        raise PolicyError(SYNTAX)
    effect = item.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(SYNTAX)
    has_principal = "Principal" in item or "NotPrincipal" in item
    if kind == "identity" and has_principal:
        raise PolicyError("Policy document should not specify a principal.")
    if kind == "trust":
        for forbidden in ("Resource", "NotResource"):
            if forbidden in item:
                raise PolicyError(f"Has prohibited field {forbidden}")
    if kind in ("trust", "resource") and not has_principal:
        raise PolicyError("Missing required field Principal")
    if "Action" not in item and "NotAction" not in item:
        raise PolicyError("Policy statement must contain actions.")
    if kind != "trust" and "Resource" not in item and "NotResource" not in item:
        raise PolicyError("Policy statement must contain resources.")
    actions = _strings(item["Action"]) if "Action" in item else ()
    not_actions = _strings(item["NotAction"]) if "NotAction" in item else None
    for action in actions + (not_actions or ()):
        if action != "*" and action.count(":") != 1:
            raise PolicyError("Actions/Condition can contain only one colon." if action.count(":") > 1
                              else "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
    return Statement(
        effect=effect,
        actions=actions,
        not_actions=not_actions,
        resources=_strings(item["Resource"]) if "Resource" in item else None,
        not_resources=_strings(item["NotResource"]) if "NotResource" in item else None,
        principals=_principal(item["Principal"]) if "Principal" in item else None,
        not_principals=_principal(item["NotPrincipal"]) if "NotPrincipal" in item else None,
        conditions=_conditions(item.get("Condition", {})),
        sid=str(item.get("Sid", "")),
    )
