"""The public keys of a JWKS issuer: fetched on first use, cached, refetched with care.

- Each worker keeps the key set in memory for KEYS_LIFETIME seconds, so a
  request costs no fetch and no query. The set is also kept in the shared
  "default" cache (Redis, or the database), so one worker's fetch serves all.
- A key id the set does not hold (a key added by rotation, or a made-up one)
  leads to at most one refetch per REFETCH_INTERVAL seconds, first per worker
  (no query), then across workers (an `add` on the shared cache): a flood of
  tokens with random key ids costs the issuer one request per interval and
  the API nothing more. A rotated key is accepted within that interval.
- A fetch waits FETCH_TIMEOUT seconds at most. While the issuer cannot be
  reached, the keys already known keep verifying, however old; a token that
  needs an unknown one is refused (a 401 at once, not a hang or a 500).
"""

import hashlib
import json
import logging
import time
import urllib.request
from dataclasses import dataclass, field

from django.core.cache import caches

logger = logging.getLogger(__name__)

KEYS_LIFETIME = 300  # seconds a worker trusts the set it holds
REFETCH_INTERVAL = 5  # seconds between fetches prompted by an unknown key id
FETCH_TIMEOUT = 2  # seconds
MAX_DOCUMENT_BYTES = 256 * 1024
# Only the issuer's own URL is fetched, over plain HTTP(S): no proxy from the
# environment, no other scheme.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class _KeySet:
    keys: dict[str, dict] = field(default_factory=dict)  # kid -> JWK
    fetched_at: float = float("-inf")  # time.time() of the fetch behind it
    checked_at: float = float("-inf")  # time.monotonic() this worker last looked


_key_sets: dict[str, _KeySet] = {}


def jwk_for(jwks_url: str, kid: str) -> dict | None:
    """The JWK with this key id in the issuer's set, or None."""
    key_set = _key_sets.setdefault(jwks_url, _KeySet())
    stale = time.monotonic() - key_set.checked_at >= KEYS_LIFETIME
    if stale or (kid not in key_set.keys and _may_look_again(key_set)):
        _refresh(jwks_url, key_set, force=kid not in key_set.keys)
    return key_set.keys.get(kid)


def forget_keys() -> None:
    """Drop every worker-local key set (tests; a process that must re-read its issuers)."""
    _key_sets.clear()


def _may_look_again(key_set: _KeySet) -> bool:
    return time.monotonic() - key_set.checked_at >= REFETCH_INTERVAL


def _refresh(jwks_url: str, key_set: _KeySet, *, force: bool) -> None:
    """Take a newer set from the shared cache, or fetch one if that is allowed now."""
    key_set.checked_at = time.monotonic()
    cache = caches["default"]
    name = hashlib.sha256(jwks_url.encode()).hexdigest()
    shared = cache.get(f"jwks:{name}")
    if shared is not None and shared["fetched_at"] > key_set.fetched_at:
        key_set.keys, key_set.fetched_at = shared["keys"], shared["fetched_at"]
    fresh = time.time() - key_set.fetched_at < KEYS_LIFETIME
    if fresh and not force:
        return
    # One fetch per interval across all workers: whoever adds the mark
    # fetches. A worker that holds no key at all (it just started) fetches
    # anyway, once per interval, rather than refuse every token meanwhile.
    if not cache.add(f"jwks-fetch:{name}", 1, timeout=REFETCH_INTERVAL) and key_set.keys:
        return
    keys = _fetch(jwks_url)
    if keys is None:
        return  # unreachable or unreadable: the known keys stay
    key_set.keys, key_set.fetched_at = keys, time.time()
    cache.set(f"jwks:{name}", {"keys": keys, "fetched_at": key_set.fetched_at}, timeout=None)


def _fetch(jwks_url: str) -> dict[str, dict] | None:
    request = urllib.request.Request(jwks_url, headers={"Accept": "application/json"})  # noqa: S310 - http(s) only, checked in settings
    try:
        with _opener.open(request, timeout=FETCH_TIMEOUT) as response:
            body = response.read(MAX_DOCUMENT_BYTES + 1)
        if len(body) > MAX_DOCUMENT_BYTES:
            raise ValueError(f"larger than {MAX_DOCUMENT_BYTES} bytes")
        document = json.loads(body)
    except (OSError, ValueError) as exc:  # URLError, timeouts, bad JSON
        logger.warning("Could not fetch the JWKS at %s: %s", jwks_url, exc)
        return None
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        logger.warning("The JWKS at %s holds no key list.", jwks_url)
        return None
    return {
        key["kid"]: key
        for key in keys
        if isinstance(key, dict) and isinstance(key.get("kid"), str) and key.get("kty") != "oct"
    }
