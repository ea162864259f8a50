"""Runs a command while the vector keys live where no one can read them back: a TPM 2.0 and KMS.

    bash tests/hardware/run.sh -- COMMAND [ARG...]      (run.py under the tools venv's Python)
    .venv/bin/python tests/hardware/run.py -- COMMAND [ARG...]

Why this exists: issue #24 asks that, for one key imported into a TPM (swtpm) and one in a local
KMS (same key material as a vector key, not extractable after the import), every door's token
equal the in-memory key's byte for byte. Starting those services is the same work in every
door, so it is done once, here; each door's hardware case only reads ``TAAP_HARDWARE`` and fails
when it is not set. The interpreter is the tools venv (``bash scripts/setup.sh`` makes it, with
moto[server], boto3 and cryptography); a missing tool fails with what to install.

What runs while COMMAND runs, stopped when it ends, fails, or on Ctrl-C / SIGTERM (and, should
this process be killed outright, by the kernel: the services die with it; only its temporary
folder stays):

* KMS: moto's KMS in this process on a free 127.0.0.1 port. For each distinct vector key
  (RSA_2048, and RSA_4096 for the 4096-bit one) a SIGN_VERIFY key with ``Origin=EXTERNAL`` and
  an alias ``alias/taap-vectorN``. moto has no ImportKeyMaterial, so its stand-in is done here:
  the vector key replaces the key moto generated inside moto's own key object, so moto's own
  GetPublicKey and Sign use it (checked through the API before COMMAND starts). KMS never hands
  a private key out.
* TPM: swtpm, a private dbus-daemon and tpm2-abrmd (the recipe of core/tests/tpm.rs and
  PLATFORM-NOTES.md), a tpm2-pkcs11 store with token ``taap``, and each distinct RSA-2048 vector
  key imported with ``tpm2_ptool import`` (a TPM 2.0 holds no 4096-bit key), then marked not
  extractable (CKA_EXTRACTABLE false) and checked sensitive and not extractable through the
  module (``pkcs11-tool --list-objects``).

COMMAND's environment adds ``AWS_ENDPOINT_URL_KMS``, dummy ``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION``, the TPM's ``TPM2_PKCS11_TCTI``, ``TPM2_PKCS11_STORE``,
``TPM2TOOLS_TCTI``, ``DBUS_SESSION_BUS_ADDRESS``, ``TSS2_LOG``, and ``TAAP_HARDWARE``, the path
of a JSON file::

    {"tpm": {"module": "/usr/lib/…/libtpm2_pkcs11.so.1", "token": "taap", "pin": "…"},
     "kms": {"region": "us-east-1", "endpoint": "http://127.0.0.1:PORT/"},
     "keys": {"tmobile/readme-private-pkcs8.pem":          # as tokens.json names the key file
                {"bits": 2048,
                 "tpm": {"object": "vector0", "uri": "pkcs11:token=taap;object=vector0?…&pin-value=…"},
                 "kms": {"alias": "alias/taap-vector0", "key_id": "…", "arn": "arn:aws:kms:…",
                         "uri": "aws-kms:alias/taap-vector0"}},
              "openssl/big-4096-private.pem": {"bits": 4096, "tpm": null, "kms": {…}}, …}}

It exits with COMMAND's status (128 + N when a signal N ended it). Start-up time goes to stderr.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

try:
    import boto3
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from moto.server import ThreadedMotoServer
except ImportError as error:
    sys.exit(f"hardware fixture: {error} (in {sys.prefix}); run it with the tools venv's Python, "
             "`bash tests/hardware/run.sh -- …`, after `bash scripts/setup.sh` (moto[server])")

ROOT = Path(__file__).resolve().parents[2]
KEYS = ROOT / "tests" / "keys"
TOKENS = ROOT / "tests" / "vectors" / "tokens.json"
SETUP = "bash scripts/setup.sh"

TPM_MODULE = "/usr/lib/x86_64-linux-gnu/libtpm2_pkcs11.so.1"
TPM_TOKEN = "taap"
TPM_PIN = "hw-user-2718"
TPM_SO_PIN = "hw-so-2718"
TCTI = "tabrmd:bus_type=session"
TPM_TOOLS = ["swtpm", "dbus-daemon", "tpm2-abrmd", "tpm2_ptool", "tpm2_getrandom", "pkcs11-tool"]
TPM_PACKAGES = "swtpm, tpm2-tools, tpm2-abrmd, libtss2-tcti-tabrmd0, libtpm2-pkcs11-1, libtpm2-pkcs11-tools, dbus, opensc"

REGION = "us-east-1"
ACCESS_KEY = "testing"
SECRET_KEY = "testing-secret"


class Missing(Exception):
    """A tool or package this fixture needs is not installed."""


class Stopped(Exception):
    """SIGINT (Ctrl-C) or SIGTERM reached this fixture."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


