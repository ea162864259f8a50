"""requests and httpx auth, and TaapClient, against a local gateway on 127.0.0.1."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Iterator

import httpx
import pytest
import requests

import taap
import taap.httpx
import taap.requests
from gateway import ACCESS_TOKEN, Gateway, serve


@pytest.fixture(scope="module")
def gateway(key: taap.PrivateKey) -> Iterator[Gateway]:
    yield from serve(key.public_key().to_pem())


def test_requests_auth_signs_method_uri_headers_and_body(gateway: Gateway, key: taap.PrivateKey) -> None:
    auth = taap.requests.PopAuth(key)
    response = requests.post(
        f"{gateway.url}/orders?account-number=0000000000&q=a%20b",
        json={"orderId": 100},
        headers={"Authorization": "Bearer abc"},
        auth=auth,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert response.json()["ehts"] == "Content-Type;Authorization;uri;http-method;body"
    assert response.json()["body"] == '{"orderId": 100}'


def test_requests_auth_with_a_str_body_signs_what_is_sent(gateway: Gateway, key: taap.PrivateKey) -> None:
    response = requests.put(f"{gateway.url}/text", data="café €", auth=taap.requests.PopAuth(key.to_pem()), timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["ehts"] == "uri;http-method;body"
    assert response.json()["body"] == "café €".encode().decode("latin-1")


def test_requests_auth_get_without_body_and_custom_signed_headers(gateway: Gateway, key: taap.PrivateKey) -> None:
    auth = taap.requests.PopAuth(key, sign_headers=["x-request-id", "Accept"])
    response = requests.get(f"{gateway.url}/get", headers={"X-Request-ID": "r1", "Accept": "*/*"}, auth=auth, timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["ehts"] == "X-Request-ID;Accept;uri;http-method;body"


def test_requests_auth_refuses_a_streamed_body(key: taap.PrivateKey) -> None:
    request = requests.Request("POST", "http://127.0.0.1/x", data=iter([b"a"])).prepare()
    with pytest.raises(TypeError, match="exact body bytes"):
        taap.requests.PopAuth(key)(request)


def test_requests_auth_with_a_client_adds_the_bearer_token(gateway: Gateway, key: taap.PrivateKey) -> None:
    client = taap.TaapClient("id", "secret", key, f"{gateway.url}/oauth2/v2/tokens")
    auth = taap.requests.PopAuth(client=client)
    response = requests.post(f"{gateway.url}/bearer", json={}, auth=auth, timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert response.json()["ehts"] == "Content-Type;Authorization;uri;http-method;body"


def test_httpx_sync_auth(gateway: Gateway, key: taap.PrivateKey) -> None:
    with httpx.Client(auth=taap.httpx.PopAuth(key)) as client:
        response = client.post(f"{gateway.url}/orders?x=%E2%82%AC", content=b"\x00\xffbinary", headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 200, response.text
    assert response.json()["ehts"] == "Content-Type;uri;http-method;body"


def test_httpx_async_auth_with_a_client(gateway: Gateway, key: taap.PrivateKey) -> None:
    client = taap.TaapClient("id", "secret", key, f"{gateway.url}/oauth2/v2/tokens")

    async def call() -> httpx.Response:
        async with httpx.AsyncClient(auth=taap.httpx.PopAuth(client=client)) as http:
            return await http.patch(f"{gateway.url}/bearer", json={"a": 1})

    response = asyncio.run(call())
    assert response.status_code == 200, response.text
    assert response.json()["authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_httpx_async_streamed_body_is_read_and_signed(gateway: Gateway, key: taap.PrivateKey) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        yield b"part one, "
        yield b"part two"

    async def call() -> httpx.Response:
        async with httpx.AsyncClient(auth=taap.httpx.PopAuth(key)) as http:
            return await http.post(f"{gateway.url}/stream", content=chunks())

    response = asyncio.run(call())
    assert response.status_code == 200, response.text
    assert response.json()["body"] == "part one, part two"


def test_tampered_request_is_refused_by_the_gateway(gateway: Gateway, key: taap.PrivateKey) -> None:
    token = taap.PopToken.for_request(key, "POST", f"{gateway.url}/x", body=b"signed")
    response = requests.post(f"{gateway.url}/x", data=b"tampered", headers={"X-Authorization": token}, timeout=10)
    assert response.status_code == 401
    assert response.json()["code"] == "TAAP_EDTS_MISMATCH"


def test_auth_objects_take_key_or_client_and_show_no_secret(key: taap.PrivateKey) -> None:
    with pytest.raises(TypeError, match="pass key"):
        taap.requests.PopAuth()
    with pytest.raises(TypeError, match="TaapClient"):
        taap.httpx.PopAuth(client="nope")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="single string"):
        taap.requests.PopAuth(key, sign_headers="Content-Type")
    with pytest.raises(taap.InvalidKeyError):
        taap.httpx.PopAuth("not a pem")
    shown = repr(taap.requests.PopAuth(key))
    assert shown.startswith("PopAuth(key=<PrivateKey bits=2048") and "BEGIN" not in shown


def test_client_gets_and_caches_the_access_token(key: taap.PrivateKey) -> None:
    with Gateway(key.public_key().to_pem()) as gateway:
        client = taap.TaapClient("id", "secret", key.to_pem(), f"{gateway.url}/oauth2/v2/tokens")
        token = client.access_token()
        assert token.secret == ACCESS_TOKEN
        assert (token.expires_in, token.scope, token.status) == (3599, "s", "success")
        assert 3590 < token.remaining <= 3599
        assert ACCESS_TOKEN not in repr(token)
        assert client.access_token().secret == ACCESS_TOKEN
        assert gateway.token_requests == 1
        client.refresh_access_token()
        assert gateway.token_requests == 2
        assert (client.client_id, client.flavor, client.token_url) == ("id", "v2", f"{gateway.url}/oauth2/v2/tokens")
        assert client.key.public_key() == key.public_key()
        assert "secret" not in repr(client)


def test_client_request_sends_a_signed_call(gateway: Gateway, key: taap.PrivateKey) -> None:
    client = taap.TaapClient("id", "secret", key, f"{gateway.url}/oauth2/v2/tokens")
    response = client.request("POST", f"{gateway.url}/bearer?a=1", {"Accept": "application/json"}, json={"orderId": 100})
    assert (response.status, response.ok) == (200, True)
    assert response.json()["ehts"] == "Content-Type;Authorization;uri;http-method;body"
    assert response.json()["body"] == '{"orderId":100}'
    assert response.header("content-type") == "application/json"
    assert ("content-type", "application/json") in response.headers
    assert response.text == response.content.decode()
    assert repr(response).startswith("<Response status=200 body_bytes=")


def test_client_reports_wrong_credentials_as_oauth_error_with_status(gateway: Gateway, key: taap.PrivateKey) -> None:
    client = taap.TaapClient("id", "wrong", key, f"{gateway.url}/oauth2/v2/tokens", max_retries=0)
    with pytest.raises(taap.OAuthError) as raised:
        client.access_token()
    assert raised.value.status == 401
    assert "bad credentials" in str(raised.value)
    assert "wrong" not in str(raised.value)


def test_client_reports_an_unreachable_server_as_transport_error(key: taap.PrivateKey) -> None:
    with Gateway(key.public_key().to_pem()) as gateway:
        url = f"{gateway.url}/oauth2/v2/tokens"
    client = taap.TaapClient("id", "secret", key, url, max_retries=0, connect_timeout=2)
    with pytest.raises(taap.TransportError):
        client.access_token()


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"server": "ftp://h/oauth2/v2/tokens"}, taap.ConfigError, "invalid configuration: option server: the OAuth server URL must be https://host/…"),
        (
            {"server": "https://h/not-a-token-path"},
            taap.ConfigError,
            'invalid configuration: option server: cannot tell the token flavour from the path "/not-a-token-path"; it must end in /v2/tokens or /v6/tokens',
        ),
        ({"client_secret": ""}, taap.ConfigError, "invalid configuration: client_secret is empty"),
        ({"client_id": "a:b"}, taap.ConfigError, "invalid configuration: client_id must not contain ':' or control characters"),
        ({"max_retries": 11}, taap.ConfigError, "invalid configuration: option max_retries is 11; choose 0 to 10"),
        ({"max_retries": -1}, taap.ConfigError, "invalid configuration: option max_retries is -1; choose 0 to 10"),
        ({"timeout": 0}, taap.ConfigError, "invalid configuration: option timeout is 0; choose above 0 and at most 3600 seconds"),
        ({"timeout": -1.5}, taap.ConfigError, "invalid configuration: option timeout is -1.5; choose above 0 and at most 3600 seconds"),
        ({"pop_ttl": 0}, taap.ConfigError, "invalid configuration: option pop_ttl is 0; choose 1 to 3600 seconds"),
        ({"retry_base_delay": 2.0, "retry_max_delay": 1.0}, taap.ConfigError, "invalid configuration: option retry_base_delay (2 s) exceeds option retry_max_delay (1 s)"),
        ({"retry_max_delay": 601}, taap.ConfigError, "invalid configuration: option retry_max_delay is 601; choose above 0 and at most 600 seconds"),
        ({"retry_max_delay": "1"}, taap.ConfigError, "invalid configuration: option retry_max_delay must be a number of seconds, not a string"),
        ({"max_response_bytes": 0}, taap.ConfigError, "invalid configuration: option max_response_bytes is 0; choose at least 1 bytes"),
        ({"max_response_bytes": -1}, taap.ConfigError, "invalid configuration: option max_response_bytes is -1; choose at least 1 bytes"),
        ({"timeout": "10"}, taap.ConfigError, "invalid configuration: option timeout must be a number of seconds, not a string"),
        ({"correct_clock_skew": 1}, taap.ConfigError, "invalid configuration: option correct_clock_skew must be true or false, not 1"),
        ({"client_id": 5}, TypeError, "client_id must be a str, not int"),
        ({"key": 5}, TypeError, "key must be a PrivateKey, a Signer, or PEM as str or bytes, not int"),
        ({"sign_policy": ["Accept"]}, TypeError, "sign_policy must be a SignPolicy, not list"),
    ],
)
def test_client_configuration_errors(key: taap.PrivateKey, arguments: dict, error: type, message: str) -> None:
    options = {"client_id": "id", "client_secret": "secret", "key": key, **arguments}
    with pytest.raises(error) as raised:
        taap.TaapClient(**options)
    assert type(raised.value) is error
    assert str(raised.value) == message


def test_a_key_that_is_not_pem_is_an_invalid_key(key: taap.PrivateKey) -> None:
    with pytest.raises(taap.InvalidKeyError, match="no PEM block found"):
        taap.TaapClient("id", "secret", "not a pem")


def test_the_settings_view_shows_the_options_in_effect(key: taap.PrivateKey) -> None:
    client = taap.TaapClient("id", "secret", key, "v6", store_id="S1", retry_base_delay=0, timeout=2.5, sign_policy=taap.SignPolicy.headers(["Accept"]))
    settings = client.settings
    assert (settings["server"], settings["store_id"], settings["retry_base_delay"], settings["timeout"]) == (
        "https://api.t-mobile.com/oauth2/v6/tokens",
        "S1",
        0.0,
        2.5,
    )
    assert settings["sign_headers"] == ["Accept"], "the sign_policy handle is what the client signs"
    settings["timeout"] = 99
    assert client.settings["timeout"] == 2.5, "a fresh dict each time"
    with_names = taap.TaapClient("id", "secret", key, sign_policy=taap.SignPolicy.headers(["Accept"]), sign_headers=["Date"], uri_form="encoded")
    assert (with_names.settings["sign_headers"], with_names.settings["uri_form"]) == (["Date"], "encoded")
    assert set(settings) == {setting["name"] for setting in taap.settings_schema() if setting["group"] == "client"} - {"api"}


def test_client_request_refuses_both_body_and_json(key: taap.PrivateKey) -> None:
    client = taap.TaapClient("id", "secret", key)
    with pytest.raises(ValueError, match="not both"):
        client.request("POST", "https://h/x", body=b"a", json={})
    with pytest.raises(taap.ConfigError, match="the client sets it"):
        client.request("GET", "https://h/x", {"Authorization": "Bearer mine"})


@pytest.mark.parametrize("module", ["requests", "httpx"])
def test_taap_imports_without_the_http_libraries(module: str) -> None:
    script = (
        f"import sys; sys.modules[{module!r}] = None\n"
        "import taap\n"
        "assert taap.PopToken\n"
        "try:\n"
        f"    import taap.{module}\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert output.strip() == f"taap.{module} needs the {module} package: pip install {module}"
