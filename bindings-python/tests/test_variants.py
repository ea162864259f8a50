"""TaapClient's variant options (api, token_body, pop_claims, pop_header, headers,
sign_policy, uri_form, x_authorization_prefix) against a local gateway on 127.0.0.1."""

from __future__ import annotations

import base64
import json
from typing import Any, Dict

import pytest

import taap
from gateway import Gateway


def part(token: str, index: int) -> bytes:
    text = token.split(".")[index]
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_api_picks_the_docs_server_and_excludes_server(key: taap.PrivateKey) -> None:
    client = taap.TaapClient("id", "secret", key, api="call-verification")
    assert (client.token_url, client.flavor) == ("https://api.t-mobile.com/oauth2/v6/tokens", "v6")
    assert taap.TaapClient("id", "secret", key, "connectivity").token_url == "https://naas.t-mobile.com/oauth2/v2/tokens"
    with pytest.raises(taap.ConfigError) as both:
        taap.TaapClient("id", "secret", key, "v2", api="location")
    assert str(both.value) == "invalid configuration: option server: give one of api, server and token_url, not api and server"
    with pytest.raises(taap.ConfigError) as unknown:
        taap.TaapClient("id", "secret", key, api="weather")
    assert str(unknown.value) == (
        'invalid configuration: option api: "weather" is not an API taap knows; choose one of connectivity, location, '
        "sms-notification, call-verification, fraud-prevention, or give v2, v6 or a token URL"
    )
    with pytest.raises(taap.ConfigError) as wrong_type:
        taap.TaapClient("id", "secret", key, api=7)  # type: ignore[arg-type]
    assert str(wrong_type.value) == "invalid configuration: option api must be a string, not 7"


def test_token_body_extras_prefix_and_default_headers_reach_the_gateway(key: taap.PrivateKey) -> None:
    with Gateway(key.public_key().to_pem()) as gateway:
        client = taap.TaapClient(
            "id", "secret", key, f"{gateway.url}/oauth2/v2/tokens",
            token_body={"grant_type": "client_credentials", "cnf": "{public_key_pem}"},
            token_body_mode="replace",
            pop_claims={"iss": "{client_id}"},
            pop_header={"kid": "k-1"},
            headers={"X-Partner-Id": "P-1"},
            sign_policy=taap.SignPolicy().with_header("X-Partner-Id"),
        )
        response = client.request("GET", f"{gateway.url}/bearer")
        assert response.status == 200, response.text
        assert response.json()["ehts"] == "Content-Type;Authorization;X-Partner-Id;uri;http-method;body"
        (_, token_headers, token_body), (_, call_headers, _) = gateway.received
    expected_body: Dict[str, Any] = {"grant_type": "client_credentials", "cnf": key.public_key().to_pem()}
    assert token_body == json.dumps(expected_body, separators=(",", ":")).encode()
    assert call_headers["x-partner-id"] == "P-1"
    for headers in (token_headers, call_headers):
        pop = headers["x-authorization"]
        assert part(pop, 0) == b'{"alg":"RS256","typ":"JWT","kid":"k-1"}'
        assert part(pop, 1).endswith(b'"iss":"id"}')


def test_the_prefix_goes_before_the_token(key: taap.PrivateKey) -> None:
    with Gateway(key.public_key().to_pem()) as gateway:
        client = taap.TaapClient("id", "secret", key, f"{gateway.url}/oauth2/v2/tokens", x_authorization_prefix="PoP ", max_retries=0)
        with pytest.raises(taap.OAuthError):
            client.access_token()
        (_, headers, _), = gateway.received
    assert headers["x-authorization"].startswith("PoP eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.")


def test_the_encoded_uri_form_needs_a_gateway_that_agrees(key: taap.PrivateKey) -> None:
    for gateway_form, status in (("encoded", 200), ("decoded", 401)):
        with Gateway(key.public_key().to_pem(), uri_form=gateway_form) as gateway:
            client = taap.TaapClient("id", "secret", key, f"{gateway.url}/oauth2/v2/tokens", uri_form="encoded", max_retries=0)
            response = client.request("GET", f"{gateway.url}/bearer?q=a%20b")
            assert response.status == status, response.text
    with pytest.raises(taap.ConfigError) as raw:
        taap.TaapClient("id", "secret", key, uri_form="raw")  # type: ignore[arg-type]
    assert str(raw.value) == 'invalid configuration: option uri_form is "raw"; choose decoded or encoded'


def test_bad_variant_options_are_config_errors_naming_the_option(key: taap.PrivateKey) -> None:
    cases = [
        ({"pop_claims": {"jti": "x"}}, 'option pop_claims: pop_claims cannot set "jti": the PoP token sets it itself'),
        ({"headers": {"Authorization": "x"}}, "option headers: headers: Authorization is set by the client itself"),
        ({"token_body_mode": "swap", "token_body": {}}, 'option token_body_mode is "swap"; choose merge or replace'),
        ({"token_body": ["a"]}, "option token_body must be an object, not a list"),
    ]
    for options, message in cases:
        with pytest.raises(taap.ConfigError) as error:
            taap.TaapClient("id", "secret", key, **options)  # type: ignore[arg-type]
        assert str(error.value) == f"invalid configuration: {message}"
