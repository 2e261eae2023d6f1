"""The self-signed certificate of ``caveat serve``: names, lifetime, key file mode, reuse."""

from __future__ import annotations

import ipaddress
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from caveat.web.tls import ensure_self_signed

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_generated_once_for_the_local_names(tmp_path: Path) -> None:
    pair = ensure_self_signed(tmp_path / "instance", now=NOW)
    assert pair.created
    cert = x509.load_pem_x509_certificate(pair.cert.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert set(names.get_values_for_type(x509.IPAddress)) == {
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    }
    assert cert.not_valid_after_utc - NOW == timedelta(days=365)
    assert cert.not_valid_before_utc <= NOW
    assert cert.issuer == cert.subject
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.oid.ExtendedKeyUsageOID.SERVER_AUTH in eku
    assert stat.S_IMODE(pair.key.stat().st_mode) == 0o600
    key = serialization.load_pem_private_key(pair.key.read_bytes(), password=None)
    assert key.public_key() == cert.public_key()
    assert sorted(p.name for p in pair.cert.parent.iterdir()) == ["tls-cert.pem", "tls-key.pem"]


def test_reused_while_valid(tmp_path: Path) -> None:
    first = ensure_self_signed(tmp_path, now=NOW)
    again = ensure_self_signed(tmp_path, now=NOW + timedelta(days=200))
    assert not again.created
    assert again.cert.read_bytes() == first.cert.read_bytes()


def test_renewed_when_about_to_expire_or_broken(tmp_path: Path) -> None:
    first = ensure_self_signed(tmp_path, now=NOW)
    old = first.cert.read_bytes()
    renewed = ensure_self_signed(tmp_path, now=NOW + timedelta(days=362))
    assert renewed.created and renewed.cert.read_bytes() != old
    renewed.key.write_bytes(b"garbage")
    assert ensure_self_signed(tmp_path, now=NOW + timedelta(days=362)).created
    assert stat.S_IMODE(renewed.key.stat().st_mode) == 0o600


def test_a_key_that_does_not_match_the_certificate_is_replaced(tmp_path: Path) -> None:
    a = ensure_self_signed(tmp_path / "a", now=NOW)
    b = ensure_self_signed(tmp_path / "b", now=NOW)
    b.key.write_bytes(a.key.read_bytes())
    assert ensure_self_signed(tmp_path / "b", now=NOW).created
