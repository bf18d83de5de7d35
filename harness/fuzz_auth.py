"""Schemathesis hook for `make fuzz`: every request as the fuzzing user, whatever the fuzzer does.

Loaded by Schemathesis (`hooks` in harness/schemathesis.toml). harness/fuzz.py
registers the user and passes its first token pair in the environment.

The access token lasts 15 minutes, so it is renewed with the refresh token
every 5 minutes, and at once if a request that carried it gets a 401. The
refresh token is the one credential the generated requests cannot take
away: it does not depend on the email address (which PATCH /api/auth/me/
changes), and revoking it takes the token itself (logout) or the password
(a password change, or deleting the account), neither of which the fuzzer
ever sees.
"""

import os

import requests
import schemathesis

RENEW_EVERY_SECONDS = 300
REFRESH_PATH = "/api/auth/refresh/"


@schemathesis.auth(refresh_interval=RENEW_EVERY_SECONDS)
class FuzzingUserAuth:
    def __init__(self):
        self.first_access = os.environ["FUZZ_ACCESS_TOKEN"]
        self.refresh = os.environ["FUZZ_REFRESH_TOKEN"]
        self.session = requests.Session()
        self.session.trust_env = False  # loopback: no proxy

    def get(self, case, context):
        if self.first_access is not None:
            token, self.first_access = self.first_access, None
            return token
        base_url = context.operation.schema.get_base_url().rstrip("/")
        response = self.session.post(
            base_url + REFRESH_PATH, json={"refresh": self.refresh}, timeout=10
        )
        response.raise_for_status()
        pair = response.json()
        self.refresh = pair["refresh"]  # rotated: the one sent is now revoked
        return pair["access"]

    def set(self, case, data, context):
        case.headers["Authorization"] = f"Bearer {data}"
