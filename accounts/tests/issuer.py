"""A token issuer for tests: key pairs made here, a JWKS served over loopback, tokens.

`LocalIssuer` serves its public keys at `jwks_url` from a thread of this
process, counts how often they are fetched, and can rotate keys or stop
answering, as a real issuer would.
"""

import base64
import json
import threading
import time
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

ISSUER = "https://issuer.test"
AUDIENCE = "https://app.test"


def new_private_key(algorithm: str):
    if algorithm == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm.startswith(("RS", "PS")):
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(algorithm)


def public_jwk(private_key, kid: str, algorithm: str) -> dict:
    algorithm_class = jwt.get_algorithm_by_name(algorithm)
    jwk = json.loads(algorithm_class.to_jwk(private_key.public_key()))
    return {**jwk, "kid": kid, "alg": algorithm, "use": "sig"}


class LocalIssuer:
    def __init__(self):
        self.keys: dict[str, tuple[str, object]] = {}  # kid -> (algorithm, private key)
        self.fetches = 0
        self.down = False
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                issuer.fetches += 1
                if issuer.down:
                    self.send_error(503)
                    return
                body = json.dumps(issuer.jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.jwks_url = f"http://127.0.0.1:{self.server.server_port}/api/auth/jwks"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def add_key(self, algorithm: str = "EdDSA") -> str:
        kid = uuid.uuid4().hex
        self.keys[kid] = (algorithm, new_private_key(algorithm))
        return kid

    def jwks(self) -> dict:
        return {
            "keys": [
                public_jwk(private_key, kid, algorithm)
                for kid, (algorithm, private_key) in self.keys.items()
            ]
        }

    def token(self, kid: str, *, header: dict | None = None, **claims) -> str:
        """A token signed with the key `kid`; `claims` add to (or, as None, remove) the defaults."""
        algorithm, private_key = self.keys[kid]
        return jwt.encode(
            payload(**claims),
            private_key,
            algorithm=algorithm,
            headers={"kid": kid, **(header or {})},
        )

    def raw_token(self, kid: str, header: dict) -> str:
        """Signed with the key `kid`, under exactly this header (PyJWT refuses to write some)."""
        algorithm, private_key = self.keys[kid]

        def segment(data: dict) -> bytes:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=")

        signing_input = segment({"alg": algorithm, **header}) + b"." + segment(payload())
        signature = jwt.get_algorithm_by_name(algorithm).sign(signing_input, private_key)
        return (signing_input + b"." + base64.urlsafe_b64encode(signature).rstrip(b"=")).decode()


@contextmanager
def trusted_issuer(settings):
    """A LocalIssuer with one EdDSA key (`.kid`) that the service is set to trust (ISSUER,
    AUDIENCE), and no keys or fetches remembered from before; closed afterwards."""
    from django.core.cache import caches

    from accounts import jwks
    from accounts.issuers import external_issuers

    jwks.forget_keys()
    caches["default"].clear()
    issuer = LocalIssuer()
    settings.EXTERNAL_JWT = external_issuers(
        jwks_url=issuer.jwks_url, issuer=ISSUER, audiences=[AUDIENCE]
    )
    issuer.kid = issuer.add_key("EdDSA")
    try:
        yield issuer
    finally:
        issuer.close()
        jwks.forget_keys()


def payload(**claims) -> dict:
    """What Better Auth's jwt() plugin puts in a token, with `claims` changed."""
    now = int(time.time())
    defaults = {
        "sub": "u1AbCdEfGhIjKlMnOpQrStUvWxYz0123",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 900,
        "id": "u1AbCdEfGhIjKlMnOpQrStUvWxYz0123",
        "email": "ada@example.org",
        "emailVerified": True,
        "name": "Ada",
    }
    merged = {**defaults, **claims}
    return {name: value for name, value in merged.items() if value is not None}