# ---- the vector keys -------------------------------------------------------------------------


def vector_keys() -> Dict[str, Any]:
    """Every key file tokens.json names -> its private key, read by ``cryptography``."""
    keys: Dict[str, Any] = {}
    for case in json.loads(TOKENS.read_text())["cases"]:
        name, password = case["key"], case.get("password")
        if name in keys:
            continue
        data = (KEYS / name).read_bytes()
        secret = password.encode() if password else None
        load = serialization.load_pem_private_key if data.lstrip().startswith(b"-----") else serialization.load_der_private_key
        keys[name] = load(data, secret)
    return keys


def distinct(keys: Dict[str, Any]) -> Dict[int, str]:
    """Each distinct key material (its modulus) -> ``vectorN``, in tokens.json's order."""
    labels: Dict[int, str] = {}
    for private in keys.values():
        labels.setdefault(private.public_key().public_numbers().n, f"vector{len(labels)}")
    return labels


def pkcs8_pem(private: Any) -> bytes:
    return private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def spki_der(private: Any) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


# ---- processes -------------------------------------------------------------------------------


def die_with_parent() -> None:
    """Runs in a service's child before exec: the kernel kills it if this fixture dies (SIGKILL)."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def spawn(args: List[str], env: Dict[str, str], stdout: Any = subprocess.DEVNULL) -> subprocess.Popen:
    """A service, in a session of its own: a Ctrl-C meant for COMMAND does not stop it under it."""
    try:
        return subprocess.Popen(
            args, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=die_with_parent,
        )
    except FileNotFoundError as error:
        raise Missing(f"{args[0]} is not installed ({error})") from error


def run(args: List[str], env: Dict[str, str]) -> str:
    """A set-up step; its output is shown only when it fails."""
    try:
        done = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    except FileNotFoundError as error:
        raise Missing(f"{args[0]} is not installed ({error})") from error
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


def free_port_pair() -> int:
    """A loopback port whose successor is free too (swtpm's control channel)."""
    while True:
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            if port < 65535:
                with socket.socket() as second:
                    try:
                        second.bind(("127.0.0.1", port + 1))
                        return port
                    except OSError:
                        continue


# ---- the TPM ---------------------------------------------------------------------------------


def check_tpm_tools() -> None:
    missing = [tool for tool in TPM_TOOLS if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists()]
    if not Path(TPM_MODULE).exists():
        missing.append(TPM_MODULE)
    if missing:
        raise Missing(f"{', '.join(missing)} missing (Debian: {TPM_PACKAGES})")


def start_tpm(folder: Path, services: List[subprocess.Popen]) -> Dict[str, str]:
    """swtpm, a private D-Bus and tpm2-abrmd; returns the environment that reaches them."""
    check_tpm_tools()
    for sub in ("state", "store"):
        (folder / sub).mkdir()
    env = dict(os.environ)
    port = free_port_pair()
    services.append(spawn(["swtpm", "socket", "--tpm2", "--tpmstate", f"dir={folder / 'state'}",
                           "--server", f"type=tcp,port={port}", "--ctrl", f"type=tcp,port={port + 1}",
                           "--flags", "not-need-init,startup-clear"], env))
    # The bus's socket in this run's folder, so that it goes with it whatever happens.
    bus = spawn(["dbus-daemon", "--session", "--nofork", f"--address=unix:path={folder / 'bus'}", "--print-address=1"],
                env, stdout=subprocess.PIPE)
    services.append(bus)
    address = bus.stdout.readline().decode().strip()
    if not address:
        raise RuntimeError("dbus-daemon printed no bus address")
    tpm_env = {
        "DBUS_SESSION_BUS_ADDRESS": address,
        "TPM2TOOLS_TCTI": TCTI,
        "TPM2_PKCS11_TCTI": TCTI,
        "TPM2_PKCS11_STORE": str(folder / "store"),
        # The TPM stack's own logging (a refused PIN, say) is not the tests' output.
        "TSS2_LOG": "all+NONE",
    }
    env.update(tpm_env)
    abrmd = shutil.which("tpm2-abrmd") or "/usr/sbin/tpm2-abrmd"
    services.append(spawn([abrmd, "--session", "--allow-root", f"--tcti=swtpm:host=127.0.0.1,port={port}"], env))
    wait_for_the_resource_manager(env)
    return tpm_env


def wait_for_the_resource_manager(env: Dict[str, str]) -> None:
    deadline = time.monotonic() + 15
    while True:
        probe = subprocess.run(["tpm2_getrandom", "4", "--hex"], env=env, capture_output=True, text=True)
        if probe.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"tpm2-abrmd did not come up: {probe.stderr}")
        time.sleep(0.1)


