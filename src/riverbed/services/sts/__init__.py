"""STS: who is calling (GetCallerIdentity) and temporary credentials (AssumeRole, GetSessionToken).

Owns (by module): ``service`` (sessions and callers), ``operations/`` (the three actions), ``wiring``.
"""
