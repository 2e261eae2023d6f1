"""The self-signed certificate ``caveat serve`` uses when no certificate is given.

Office add-ins load only over HTTPS, so even a laptop demo needs TLS. The certificate names
``localhost``, ``127.0.0.1`` and ``::1``, lasts a year, and is generated once into the
instance folder (again only when it is missing, unreadable or about to expire). The private
key file is created with mode 0600 before any byte is written to it.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CERT_FILE = "tls-cert.pem"
KEY_FILE = "tls-key.pem"
VALIDITY = timedelta(days=365)
#: Regenerate when fewer days than this are left.
RENEW_BEFORE = timedelta(days=7)
DNS_NAMES = ("localhost",)
IP_ADDRESSES = ("127.0.0.1", "::1")


@dataclass(frozen=True, slots=True)
class CertificatePair:
    cert: Path
    key: Path
    created: bool
    not_after: datetime


def ensure_self_signed(folder: Path, *, now: datetime | None = None) -> CertificatePair:
    """The certificate and key in ``folder``, generated if needed."""
    now = now or datetime.now(UTC)
    cert_path = folder / CERT_FILE
    key_path = folder / KEY_FILE
    not_after = _usable_until(cert_path, key_path, now)
    if not_after is not None:
        return CertificatePair(cert_path, key_path, False, not_after)
    folder.mkdir(parents=True, exist_ok=True)
    cert_pem, key_pem, not_after = generate(now)
    _write_private(key_path, key_pem)
    _write_replace(cert_path, cert_pem, mode=0o644)
    return CertificatePair(cert_path, key_path, True, not_after)


def _usable_until(cert_path: Path, key_path: Path, now: datetime) -> datetime | None:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    if cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        return None
    not_after = cert.not_valid_after_utc
    if not_after - now < RENEW_BEFORE or cert.not_valid_before_utc > now:
        return None
    return not_after


def generate(now: datetime) -> tuple[bytes, bytes, datetime]:
    """A fresh P-256 key and a self-signed server certificate for it (PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Caveat (self-signed, local use)"),
        ]
    )
    not_before = now - timedelta(minutes=5)  # tolerate a client clock slightly behind
    not_after = now + VALIDITY
    alt_names: list[x509.GeneralName] = [x509.DNSName(d) for d in DNS_NAMES]
    alt_names += [x509.IPAddress(ipaddress.ip_address(a)) for a in IP_ADDRESSES]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert_pem, key_pem, cert.not_valid_after_utc


def _write_private(path: Path, data: bytes) -> None:
    _write_replace(path, data, mode=0o600)


def _write_replace(path: Path, data: bytes, *, mode: int) -> None:
    """Write to a new file created with ``mode`` (never readable by others, even briefly,
    when mode is 0600), then move it over ``path``."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)  # the umask may have removed bits; never added any
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
