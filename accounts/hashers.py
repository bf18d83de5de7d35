from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's recommended minimum cost: 19 MiB, 2 passes, 1 lane.

    Django's defaults (100 MiB, 8 lanes) make every login allocate 100 MiB
    in a worker meant to stay near 100 MB, and take several times longer
    on a small server, for little gain against offline cracking over these
    parameters. Hashes made with other parameters still verify and are
    rehashed with these at the next login.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
