"""Licences in casework: a held licence stands in for a material (免证办), and an approved
case of a linked item issues its licence.

- ``find``: the applicant's current licence of the type a material names
  (``Material.replaced_by``), verified (seal signature, signed status, validity) before it is
  offered; a licence held but revoked, suspended or expired is named, so the applicant knows
  why they must upload after all.
- ``record_use``: the case's department used the licence, logged with the case as purpose
  (用证事由) where the holder sees it.
- ``issue_on_approval``: on ``cases.signals.case_approved``, each active licence type linked to
  the item is issued to the applicant, signed by the type's issuing department. A case that
  used a licence of the same type (a change, 变更) issues its new version. A failure undoes
  the approval: the decision never stands without its licence.

Registered from ``LicencesConfig.ready``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM
from yiwang.cases import material_sources
from yiwang.cases.models import Case
from yiwang.catalog.models import Material, Replaceable
from yiwang.seals import signing

from . import actions
from .actions import Holder, holder_index
from .models import HolderKind, Licence, LicenceType, LicenceUse, Status, UseBasis
from .verification import verify


def _held(licence_type: LicenceType, applicant: material_sources.Applicant):
    kind = HolderKind.ENTERPRISE if applicant.enterprise is not None else HolderKind.PERSON
    if kind != licence_type.holder_kind:
        return Licence.objects.none()
    return Licence.objects.filter(
        licence_type=licence_type, holder_kind=kind, holder_index=holder_index(applicant.code)
    ).order_by("-issued_on", "-id")


def find(
    material: Material, applicant: material_sources.Applicant
) -> material_sources.Found | material_sources.Unusable | None:
    licence_type = LicenceType.objects.filter(code=material.replaced_by).first()
    if licence_type is None:
        return None
    held = list(_held(licence_type, applicant)[:20])
    for licence in held:
        if licence.status != Status.VALID:
            continue
        result = verify(licence.identifier)
        if result.valid:
            until = (
                result.valid_until.isoformat() if result.valid_until else _("without time limit")
            )
            return material_sources.Found(
                kind=Replaceable.LICENCE,
                reference=licence.identifier,
                label=_("%(type)s No. %(number)s, issued by %(issuer)s, valid until %(until)s")
                % {
                    "type": licence.name,
                    "number": licence.number,
                    "issuer": licence.issuer.name,
                    "until": until,
                },
                url=reverse("verify:page", args=[licence.identifier]),
            )
    if held:
        latest = held[0]
        status = verify(latest.identifier).status_label
        return material_sources.Unusable(
            _("Your %(type)s (No. %(number)s) is %(status)s and cannot stand in for it.")
            % {"type": latest.name, "number": latest.number, "status": status}
        )
    return None


def record_use(case: Case, material: Material, found: material_sources.Found) -> None:
    licence = Licence.objects.get(identifier=found.reference)
    use = LicenceUse.objects.create(
        licence=licence,
        department=case.department,
        purpose=_("Case %(number)s: %(item)s (%(material)s)")
        % {"number": case.number, "item": case.item.name, "material": material.name},
        basis=UseBasis.CASE,
        case=case,
    )
    record(
        actor=SYSTEM,
        action="licences.use",
        obj=licence,
        after={"case": case.number, "department": case.department_id, "use": use.pk},
    )


def _holder(case: Case) -> Holder:
    if case.enterprise is not None:
        return Holder.of_enterprise(case.enterprise)
    if case.applicant is not None and case.applicant.id_number:
        return Holder.person(case.applicant)
    return Holder(HolderKind.PERSON, case.applicant_name, case.applicant_id_number)


def _fields(licence_type: LicenceType, case: Case) -> dict[str, str]:
    """The type's fields filled from the application form, matched by key or by title."""
    values = case.form_values()
    titles = {
        prop.get("title"): key
        for key, prop in ((case.item.form_schema or {}).get("properties") or {}).items()
        if isinstance(prop, dict)
    }
    out = {}
    for field in licence_type.fields:
        key = field["key"] if field["key"] in values else titles.get(field.get("label"))
        if key and values.get(key) not in (None, ""):
            out[field["key"]] = str(values[key])
    return out


def issue_on_approval(sender, *, case: Case, actor, **kwargs) -> None:
    holder = _holder(case)
    for licence_type in LicenceType.objects.filter(items=case.item, active=True):
        if licence_type.holder_kind != holder.kind:
            continue  # an item open to both kinds issues only the licences this one can hold
        used = (
            Licence.objects.filter(
                identifier__in=case.obtained_materials.values("reference"),
                licence_type=licence_type,
                status=Status.VALID,
            )
            .order_by("-id")
            .first()
        )
        # A change keeps what the form does not change.
        fields = dict(used.metadata.get("extension") or {}) if used is not None else {}
        fields.update(_fields(licence_type, case))
        try:
            actions.issue(
                actor=SYSTEM,
                licence_type=licence_type,
                holder=holder,
                fields=fields,
                case=case,
                previous=used,
                related_items=(case.item.implementation_code,),
            )
        except signing.SigningRefused as refused:
            # The approval is undone with it; the approver reads why, as any refusal.
            raise ValidationError(
                _("The %(type)s cannot be issued: %(reason)s")
                % {"type": licence_type.name, "reason": refused.message},
                code=refused.code,
            ) from refused


def connect() -> None:
    from yiwang.cases.signals import case_approved

    material_sources.register(Replaceable.LICENCE, find, record_use)
    case_approved.connect(issue_on_approval, dispatch_uid="licences.issue_on_approval")
