"""Real ``pcf serve`` processes over TLS on loopback, for the exchange tests (and for running
the PACT conformance suite by hand, see README "PACT conformance").

``self_signed(dir)`` makes a certificate for ``127.0.0.1`` and ``localhost`` (the tests use it
as their CA too); ``PcfServer`` starts ``pcf serve --certfile --keyfile`` (gunicorn, one
worker) with its own ``PCF_HOME`` sharing the built Brightway project, and stops it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed(directory: Path) -> tuple[Path, Path]:
    """``(certfile, keyfile)`` of a self-signed certificate for 127.0.0.1 and localhost."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pcf test server")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    certfile, keyfile = directory / "server.crt", directory / "server.key"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    keyfile.chmod(0o600)
    return certfile, keyfile


class PcfServer:
    """``pcf serve`` over TLS in its own ``PCF_HOME`` (the Brightway project linked in)."""

    def __init__(self, name: str, built_home: Path, tmp: Path, certfile: Path, keyfile: Path,
                 env: dict[str, str] | None = None, workers: int = 1):
        self.home = tmp / name
        self.home.mkdir(parents=True, exist_ok=True)
        if not (self.home / "brightway").exists():
            (self.home / "brightway").symlink_to(Path(built_home) / "brightway")
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.certfile, self.keyfile = certfile, keyfile
        self.env = {**os.environ, "PCF_HOME": str(self.home), "PCF_PUBLIC_URL": self.url,
                    "REQUESTS_CA_BUNDLE": str(certfile), **(env or {})}
        self.env.pop("PCF_DATABASE_URL", None)
        self.workers = workers
        self.log = tmp / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run ``pcf ARGS`` against this server's state."""
        return subprocess.run([sys.executable, "-m", "pcf.cli", *args], env=self.env,
                              capture_output=True, text=True, check=check, timeout=300)

    def start(self, timeout: float = 180) -> PcfServer:
        handle = open(self.log, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pcf.cli", "serve", "--port", str(self.port),
             "--workers", str(self.workers), "--certfile", str(self.certfile),
             "--keyfile", str(self.keyfile)],
            env=self.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        context = ssl.create_default_context(cafile=str(self.certfile))
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{self.url}/health", context=context,
                                            timeout=2) as resp:
                    if resp.status == 200 and "engine warm" in self.log.read_text():
                        return self
            except OSError:
                pass
            assert time.monotonic() < deadline, self.log.read_text()[-3000:]
            time.sleep(0.3)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
