"""DynamoDB service: the operation table (filled in by the operations owner).

Must not: hold logic; domain modules live beside it (``types``, ``expressions``, ``items``, ``tables``).
"""
