"""The neutral core every service stands on: request context, service descriptions, cross-service interfaces.

Owns: :mod:`context` (who calls, from where, with which clock and store — nothing of HTTP),
:mod:`service` (how a service describes itself to the house: name, protocol, model, operations,
wire quirks as data, and the parts it adds to the app: loops, hooks, routes), :mod:`interfaces`
(the small typed protocols through which one service calls another, as AWS does internally),
:mod:`models` (botocore's service models, read as data), :mod:`policy` (the IAM policy
language: documents, matching, evaluation) and :mod:`jsondoc` (JSON documents with
AWS's Jackson-style error texts).

Must not: import the wire layer (``riverbed.protocol``), any service, the triggers or the runtime.
"""