def import_into_tpm(folder: Path, env: Dict[str, str], keys: Dict[str, Any], labels: Dict[int, str]) -> Dict[str, str]:
    """Token ``taap`` holding every distinct RSA-2048 vector key; key file -> its object label."""
    run(["tpm2_ptool", "init"], env)
    run(["tpm2_ptool", "addtoken", "--pid=1", f"--sopin={TPM_SO_PIN}", f"--userpin={TPM_PIN}", f"--label={TPM_TOKEN}"], env)
    objects: Dict[str, str] = {}
    imported = set()
    for name, private in keys.items():
        if private.key_size != 2048:
            continue
        label = labels[private.public_key().public_numbers().n]
        if label not in imported:
            secret = folder / f"{label}.pem"
            secret.touch(0o600)
            secret.write_bytes(pkcs8_pem(private))
            try:
                run(["tpm2_ptool", "import", f"--label={TPM_TOKEN}", f"--key-label={label}", f"--userpin={TPM_PIN}",
                     f"--privkey={secret}", "--algorithm=rsa"], env)
            finally:
                secret.unlink()
            imported.add(label)
        objects[name] = label
    mark_not_extractable(env)
    check_not_extractable(env, len(imported))
    return objects


def mark_not_extractable(env: Dict[str, str]) -> None:
    """CKA_EXTRACTABLE false on every private key of the token (PKCS#11 lets it go from true to
    false, never back). tpm2-pkcs11 derives it from the TPM object's fixedTPM and fixedParent,
    which tpm2_ptool does not give an imported key; the TPM holds the key only wrapped under its
    storage key, and with the empty policy tpm2_ptool gives it no TPM2_Duplicate (the one way
    out) can be authorised."""
    listing = run(["tpm2_ptool", "listobjects", f"--label={TPM_TOKEN}"], env)
    for block in listing.split("\n- "):
        if "CKA_CLASS: CKO_PRIVATE_KEY" in block:
            object_id = re.search(r"^\s*id: (\d+)$", block, re.MULTILINE)
            if object_id is None:
                raise RuntimeError(f"tpm2_ptool listobjects shows a private key without its id:\n{listing}")
            run(["tpm2_ptool", "objmod", f"--id={object_id[1]}", "--key=CKA_EXTRACTABLE", "--value=false", "--type=bool"], env)


def check_not_extractable(env: Dict[str, str], count: int) -> None:
    """pkcs11-tool lists "extractable" among a key's access flags when CKA_EXTRACTABLE is true."""
    listing = run(["pkcs11-tool", "--module", TPM_MODULE, "--token-label", TPM_TOKEN, "--login", "--pin", TPM_PIN,
                   "--list-objects", "--type", "privkey"], env)
    access = [line.split(":", 1)[1] for line in listing.splitlines() if line.strip().startswith("Access:")]
    if len(access) != count or not all("sensitive" in flags and "extractable" not in flags for flags in access):
        raise RuntimeError(f"the TPM's keys are not all sensitive and non-extractable:\n{listing}")


def pkcs11_uri(label: str) -> str:
    return f"pkcs11:token={TPM_TOKEN};object={label}?module-path={TPM_MODULE}&pin-value={TPM_PIN}"


# ---- KMS -------------------------------------------------------------------------------------


def start_kms() -> Tuple[Any, str]:
    """moto's KMS (every moto service, in fact) in a thread of this process; (server, endpoint)."""
    # werkzeug logs every request to stderr; the tests' output is the command's.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}/"


def kms_client(endpoint: str) -> Any:
    return boto3.client("kms", endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)


def import_into_kms(endpoint: str, keys: Dict[str, Any], labels: Dict[int, str]) -> Dict[str, Dict[str, str]]:
    """One KMS key per distinct vector key, holding that key; key file -> alias, key id, ARN, URI."""
    kms = kms_client(endpoint)
    made: Dict[str, Dict[str, str]] = {}
    entries: Dict[str, Dict[str, str]] = {}
    for name, private in keys.items():
        label = labels[private.public_key().public_numbers().n]
        if label not in made:
            metadata = kms.create_key(KeySpec=f"RSA_{private.key_size}", KeyUsage="SIGN_VERIFY", Origin="EXTERNAL",
                                      Description=f"taap vector key {name}")["KeyMetadata"]
            alias = f"alias/taap-{label}"
            kms.create_alias(AliasName=alias, TargetKeyId=metadata["KeyId"])
            put_key_material(metadata["KeyId"], private)
            check_kms_key(kms, alias, private)
            made[label] = {"alias": alias, "key_id": metadata["KeyId"], "arn": metadata["Arn"], "uri": f"aws-kms:{alias}"}
        entries[name] = made[label]
    return entries


