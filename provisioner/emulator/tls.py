"""The local cloud's TLS material: a CA made on first start and a server certificate it signs.

Both live in `<data dir>/tls/` and are reused across restarts, so a client configured once with the CA
(REQUESTS_CA_BUNDLE, SSL_CERT_FILE or `verify=`) keeps trusting the cloud. The server certificate
covers 127.0.0.1 and localhost and is renewed when it is within 30 days of expiry or no longer signed
by the CA on disk. The extensions satisfy strict X.509 verification (Python 3.13's
VERIFY_X509_STRICT): a critical basicConstraints on the CA, key identifiers on both certificates.
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

TLS_DIR = "tls"
CA_LIFETIME = timedelta(days=3650)
SERVER_LIFETIME = timedelta(days=365)
RENEW_BEFORE = timedelta(days=30)
BACKDATE = timedelta(days=1)
SERVER_HOST_IP = "127.0.0.1"
SERVER_HOST_NAME = "localhost"
SQL_HOST_NAME = "*.database.windows.net"  # the TDS endpoint answers for every local SQL server's FQDN
POSTGRES_HOST_NAME = "*.postgres.database.azure.com"  # and the PostgreSQL listener for every flexible server's
HOST_NAMES = (SQL_HOST_NAME, POSTGRES_HOST_NAME)


@dataclass(frozen=True)
class TlsFiles:
    ca_cert: Path
    server_cert: Path
    server_key: Path


def ensure_tls(data_dir: Path) -> TlsFiles:
    """Return the CA and server certificate files, creating or renewing whatever needs it."""
    tls_dir = data_dir / TLS_DIR
    tls_dir.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(tls_dir / "ca.crt", tls_dir / "server.crt", tls_dir / "server.key")
    ca_key_path = tls_dir / "ca.key"
    with _locked(tls_dir / ".lock"):
        ca_cert, ca_key = _load_or_create_ca(files.ca_cert, ca_key_path)
        if not _server_cert_usable(files.server_cert, files.server_key, ca_cert):
            _write_server_cert(files, ca_cert, ca_key)
    return files


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialise TLS set-up between processes that start on the same data dir."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _load_or_create_ca(cert_path: Path, key_path: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    existing = _load_pair(cert_path, key_path)
    if existing is not None and not _expires_soon(existing[0]):
        return existing
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _build_ca_cert(key)
    _write_private_key(key_path, key)
    _write_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return cert, key


def _load_pair(cert_path: Path, key_path: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    if not (cert_path.exists() and key_path.exists()):
        return None
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except ValueError:
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or cert.public_key() != key.public_key():
        return None
    return cert, key


def _expires_soon(cert: x509.Certificate) -> bool:
    return cert.not_valid_after_utc - datetime.now(UTC) < RENEW_BEFORE


def _build_ca_cert(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "provision"),
            x509.NameAttribute(NameOID.COMMON_NAME, "provision local cloud CA"),
        ]
    )
    public_key = key.public_key()
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )


def _server_cert_usable(cert_path: Path, key_path: Path, ca_cert: x509.Certificate) -> bool:
    pair = _load_pair(cert_path, key_path)
    if pair is None or _expires_soon(pair[0]):
        return False
    names = pair[0].extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    if not set(HOST_NAMES) <= set(names.get_values_for_type(x509.DNSName)):
        return False
    try:
        pair[0].verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _write_server_cert(files: TlsFiles, ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    public_key = key.public_key()
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_HOST_NAME)]))
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(min(now + SERVER_LIFETIME, ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.IPAddress(ipaddress.ip_address(SERVER_HOST_IP)),
                    x509.DNSName(SERVER_HOST_NAME),
                    *(x509.DNSName(name) for name in HOST_NAMES),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(_authority_key_identifier(ca_cert), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_private_key(files.server_key, key)
    _write_atomic(files.server_cert, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)


def _authority_key_identifier(ca_cert: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _write_private_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    _write_atomic(path, pem, mode=0o600)


def _write_atomic(path: Path, data: bytes, *, mode: int) -> None:
    """Write through a temporary file created with `mode`, so a key is never readable by others."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)
