"""IAM: roles, users, policies and access keys, global per account, and the permission decision.

Owns (by module): ``service`` (state and the Permissions interface), ``managed`` (AWS managed
policies), ``enforcement`` (the ``--iam`` mode applied to execution roles), ``shapes`` (answer
shapes), ``errors`` (IAM's texts), ``operations/`` (one module per group of actions).
"""
