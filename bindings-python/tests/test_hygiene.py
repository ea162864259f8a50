"""Secret hygiene: every error kind, triggered with a private key, a password, a client secret
and an access token of known values in play, keeps all of them (and any 12 characters of one,
a base64 line of the key included) out of ``str``, ``repr``, ``args`` and the formatted
traceback; ``repr`` of keys, clients and access tokens hides them too. OAuth and Transport run
against ``taap serve`` on 127.0.0.1 and a closed port."""

from __future__ import annotations

import os
import subprocess
import traceback
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest

import taap
from taap import _taap

from conftest import KEYS, REPO_TESTS

PASSWORD = "hygiene-password-7f3a9c1e"
CLIENT_SECRET = "hygiene-client-secret-4b8d2e6f"
ACCESS_TOKEN = "hygiene-access-token-9c7e5a3b1d"
GATEWAY_SECRET = "hygiene-gateway-secret-2d4f6a8c"
CLIENT_ID = "acme-test-id"
IAT = 1767225600
KEY_PEM = (KEYS / "tmobile" / "readme-private-pkcs8.pem").read_text()
KEY_LINES = [line for line in KEY_PEM.splitlines() if not line.startswith("-----")]
SECRETS = [KEY_LINES[len(KEY_LINES) // 2], PASSWORD, CLIENT_SECRET, ACCESS_TOKEN, GATEWAY_SECRET]
BEARER = f"Bearer {ACCESS_TOKEN}"


def assert_no_secret(text: str, what: str) -> None:
    for secret in SECRETS:
        for start in range(len(secret) - 11):
            assert secret[start : start + 12] not in text, f"{what} shows part of a secret: {text}"


def assert_clean(kind: type, action: Callable[[], Any]) -> str:
    with pytest.raises(kind) as raised:
        action()
    error = raised.value
    shown = [str(error), repr(error), repr(error.args), "".join(traceback.format_exception(type(error), error, None))]
    for text in shown:
        assert text.strip()
        assert_no_secret(text, kind.__name__)
    return type(error).__name__[: -len("Error")]


@pytest.fixture(scope="module")
def gateway() -> Iterator[str]:
    """``taap serve`` (built from the workspace if need be) with the readme key registered."""
    root = REPO_TESTS.parent
    target = Path(os.environ.get("CARGO_TARGET_DIR") or root / "target")
    binary = target / "release" / "taap"
    if not binary.exists():
        subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "taap-cli"], cwd=root, check=True)
    served = subprocess.Popen(
        [str(binary), "serve", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", "HYGIENE_SECRET",
         "--public-key", str(KEYS / "tmobile" / "readme-public.pem")],
        env={**os.environ, "HYGIENE_SECRET": GATEWAY_SECRET},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert served.stdout is not None
    first = served.stdout.readline()
    assert first.startswith("listening on "), first
    yield first.split()[-1]
    served.kill()
    output = first + served.stdout.read()
    served.wait()
    assert_no_secret(output, "the gateway's output")


def client(url: str, secret: str = CLIENT_SECRET) -> taap.TaapClient:
    key = taap.PrivateKey.from_pem(KEY_PEM)
    made = taap.TaapClient(CLIENT_ID, secret, key, url, max_retries=0, connect_timeout=2, timeout=5)
    assert_no_secret(repr(made), "repr(TaapClient)")
    return made


def test_every_error_kind_keeps_the_secrets_out(gateway: str) -> None:
    key = taap.PrivateKey.from_pem(KEY_PEM)
    other = taap.PrivateKey.from_file(KEYS / "openssl" / "pkcs8-private.pem")
    middle = SECRETS[0]
    cut = KEY_PEM[: KEY_PEM.index(middle) + len(middle) + 1] + "-----END PRIVATE KEY-----\n"
    encrypted = (KEYS / "openssl" / "pbes2-aes256-private.pem").read_text()
    values = [("Authorization", BEARER), ("uri", "/orders"), ("http-method", "GET")]

    def token(ttl: int = 120) -> str:
        return taap.PopToken.build(key, values, iat=IAT, ttl=ttl)

    seen: List[str] = [
        assert_clean(taap.InvalidKeyError, lambda: taap.PrivateKey.from_pem(cut)),
        assert_clean(taap.InvalidKeyError, lambda: taap.PublicKey.from_pem(KEY_PEM)),
        assert_clean(taap.KeyDecryptError, lambda: taap.PrivateKey.from_pem(encrypted, password=PASSWORD)),
        assert_clean(taap.InvalidEhtsError, lambda: taap.PopToken.build(key, [("Authorization", BEARER), ("", ACCESS_TOKEN)])),
        assert_clean(
            taap.InvalidEhtsError,
            lambda: taap.PopToken.for_request(key, "GET", f"https://exa mple.com/?t={ACCESS_TOKEN}", {"Authorization": BEARER}),
        ),
        assert_clean(taap.ConfigError, lambda: taap.PopToken.build(key, values, ttl=-5)),
        assert_clean(
            taap.InvalidTokenError,
            lambda: taap.PopTokenValidator(required=["X-Never"]).validate(token(), key.public_key(), values, now=IAT + 5),
        ),
        assert_clean(
            taap.TokenExpiredError, lambda: taap.PopTokenValidator().validate(token(), key.public_key(), values, now=IAT + 1000)
        ),
        assert_clean(
            taap.TokenTooOldError,
            lambda: taap.PopTokenValidator().validate(token(3600), key.public_key(), values, now=IAT + 600),
        ),
        assert_clean(
            taap.SignatureInvalidError,
            lambda: taap.PopTokenValidator().validate(token(), other.public_key(), values, now=IAT + 5),
        ),
        assert_clean(
            taap.EdtsMismatchError,
            lambda: taap.PopTokenValidator().validate(
                token(), key.public_key(), [("Authorization", BEARER + "X"), *values[1:]], now=IAT + 5
            ),
        ),
        assert_clean(
            taap.MissingEhtsValueError,
            lambda: taap.PopTokenValidator().validate(token(), key.public_key(), values[1:], now=IAT + 5),
        ),
    ]
    replaying = taap.PopTokenValidator(replay_cache=True)
    once = token()
    replaying.validate(once, key.public_key(), values, now=IAT + 5)
    seen.append(assert_clean(taap.ReplayError, lambda: replaying.validate(once, key.public_key(), values, now=IAT + 5)))
    seen.append(assert_clean(taap.OAuthError, lambda: client(f"{gateway}/oauth2/v2/tokens").access_token()))
    seen.append(assert_clean(taap.TransportError, lambda: client("http://127.0.0.1:9/oauth2/v2/tokens").access_token()))
    seen.append(assert_clean(taap.ConfigError, lambda: client("https://h/oauth2/v9/tokens")))
    # A JWK set URL's query may hold a credential; nothing listens on port 9.
    jwks = f"http://127.0.0.1:9/jwks.json?access_token={ACCESS_TOKEN}"
    seen.append(assert_clean(taap.KeySourceUnavailableError, lambda: len(taap.KeySource.from_jwks_url(jwks))))
    assert sorted(set(seen)) == sorted(name for name, *_ in _taap.ERROR_KINDS)


def test_reprs_hide_keys_and_access_tokens(gateway: str) -> None:
    key = taap.PrivateKey.from_pem(KEY_PEM)
    for value in (key, key.public_key(), taap.PopTokenValidator()):
        assert_no_secret(repr(value), f"repr({type(value).__name__})")
        assert_no_secret(str(value), f"str({type(value).__name__})")
    working = client(f"{gateway}/oauth2/v2/tokens", secret=GATEWAY_SECRET)
    access = working.access_token()
    assert access.secret and access.secret not in repr(access) and access.secret not in str(access)
    assert access.secret not in repr(working)
    assert_no_secret(repr(access) + repr(working), "repr of an AccessToken and its client")


def test_the_settings_views_hide_secrets() -> None:
    key = taap.PrivateKey.from_pem(KEY_PEM)
    configured = taap.TaapClient(
        CLIENT_ID,
        CLIENT_SECRET,
        key,
        headers={"X-Api-Key": ACCESS_TOKEN},
        token_store=f"redis://:{PASSWORD}@127.0.0.1:1/0",
    )
    shown = repr(configured.settings)
    assert_no_secret(shown, "TaapClient.settings")
    assert (configured.settings["headers"], configured.settings["token_store"]) == ({"X-Api-Key": "****"}, True)
    assert_no_secret(repr(taap.PopTokenValidator(replay_cache=True).settings), "PopTokenValidator.settings")
    assert_clean(taap.ConfigError, lambda: taap.TaapClient(CLIENT_ID, CLIENT_SECRET, key, token_store=f"memcached://:{PASSWORD}@h/"))
    assert_clean(taap.ConfigError, lambda: taap.TaapClient(CLIENT_ID, CLIENT_SECRET, key, x_authorization_prefix=PASSWORD * 3))
