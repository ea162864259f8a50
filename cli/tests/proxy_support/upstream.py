"""An API upstream for cli/tests/proxy.rs, independent of taap: HTTPS with a CA it makes, and
every request's PoP token checked with PyJWT (signature, exp, iat) and the edts recomputed here
from the request as received. Prints `listening on https://127.0.0.1:PORT` once ready, then one
JSON line per request that passed the check (`{"event": "request", ...}`).

    python upstream.py PUBLIC_KEY_PEM CA_OUT_FILE

Routes (all behind the PoP check, except /_control/*):
  /echo...                  200: what arrived (method, uri, query, headers, body, claims)
  /download?bytes=N         N bytes, chunked; X-Content-Sha256 holds their SHA-256
  /gated?bytes=N            64 KiB at once, the rest after /_control/release
  /unauthorized-once/KEY    401 on the first hit of KEY, then 200 with the hits seen
  /hits/KEY                 200 with the hits KEY has seen
  /slow?ms=N                200 `slow done` after N ms
"""

import base64
import datetime
import hashlib
import http.server
import ipaddress
import json
import ssl
import sys
import tempfile
import threading
import time
import urllib.parse

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

PUBLIC_KEY = open(sys.argv[1], "rb").read()
CA_OUT = sys.argv[2]
CHUNK = 64 * 1024

hits = {}
hits_lock = threading.Lock()
released = threading.Event()


def make_certificates():
    """A CA and a server certificate for 127.0.0.1 signed by it: (ca_pem, cert_pem, key_pem)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "taap proxy test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = lambda c: c.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem(ca), pem(cert), key_pem


def pattern(n):
    """N deterministic bytes."""
    block = bytes(range(251)) * (CHUNK // 251 + 1)
    out = bytearray()
    while len(out) < n:
        out += block[: min(CHUNK, n - len(out))]
    return bytes(out)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, value, headers=()):
        body = (json.dumps(value) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, header in headers:
            self.send_header(name, header)
        self.end_headers()
        self.wfile.write(body)

    def received_uri(self):
        """The ehts `uri` as T-Mobile's gateway computes it: the path as sent, the query
        percent-decoded."""
        path, _, query = self.path.partition("?")
        uri = path.encode()
        if "?" in self.path:
            uri += b"?" + urllib.parse.unquote_to_bytes(query)
        return uri

    def check_pop(self, body):
        """The PoP token's claims, or the reason it is refused."""
        token = self.headers.get("X-Authorization")
        if not token:
            return None, "no X-Authorization"
        try:
            claims = jwt.decode(
                token, PUBLIC_KEY, algorithms=["RS256"], options={"require": ["exp", "iat", "jti"]}, leeway=10
            )
        except jwt.PyJWTError as error:
            return None, f"PyJWT: {error}"
        if time.time() - claims["iat"] > 60:
            return None, "too old"
        names = claims.get("ehts", "").split(";")
        values = []
        for name in names:
            if name == "uri":
                values.append(self.received_uri())
            elif name == "http-method":
                values.append(self.command.encode())
            elif name == "body":
                values.append(body)
            else:
                value = self.headers.get(name)
                if value is None:
                    return None, f"ehts names {name}, not sent"
                values.append(value.encode("latin-1"))
        edts = base64.urlsafe_b64encode(hashlib.sha256(b"".join(values)).digest()).rstrip(b"=").decode()
        if edts != claims.get("edts"):
            return None, "edts mismatch"
        for required in ("Authorization", "uri", "http-method", "body"):
            if required not in names:
                return None, f"ehts lacks {required}"
        return claims, None

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_control/release":
            released.set()
            return self.answer(200, {"released": True})
        claims, refusal = self.check_pop(body)
        if refusal:
            return self.answer(401, {"error": "pop_invalid", "reason": refusal})
        bearer = self.headers.get("Authorization", "")
        print(json.dumps({"event": "request", "method": self.command, "path": url.path}), flush=True)
        query = urllib.parse.parse_qs(url.query)
        if url.path.startswith("/echo"):
            return self.answer(
                200,
                {
                    "method": self.command,
                    "uri": self.received_uri().decode("utf-8", "replace"),
                    "query": {name: values[0] for name, values in query.items()},
                    "headers": [[name, value] for name, value in self.headers.items()],
                    "body": body.decode("utf-8", "replace"),
                    "ehts": claims["ehts"],
                    "jti": claims["jti"],
                },
            )
        if url.path in ("/download", "/gated"):
            data = pattern(int(query["bytes"][0]))
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("X-Content-Sha256", hashlib.sha256(data).hexdigest())
            self.end_headers()
            for start in range(0, len(data), CHUNK):
                if url.path == "/gated" and start == CHUNK:
                    released.wait(30)
                chunk = data[start : start + CHUNK]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            return None
        if url.path.startswith("/unauthorized-once/") or url.path.startswith("/hits/"):
            key = url.path.rsplit("/", 1)[1]
            with hits_lock:
                seen = hits.setdefault(key, [])
                if url.path.startswith("/unauthorized-once/"):
                    seen.append({"method": self.command, "jti": claims["jti"], "bearer": bearer})
                first = len(seen) == 1 and url.path.startswith("/unauthorized-once/")
                seen = list(seen)
            if first:
                return self.answer(401, {"error": "invalid_token", "hits": seen})
            return self.answer(200, {"hits": seen})
        if url.path == "/slow":
            time.sleep(int(query["ms"][0]) / 1000)
            return self.answer(200, {"slow": "done"})
        return self.answer(404, {"error": "no such route"})

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


def main():
    ca_pem, cert_pem, key_pem = make_certificates()
    with open(CA_OUT, "wb") as out:
        out.write(ca_pem)
    with tempfile.NamedTemporaryFile(suffix=".pem") as chain:
        chain.write(cert_pem + key_pem)
        chain.flush()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain.name)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"listening on https://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


main()
