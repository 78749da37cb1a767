"""The token issuer: real claims, persistence of the signing key, and ARM's refusals."""

from __future__ import annotations

import uuid
from pathlib import Path

import jwt
import pytest

from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.tokens import TokenIssuer, arm_time, audience_for_scope

TENANT = "11111111-2222-3333-4444-555555555555"
ARM = "https://management.azure.com/"
ARM_AUDIENCES = (ARM, "https://management.core.windows.net/")
NOW = 1_700_000_000.0


class Clock:
    """A settable clock, so lifetimes are tested without waiting."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def issuer(tmp_path: Path, clock: Clock) -> TokenIssuer:
    return TokenIssuer(tmp_path, TENANT, clock=clock)


def issue(issuer: TokenIssuer, **kwargs: object) -> str:
    arguments: dict[str, object] = {"audience": ARM, "object_id": "oid-1", "app_id": "app-1"} | kwargs
    return issuer.issue(**arguments).token  # type: ignore[arg-type]


def refusal(issuer: TokenIssuer, token: str, audiences: tuple[str, ...] = ARM_AUDIENCES) -> CloudServiceError:
    with pytest.raises(CloudServiceError) as caught:
        issuer.validate(token, audiences=audiences)
    assert caught.value.status == 401
    return caught.value


def test_issued_token_has_entra_v1_app_claims(issuer: TokenIssuer) -> None:
    issued = issuer.issue(audience=ARM, object_id="oid-1", app_id="app-1")
    claims = issuer.validate(issued.token, audiences=ARM_AUDIENCES)
    assert claims["aud"] == ARM
    assert claims["iss"] == f"https://sts.windows.net/{TENANT}/"
    assert claims["tid"] == TENANT
    assert (claims["oid"], claims["sub"], claims["appid"]) == ("oid-1", "oid-1", "app-1")
    assert (claims["idtyp"], claims["ver"]) == ("app", "1.0")
    assert claims["iat"] == claims["nbf"] == NOW - 300
    assert claims["exp"] == NOW + 3599
    assert claims["uti"]
    assert "roles" not in claims
    assert (issued.expires_in, issued.expires_on, issued.not_before) == (3599, NOW + 3599, NOW - 300)


def test_roles_and_extra_claims_are_carried(issuer: TokenIssuer) -> None:
    token = issue(issuer, roles=("Group.ReadWrite.All",), extra_claims={"xms_mirid": "/subscriptions/x"})
    claims = issuer.validate(token, audiences=ARM_AUDIENCES)
    assert claims["roles"] == ["Group.ReadWrite.All"]
    assert claims["xms_mirid"] == "/subscriptions/x"


def test_header_kid_is_the_published_key(issuer: TokenIssuer) -> None:
    token = issue(issuer)
    header = jwt.get_unverified_header(token)
    (key,) = issuer.jwks()["keys"]
    assert header["alg"] == "RS256"
    assert header["kid"] == key["kid"] == issuer.kid
    public_key = jwt.PyJWK(key).key
    claims = jwt.decode(token, public_key, algorithms=["RS256"], audience=ARM, options={"verify_exp": False})
    assert claims["oid"] == "oid-1"


def test_signing_key_survives_a_restart(tmp_path: Path, clock: Clock) -> None:
    token = issue(TokenIssuer(tmp_path, TENANT, clock=clock))
    again = TokenIssuer(tmp_path, TENANT, clock=clock)
    assert again.validate(token, audiences=ARM_AUDIENCES)["oid"] == "oid-1"
    assert (tmp_path / "token-signing-key.pem").stat().st_mode & 0o777 == 0o600


def test_forged_signature_is_invalid(issuer: TokenIssuer, tmp_path: Path, clock: Clock) -> None:
    forger = TokenIssuer(tmp_path / "elsewhere", TENANT, clock=clock)
    error = refusal(issuer, issue(forger))
    assert (error.code, error.message) == ("InvalidAuthenticationToken", "The access token is invalid.")


def test_tampered_payload_is_invalid(issuer: TokenIssuer) -> None:
    header, _, signature = issue(issuer).split(".")
    other_payload = issue(issuer, object_id="someone-else").split(".")[1]
    assert refusal(issuer, f"{header}.{other_payload}.{signature}").code == "InvalidAuthenticationToken"


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
def test_malformed_token_is_invalid(issuer: TokenIssuer, token: str) -> None:
    assert refusal(issuer, token).code == "InvalidAuthenticationToken"


def test_expired_token_gets_arms_message(issuer: TokenIssuer, clock: Clock) -> None:
    token = issue(issuer, lifetime_seconds=60)
    clock.now = NOW + 61
    error = refusal(issuer, token)
    assert error.code == "ExpiredAuthenticationToken"
    assert error.message == (
        "The access token expiry UTC time '11/14/2023 10:14:20 PM' is earlier than current UTC time "
        "'11/14/2023 10:14:21 PM'."
    )


def test_expiry_is_checked_again_for_a_cached_token(issuer: TokenIssuer, clock: Clock) -> None:
    token = issue(issuer, lifetime_seconds=60)
    issuer.validate(token, audiences=ARM_AUDIENCES)
    clock.now = NOW + 3600
    assert refusal(issuer, token).code == "ExpiredAuthenticationToken"


def test_token_not_yet_valid_is_refused(issuer: TokenIssuer, clock: Clock) -> None:
    token = issue(issuer, extra_claims={"nbf": int(NOW) + 600})
    error = refusal(issuer, token)
    assert error.code == "InvalidAuthenticationToken"
    assert "not yet valid" in error.message
    clock.now = NOW + 600
    assert issuer.validate(token, audiences=ARM_AUDIENCES)["oid"] == "oid-1"


def test_wrong_audience_lists_the_allowed_ones(issuer: TokenIssuer) -> None:
    error = refusal(issuer, issue(issuer, audience="https://graph.microsoft.com"))
    assert error.code == "InvalidAuthenticationTokenAudience"
    assert error.message == (
        "The access token has been obtained for wrong audience or resource 'https://graph.microsoft.com'. "
        "It should exactly match with one of the allowed audiences "
        "'https://management.azure.com/','https://management.core.windows.net/'."
    )


def test_token_of_another_tenant_is_refused_as_arm_does(issuer: TokenIssuer) -> None:
    other = str(uuid.uuid4())
    error = refusal(issuer, issue(issuer, extra_claims={"iss": f"https://sts.windows.net/{other}/"}))
    assert error.code == "InvalidAuthenticationTokenTenant"
    assert error.message.startswith(
        f"The access token is from the wrong issuer 'https://sts.windows.net/{other}/'. It must match the "
        f"tenant 'https://sts.windows.net/{TENANT}/' associated with this subscription."
    )


def test_unknown_issuer_is_invalid(issuer: TokenIssuer) -> None:
    token = issue(issuer, extra_claims={"iss": "https://evil.example/"})
    assert refusal(issuer, token).code == "InvalidAuthenticationToken"


@pytest.mark.parametrize(
    ("scope", "audience"),
    [
        ("https://management.azure.com/.default", "https://management.azure.com/"),
        ("https://management.azure.com//.default", "https://management.azure.com/"),
        ("https://management.core.windows.net//.default", "https://management.core.windows.net/"),
        ("https://graph.microsoft.com/.default", "https://graph.microsoft.com"),
        ("https://vault.azure.net/.default", "https://vault.azure.net"),
        ("https://storage.azure.com/.default", "https://storage.azure.com"),
        ("https://database.windows.net/.default", "https://database.windows.net/"),
        ("https://vault.azure.net", "https://vault.azure.net"),
    ],
)
def test_audience_for_scope(scope: str, audience: str) -> None:
    assert audience_for_scope(scope) == audience


def test_arm_time_prints_like_dotnet() -> None:
    assert arm_time(0) == "1/1/1970 12:00:00 AM"
    assert arm_time(13 * 3600 + 5 * 60 + 9) == "1/1/1970 1:05:09 PM"
