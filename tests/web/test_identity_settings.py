"""The IDENTITY_* settings (checked at start-up, with messages naming the setting) and the
principal a token becomes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from caveat.identity.config import IdentityConfig
from caveat.identity.principal import Principal
from caveat.identity.tokens import TokenValidator
from caveat.service.settings import SettingsError, environment, identity_config, load_settings
from tests.identity_issuer import LocalIssuer

ENTRA = "https://login.microsoftonline.com/{tenantid}/v2.0"


def _load(caveat_env: Path, **settings: Any) -> dict[str, Any]:
    return load_settings(settings, environ={"CAVEAT_INSTANCE_PATH": str(caveat_env)})


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"IDENTITY_ISSUER": "http://idp.example/realms/a", "IDENTITY_CLIENT_ID": "c"}, "https"),
        ({"IDENTITY_ISSUER": "https://idp.example/realms/a"}, "IDENTITY_CLIENT_ID: required"),
        ({"IDENTITY_ISSUER": ENTRA, "IDENTITY_CLIENT_ID": "c"}, "IDENTITY_TENANTS: required"),
        ({"IDENTITY_ISSUER": "https://x.example?a=1", "IDENTITY_CLIENT_ID": "c"}, "query"),
        ({"IDENTITY_ROLES": "boss=Caveat.Boss"}, "no role 'boss'"),
        ({"IDENTITY_ROLES": "Caveat.Admin"}, "not role=value"),
        ({"IDENTITY_ROLES": 7}, "role=value pairs"),
        ({"IDENTITY_SCOPE": "two words"}, "one scope name"),
        ({"SERVICE_KEYS_FOR_PEOPLE": "maybe"}, "true or false"),
        (
            {
                "IDENTITY_ISSUER": "https://idp.example",
                "IDENTITY_CLIENT_ID": "c",
                "IDENTITY_JWKS_URL": "http://idp.example/keys",
            },
            "IDENTITY_JWKS_URL",
        ),
        ({"IDENTITY_SENSITIVE_GROUPS": "payroll=abc"}, "IDENTITY_SENSITIVE_GROUPS"),
        ({"IDENTITY_SENSITIVE_GROUPS": "payroll=abc"}, "no group 'payroll'"),
        ({"IDENTITY_SENSITIVE_GROUPS": "abc"}, "not group=value"),
        ({"IDENTITY_SENSITIVE_GROUPS": 3}, "group=value pairs"),
        ({"IDENTITY_EXECUTIVE_GROUPS": 3}, "IDENTITY_EXECUTIVE_GROUPS"),
        ({"IDENTITY_CLAIM_TITLE": 3}, "IDENTITY_CLAIM_TITLE"),
        (
            {
                "IDENTITY_ISSUER": "https://idp.example/realms/a",
                "IDENTITY_CLIENT_ID": "c",
                "IDENTITY_CLAIM_DEPARTMENT": "two words",
            },
            "IDENTITY_CLAIM_DEPARTMENT: must be a claim name",
        ),
        (
            {
                "IDENTITY_ISSUER": "https://idp.example/realms/a",
                "IDENTITY_CLIENT_ID": "c",
                "IDENTITY_SENSITIVE_GROUPS": "hr=g1,finance=g1",
            },
            "'g1' is given for two groups",
        ),
    ],
)
def test_bad_identity_settings_are_named(
    caveat_env: Path, settings: dict[str, Any], words: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        _load(caveat_env, **settings)
    assert words in str(caught.value)


def test_defaults_and_service_keys_for_people(caveat_env: Path) -> None:
    off = _load(caveat_env)
    assert off["SERVICE_KEYS_FOR_PEOPLE"] is True and identity_config(off) is None
    on = _load(caveat_env, IDENTITY_ISSUER="https://idp.example/realms/a", IDENTITY_CLIENT_ID="c")
    assert on["SERVICE_KEYS_FOR_PEOPLE"] is False
    config = identity_config(on)
    assert config is not None
    assert config.audiences == ("api://c", "c")
    assert config.request_scopes == ("openid", "access_as_user")
    assert config.authority == "https://idp.example/realms/a"
    demo = _load(
        caveat_env,
        IDENTITY_ISSUER="https://idp.example/realms/a",
        IDENTITY_CLIENT_ID="c",
        SERVICE_KEYS_FOR_PEOPLE="yes",
    )
    assert demo["SERVICE_KEYS_FOR_PEOPLE"] is True


def test_roles_as_text_or_table_and_through_the_environment(caveat_env: Path) -> None:
    text = _load(caveat_env, IDENTITY_ROLES="finance=A, finance=B,admin=C")
    table = _load(caveat_env, IDENTITY_ROLES={"finance": ["A", "B"], "Admin": "C"})
    assert (
        text["IDENTITY_ROLES"] == table["IDENTITY_ROLES"] == {"finance": ["A", "B"], "admin": ["C"]}
    )
    env = environment(table)
    again = load_settings(environ={**env, "CAVEAT_INSTANCE_PATH": str(caveat_env)})
    assert again["IDENTITY_ROLES"] == table["IDENTITY_ROLES"]
    assert again["SERVICE_KEYS_FOR_PEOPLE"] is True


def test_instance_file_table(caveat_env: Path) -> None:
    caveat_env.mkdir(parents=True)
    (caveat_env / "caveat.toml").write_text(
        'identity_issuer = "https://login.microsoftonline.com/{tenantid}/v2.0"\n'
        'identity_client_id = "c1"\n'
        'identity_tenants = ["t1", "t2"]\n'
        "[identity_roles]\n"
        'security = "Caveat.Security"\n'
        'admin = ["Caveat.Admin", "0000-group"]\n'
    )
    config = identity_config(_load(caveat_env))
    assert isinstance(config, IdentityConfig)
    assert config.tenants == {"t1", "t2"}
    assert config.jwks_url == "https://login.microsoftonline.com/common/discovery/v2.0/keys"
    assert config.roles_of(["0000-group", "Caveat.Security", "other"]) == {"admin", "security"}
    assert config.issuer_for("t2") == "https://login.microsoftonline.com/t2/v2.0"


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    with LocalIssuer(tenant="t-one", client_id="c-one") as it:
        yield it


def test_a_token_becomes_its_person(issuer: LocalIssuer) -> None:
    config = IdentityConfig.build(
        issuer=issuer.url,
        client_id=issuer.client_id,
        tenants=[issuer.tenant],
        roles={"finance": ["Caveat.Finance"]},
    )
    who = TokenValidator(config).validate(issuer.mint(user="fin"))
    person = issuer.users["fin"]
    assert who == Principal.person(
        subject=person.oid,
        tenant="t-one",
        name=person.name,
        username=person.email,
        roles={"finance"},
    )
    assert who.roles == {"user", "finance"}
    assert who.permissions == {"analyze", "report", "contacts", "verify"}
    assert who.label == f"{person.name} <{person.email}>"
    assert who.key_id is None and who.is_person


def test_keycloak_subject_and_realm_roles() -> None:
    with LocalIssuer(tenant="acme", client_id="caveat", flavour="oidc") as issuer:
        config = IdentityConfig.build(
            issuer=issuer.url,
            client_id="caveat",
            roles={"security": ["caveat-security"]},
            role_claims=["realm_access.roles"],
        )
        who = TokenValidator(config).validate(issuer.mint(user="sec"))
        assert who.subject == issuer.users["sec"].oid  # sub
        assert who.tenant is None
        assert who.roles == {"user", "security"}


def test_a_service_key_principal() -> None:
    key = Principal.service_key(7, "siem", ["reports.read"])
    assert key.label == "service key siem"
    assert key.subject == "key:7" and key.key_id == 7 and not key.is_person
    assert key.may("reports.read") and not key.may("analyze")
