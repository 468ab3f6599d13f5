"""IAM policy language: documents, matching and evaluation, shared by every service that checks permissions.

Owns: :mod:`documents` (parsing and validating a policy document with IAM's MalformedPolicyDocument
texts), :mod:`matching` (``*``/``?`` wildcards, ARNs, actions, principals, policy variables),
:mod:`conditions` (the condition operators) and :mod:`evaluate` (the decision: explicit Deny beats
Allow, default deny, identity and resource policies together).

Must not: know any service's state, raise a service's error (a :class:`PolicyError` carries the text;
IAM, KMS, Lambda each wrap it in their own error code) or read the clock (callers put
``aws:CurrentTime`` in the context).
"""

from riverbed.core.policy.documents import PolicyError, Statement, parse_policy
from riverbed.core.policy.evaluate import Decision, RequestFacts, evaluate, evaluate_with_reason, principal_allowed

__all__ = ["Decision", "PolicyError", "RequestFacts", "Statement", "evaluate", "evaluate_with_reason", "parse_policy",
           "principal_allowed"]
