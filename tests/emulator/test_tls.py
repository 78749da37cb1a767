"""The local cloud's CA and server certificate: kept, renewed when due, trusted by strict clients."""

from __future__ import annotations

import socket
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from provisioner.emulator.server import LocalCloudServer
from provisioner.emulator.tls import TlsFiles, ensure_tls


def certificate(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_material_is_created_with_private_keys_kept_private(tmp_path: Path) -> None:
    files = ensure_tls(tmp_path)
    assert mode(files.server_key) == mode(tmp_path / "tls" / "ca.key") == 0o600
    assert files.ca_cert.exists()
    assert files.server_cert.exists()


def test_material_is_reused_while_valid(tmp_path: Path) -> None:
    first = ensure_tls(tmp_path)
    contents = [path.read_bytes() for path in (first.ca_cert, first.server_cert, first.server_key)]
    second = ensure_tls(tmp_path)
    assert [path.read_bytes() for path in (second.ca_cert, second.server_cert, second.server_key)] == contents


def test_ca_is_a_ten_year_constrained_signing_authority(tmp_path: Path) -> None:
    ca = certificate(ensure_tls(tmp_path).ca_cert)
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical
    assert constraints.value.ca
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    assert ca.not_valid_after_utc - ca.not_valid_before_utc >= timedelta(days=3650)
    ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)


def test_server_certificate_names_the_loopback_host_and_the_database_servers(tmp_path: Path) -> None:
    files = ensure_tls(tmp_path)
    server, ca = certificate(files.server_cert), certificate(files.ca_cert)
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    # TDS and PostgreSQL: each server's host name
    assert names.get_values_for_type(x509.DNSName) == [
        "localhost",
        "*.database.windows.net",
        "*.postgres.database.azure.com",
    ]
    authority = server.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    subject_key = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert authority.key_identifier == subject_key.digest
    server.verify_directly_issued_by(ca)


def test_server_certificate_is_renewed_within_30_days_of_expiry(tmp_path: Path) -> None:
    files = ensure_tls(tmp_path)
    write_short_lived_server_cert(tmp_path, files, days=10)
    ca_before = files.ca_cert.read_bytes()
    renewed = ensure_tls(tmp_path)
    expiry = certificate(renewed.server_cert).not_valid_after_utc
    assert expiry - datetime.now(UTC) > timedelta(days=300)
    assert renewed.ca_cert.read_bytes() == ca_before


def test_server_certificate_follows_a_new_ca(tmp_path: Path) -> None:
    old_ca = ensure_tls(tmp_path).ca_cert.read_bytes()
    (tmp_path / "tls" / "ca.key").unlink()
    renewed = ensure_tls(tmp_path)
    assert renewed.ca_cert.read_bytes() != old_ca
    certificate(renewed.server_cert).verify_directly_issued_by(certificate(renewed.ca_cert))


def test_python_ssl_with_strict_x509_checks_accepts_the_server(local_cloud: LocalCloudServer) -> None:
    context = ssl.create_default_context(cafile=str(local_cloud.ca_cert))
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    for host in ("127.0.0.1", "localhost"):
        with (
            socket.create_connection(("127.0.0.1", local_cloud.port)) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_requests_and_httpx_trust_the_ca(local_cloud: LocalCloudServer) -> None:
    tenant = local_cloud.cloud.identity.tenant_id
    url = f"{local_cloud.url}/{tenant}/discovery/v2.0/keys"
    assert requests.get(url, verify=str(local_cloud.ca_cert), timeout=30).status_code == 200
    context = ssl.create_default_context(cafile=str(local_cloud.ca_cert))
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    with httpx.Client(verify=context) as client:
        assert client.get(url).status_code == 200


def write_short_lived_server_cert(data_dir: Path, files: TlsFiles, *, days: int) -> None:
    """Replace the server certificate by one the CA signed that expires in `days` days."""
    ca_cert = certificate(files.ca_cert)
    ca_key = serialization.load_pem_private_key((data_dir / "tls" / "ca.key").read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .sign(ca_key, hashes.SHA256())
    )
    files.server_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.server_key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
