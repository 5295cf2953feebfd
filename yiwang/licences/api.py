"""The licence API: verification by identifier (no login: anyone holding a licence's
identifier, or its QR code, may check it), and the logged-in holder's licences and the log
of their use by departments."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from yiwang.seals.models import SealKey
from yiwang.seals.signing import USER_ID

from .identifiers import IdentifierError
from .models import Licence, LicenceUse, Status, UseBasis
from .offline import ALGORITHM
from .queries import uses_of, wallet_of
from .verification import UnknownLicence, verify

router = Router(tags=["licences"])


class LicenceProblem(HttpError):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(status, message)
        self.code = code


class Problem(Schema):
    type: str
    title: str
    status: int
    code: str


class VerificationOut(Schema):
    identifier: str
    valid: bool
    status: str
    status_label: str
    reason: str
    licence_type: str
    issuer: str
    holder: str
    valid_from: dt.date | None
    valid_until: dt.date | None


@router.get(
    "/verify/{identifier}",
    response={200: VerificationOut, 400: Problem, 404: Problem},
    summary="Verify an e-licence by its identifier",
    description=(
        "`valid` is true only when the issuing department's SM2 signature over the licence's "
        "metadata verifies and its status is 有效 (01) within its validity. `reason` says why "
        "not: `signature` (altered or forged), `status` (suspended, revoked, cancelled, "
        "expired …) or `not_yet_valid`. The holder's name is masked for a person. A malformed "
        "identifier or a wrong check character is a 400 problem (`invalid_identifier`), an "
        "unknown one a 404 (`licence_not_found`)."
    ),
    auth=None,
)
def verify_licence(request: HttpRequest, identifier: str):
    try:
        result = verify(identifier)
    except IdentifierError as error:
        raise LicenceProblem(400, "invalid_identifier", str(error)) from error
    except UnknownLicence as error:
        raise LicenceProblem(
            404, "licence_not_found", _("No licence has this identifier.")
        ) from error
    return result


class SealKeyOut(Schema):
    key_id: str
    public_key: str = Field(description="SM2 public key, 04 ‖ x ‖ y, hex")
    algorithm: str = Field(description="SM2-with-SM3, GB/T 32918 / GM/T 0009")
    user_id: str = Field(description="The signer ID in Z (GM/T 0009 default)")
    department: str
    department_code: str = Field(description="The department's unified social credit code")
    seal: str
    created_at: dt.datetime
    retired_at: dt.datetime | None = Field(
        description="After this instant the key signs nothing: a statement it claims to have "
        "signed later is not genuine"
    )


@router.get(
    "/keys/{key_id}",
    response={200: SealKeyOut, 404: Problem},
    summary="A department seal's public key, by the key id a licence file names",
    description=(
        "For offline verification: the key id in a licence file (`signature.key_id`) names "
        "the issuing department's seal key; this answers its public key and when it was "
        "retired. Only department seals' keys are published, never staff members' personal "
        "keys. An unknown key id is a 404 (`key_not_found`)."
    ),
    auth=None,
)
def seal_key(request: HttpRequest, key_id: str):
    key = (
        SealKey.objects.filter(key_id=key_id, seal__isnull=False)
        .select_related("seal__department")
        .first()
    )
    if key is None or key.seal is None:
        raise LicenceProblem(404, "key_not_found", _("No department seal has this key id."))
    seal = key.seal
    return {
        "key_id": key.key_id,
        "public_key": key.public_key,
        "algorithm": ALGORITHM,
        "user_id": USER_ID.decode("ascii"),
        "department": seal.department.name,
        "department_code": seal.department.uscc,
        "seal": seal.name,
        "created_at": key.created_at,
        "retired_at": key.retired_at,
    }


class LicenceOut(Schema):
    identifier: str
    name: str
    number: str
    issuer: str
    status: str
    status_label: str
    issued_on: dt.date
    valid_from: dt.date
    valid_until: dt.date | None
    verify_url: str

    @staticmethod
    def resolve_issuer(licence: Licence) -> str:
        return licence.issuer.name

    @staticmethod
    def resolve_status_label(licence: Licence) -> str:
        return str(Status(licence.status).label)

    @staticmethod
    def resolve_verify_url(licence: Licence) -> str:
        return reverse("verify:page", args=[licence.identifier])


@router.get(
    "/mine",
    response=list[LicenceOut],
    summary="The logged-in holder's licences (证照夹)",
    description=(
        "A person's own licences, or, for an agent acting for an enterprise, the "
        "enterprise's; newest first. Each `identifier` verifies at `verify_url`."
    ),
    auth=django_auth,
)
def my_licences(request: HttpRequest):
    licences, _enterprise = wallet_of(request)
    return list(licences[:500])


class UseOut(Schema):
    at: dt.datetime
    identifier: str
    licence: str
    department: str
    purpose: str
    basis: str
    basis_label: str
    case_number: str | None

    @staticmethod
    def resolve_identifier(use: LicenceUse) -> str:
        return use.licence.identifier

    @staticmethod
    def resolve_licence(use: LicenceUse) -> str:
        return use.licence.name

    @staticmethod
    def resolve_department(use: LicenceUse) -> str:
        return use.department.name

    @staticmethod
    def resolve_basis_label(use: LicenceUse) -> str:
        return str(UseBasis(use.basis).label)

    @staticmethod
    def resolve_case_number(use: LicenceUse) -> str | None:
        return use.case.number if use.case else None


@router.get(
    "/mine/uses",
    response=list[UseOut],
    summary="Who used the logged-in holder's licences (用证记录)",
    description=(
        "Each time a department read one of the holder's licences (the same holders as "
        "`/mine`): when, which licence, which department, for what purpose, and on what "
        "`basis`: `grant` (the holder's use authorisation) or `case` (a case of the holder "
        "that department handles, `case_number`). Newest first, at most 200."
    ),
    auth=django_auth,
)
def my_uses(request: HttpRequest):
    licences, _enterprise = wallet_of(request)
    return list(uses_of(licences)[:200])