def put_key_material(key_id: str, private: Any) -> None:
    """ImportKeyMaterial's stand-in: the vector key takes the place of the one moto generated.

    moto keeps an asymmetric key as ``Key.private_key``, a ``moto.kms.utils.RSAPrivateKey`` whose
    own ``private_key`` is the ``cryptography`` key that its sign, verify and public_key use.
    """
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.kms.models import kms_backends
    from moto.kms.utils import RSAPrivateKey

    held = kms_backends[DEFAULT_ACCOUNT_ID][REGION].keys[key_id].private_key
    if not isinstance(held, RSAPrivateKey) or held.key_size != private.key_size:
        raise RuntimeError(f"moto {key_id} holds {type(held).__name__}, not an RSA-{private.key_size} key: has moto changed?")
    held.private_key = private


def check_kms_key(kms: Any, alias: str, private: Any) -> None:
    """Through moto's API: the public key is the vector's, and a signature verifies under it."""
    if kms.get_public_key(KeyId=alias)["PublicKey"] != spki_der(private):
        raise RuntimeError(f"{alias}: moto's GetPublicKey does not give the imported key")
    message = b"taap hardware fixture"
    signature = kms.sign(KeyId=alias, Message=message, MessageType="RAW", SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")["Signature"]
    private.public_key().verify(signature, message, padding.PKCS1v15(), hashes.SHA256())


# ---- the run ---------------------------------------------------------------------------------


def describe(folder: Path, endpoint: str, keys: Dict[str, Any], tpm: Dict[str, str], kms: Dict[str, Dict[str, str]]) -> Path:
    """Writes TAAP_HARDWARE's JSON file."""
    described = {
        "tpm": {"module": TPM_MODULE, "token": TPM_TOKEN, "pin": TPM_PIN},
        "kms": {"region": REGION, "endpoint": endpoint},
        "keys": {
            name: {
                "bits": private.key_size,
                "tpm": {"object": tpm[name], "uri": pkcs11_uri(tpm[name])} if name in tpm else None,
                "kms": kms[name],
            }
            for name, private in keys.items()
        },
    }
    path = folder / "hardware.json"
    path.write_text(json.dumps(described, indent=2) + "\n")
    return path


def run_command(command: List[str], env: Dict[str, str]) -> int:
    """COMMAND in this process group (a terminal's Ctrl-C reaches it); its exit status."""
    child = subprocess.Popen(command, env=env)
    try:
        status = child.wait()
    except Stopped as stopped:
        # Passed on (a terminal's Ctrl-C reached COMMAND already; a `kill` of this fixture did not).
        child.send_signal(stopped.signum)
        try:
            status = child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            status = child.wait()
    return 128 - status if status < 0 else status


def on_signal(signum: int, frame: Any) -> None:
    raise Stopped(signum)


def main(argv: List[str]) -> int:
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    command = argv[argv.index("--") + 1:]
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="taap-hardware-"))
    services: List[subprocess.Popen] = []
    server: Optional[Any] = None
    try:
        keys = vector_keys()
        labels = distinct(keys)
        # The services are started before moto's thread: preexec_fn and threads do not mix.
        tpm_env = start_tpm(folder, services)
        server, endpoint = start_kms()
        kms = import_into_kms(endpoint, keys, labels)
        tpm = import_into_tpm(folder, dict(os.environ, **tpm_env), keys, labels)
        env = dict(os.environ, **tpm_env)
        env.pop("AWS_SESSION_TOKEN", None)
        env.pop("AWS_PROFILE", None)
        env.update({"AWS_ENDPOINT_URL_KMS": endpoint, "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                    "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_REGION": REGION,
                    "TAAP_HARDWARE": str(describe(folder, endpoint, keys, tpm, kms))})
        print(f"hardware fixture: {len(set(tpm.values()))} keys in swtpm, {len({k['key_id'] for k in kms.values()})} in "
              f"moto's KMS ({endpoint}), up in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
        return run_command(command, env)
    except Missing as error:
        print(f"hardware fixture: {error}; `{SETUP}` installs what is missing", file=sys.stderr)
        return 1
    except Stopped as stopped:
        print(f"hardware fixture: stopped by {stopped}", file=sys.stderr)
        return 128 + stopped.signum
    finally:
        for service in reversed(services):  # the resource manager, the bus, then the TPM
            stop(service)
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
