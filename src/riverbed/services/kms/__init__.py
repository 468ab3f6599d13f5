"""KMS: symmetric keys, aliases, key policies and authenticated encryption with AES-GCM.

Owns (by module): ``service`` (keys, aliases, state rules), ``ciphertext`` (the blob format and the
cryptography), ``errors`` (KMS's texts), ``operations/`` (one module per group of actions), ``wiring``.
"""
