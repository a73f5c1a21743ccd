"""Argon2id with OWASP's recommended parameters (19 MiB, t=2, p=1).

Django's default Argon2 cost (100 MiB per hash) raised each web worker's resident memory by
about 100 MB on first login (measured in bench/notes.md); 19 MiB with two passes is the
OWASP Password Storage Cheat Sheet's first recommended configuration. Existing hashes keep
verifying (their parameters are stored in the hash) and are upgraded on the next login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class TinhSoArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19_456  # KiB
    parallelism = 1
