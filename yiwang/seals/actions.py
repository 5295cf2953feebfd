"""State changes of e-seals. Every change goes through here.

- ``create_seal``: a department's seal with its first key pair and its picture (generated,
  or the uploaded official one);
- ``rotate_key``: retire the seal's current key and make a new one (old signatures stay
  verifiable with the retired key);
- ``replace_image``: upload the official picture, or go back to the generated one;
- ``deactivate_seal``: the seal signs nothing any more (its key is retired with it);
- ``issue_staff_key``: a staff member's personal signing key (a new one retires the old).

Permissions in ``permissions``; bad input is a ``ValidationError`` with a specific message
keyed by field, refusals a ``PermissionDenied``. Each action runs in one transaction with the
seal row locked and records ``seals.<verb>`` in the audit log; a stored picture is deleted
again when the action fails. Signing is ``signing.sign`` (it changes no state, but is
audited too).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.orgs.models import Department
from yiwang.web.params import strip_control
from yiwang.web.uploads import CheckedFile, delete_stored, save_checked

from . import images, keys
from .models import ImageSource, Seal, SealKey, SealKind
from .permissions import is_platform_admin, require_manager

NAME_MAX = 40  # more characters do not fit along a seal's arc
REASON_MAX = 200
IMAGE_FOLDER = "seals"


# --- validation ---------------------------------------------------------------------------


def _clean_name(name: str, errors: dict[str, list]) -> str:
    name = " ".join(strip_control(name, newlines=False).split())
    if len(name) < 2:
        errors.setdefault("name", []).append(
            _("Enter the seal's name, e.g. the department's full name.")
        )
    elif len(name) > NAME_MAX:
        errors.setdefault("name", []).append(
            _("A seal's name may have at most %(max)d characters (it has %(n)d).")
            % {"max": NAME_MAX, "n": len(name)}
        )
    return name


def _clean_reason(reason: str, *, required: bool, errors: dict[str, list]) -> str:
    reason = " ".join(strip_control(reason, newlines=False).split())
    if required and not reason:
        errors.setdefault("reason", []).append(_("Give the reason; it is kept in the audit log."))
    elif len(reason) > REASON_MAX:
        errors.setdefault("reason", []).append(
            _("The reason may have at most %(max)d characters.") % {"max": REASON_MAX}
        )
    return reason


def _raise(errors: dict[str, list]) -> None:
    if errors:
        raise ValidationError(errors)


def _lock(seal: Seal) -> Seal:
    """The seal re-read under a row lock: rotations, deactivation and picture changes of one
    seal run one after another, each seeing the last one's result."""
    return Seal.objects.select_for_update(of=("self",)).select_related("department").get(pk=seal.pk)


def _require_active(seal: Seal) -> None:
    if not seal.active:
        raise ValidationError(
            _("The seal %(name)s is deactivated: it can no longer be changed.")
            % {"name": seal.name},
            code="seal_inactive",
        )


def _current_key(seal: Seal) -> SealKey | None:
    return SealKey.objects.filter(seal=seal, retired_at__isnull=True).first()


def _summary(seal: Seal) -> dict:
    return {
        "department": seal.department.uscc,
        "name": seal.name,
        "kind": seal.kind,
        "active": seal.active,
        "image_source": seal.image_source,
        "image_sha256": seal.image_sha256,
    }


def _store(checked: CheckedFile) -> str:
    return save_checked(checked, IMAGE_FOLDER)


# --- seals --------------------------------------------------------------------------------


@transaction.atomic
def create_seal(
    *,
    actor,
    department: Department,
    name: str = "",
    kind: str = SealKind.OFFICIAL,
    image=None,
) -> Seal:
    """A new active seal of ``department`` with its first key pair.

    ``name`` defaults to the department's name; ``image`` is an uploaded PNG of the official
    seal (else the picture is generated from the name and kind).
    """
    errors: dict[str, list] = {}
    if not isinstance(department, Department) or department.pk is None:
        errors["department"] = [_("Choose the department the seal belongs to.")]
    clean_name = _clean_name(name or getattr(department, "name", ""), errors)
    if kind not in SealKind.values:
        errors["kind"] = [_("Choose one of the listed seal kinds.")]
    checked = None
    if image is not None:
        try:
            checked = images.check_upload(image)
        except ValidationError as error:
            errors.update(error.error_dict)
    _raise(errors)
    require_manager(actor, department)
    Department.objects.select_for_update().filter(pk=department.pk).first()
    if Seal.objects.filter(department=department, name=clean_name, kind=kind, active=True).exists():
        message = _("%(department)s already has an active %(kind)s named %(name)s.") % {
            "department": department.name,
            "kind": SealKind(kind).label,
            "name": clean_name,
        }
        raise ValidationError({"name": ValidationError(message, code="duplicate_seal")})
    source = ImageSource.UPLOADED if checked else ImageSource.GENERATED
    checked = checked or images.generated(clean_name, kind)
    path = _store(checked)
    try:
        seal = Seal.objects.create(
            department=department,
            name=clean_name,
            kind=kind,
            image=path,
            image_source=source,
            image_sha256=checked.sha256,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        key = keys.create_key(seal=seal)
        record(
            actor=actor,
            action="seals.create",
            obj=seal,
            after={**_summary(seal), "key_id": key.key_id},
        )
    except Exception:
        delete_stored([path])
        raise
    return seal


@transaction.atomic
def rotate_key(*, actor, seal: Seal, reason: str = "") -> SealKey:
    """Retire ``seal``'s current key and make a new one; returns the new key.

    Signatures made before stay verifiable with the retired key; ``signing.sign`` only ever
    uses the current one, so the retired key signs nothing new.
    """
    errors: dict[str, list] = {}
    clean_reason = _clean_reason(reason, required=False, errors=errors)
    _raise(errors)
    require_manager(actor, seal.department)
    seal = _lock(seal)
    _require_active(seal)
    old = _current_key(seal)
    if old is not None:
        keys.retire(old)
    new = keys.create_key(seal=seal)
    seal.save(update_fields=["updated_at"])
    record(
        actor=actor,
        action="seals.rotate_key",
        obj=seal,
        before={"key_id": old.key_id if old else None},
        after={"key_id": new.key_id},
        reason=clean_reason,
    )
    return new


@transaction.atomic
def replace_image(*, actor, seal: Seal, image=None) -> Seal:
    """Set ``seal``'s picture to the uploaded PNG ``image``, or (None) to the generated one."""
    checked = images.check_upload(image) if image is not None else None
    require_manager(actor, seal.department)
    seal = _lock(seal)
    _require_active(seal)
    before = _summary(seal)
    source = ImageSource.UPLOADED if checked else ImageSource.GENERATED
    checked = checked or images.generated(seal.name, seal.kind)
    # Earlier pictures stay in storage: documents rendered with them may be re-checked.
    path = _store(checked)
    try:
        seal.image = path
        seal.image_source = source
        seal.image_sha256 = checked.sha256
        seal.save(update_fields=["image", "image_source", "image_sha256", "updated_at"])
        record(
            actor=actor,
            action="seals.replace_image",
            obj=seal,
            before={k: before[k] for k in ("image_source", "image_sha256")},
            after={"image_source": source, "image_sha256": checked.sha256},
        )
    except Exception:
        delete_stored([path])
        raise
    return seal


@transaction.atomic
def deactivate_seal(*, actor, seal: Seal, reason: str) -> Seal:
    """The seal signs nothing any more; its current key is retired (and kept)."""
    errors: dict[str, list] = {}
    clean_reason = _clean_reason(reason, required=True, errors=errors)
    _raise(errors)
    require_manager(actor, seal.department)
    seal = _lock(seal)
    if not seal.active:
        raise ValidationError(
            _("The seal %(name)s is already deactivated.") % {"name": seal.name},
            code="already_inactive",
        )
    key = _current_key(seal)
    if key is not None:
        keys.retire(key)
    seal.active = False
    seal.deactivated_at = timezone.now()
    seal.save(update_fields=["active", "deactivated_at", "updated_at"])
    record(
        actor=actor,
        action="seals.deactivate",
        obj=seal,
        before={"active": True, "key_id": key.key_id if key else None},
        after={"active": False},
        reason=clean_reason,
    )
    return seal


# --- staff signing keys -------------------------------------------------------------------


@transaction.atomic
def issue_staff_key(*, actor, holder) -> SealKey:
    """A new personal signing key for the staff member ``holder``, retiring the current one.

    The staff member themself or a platform administrator may do this.
    """
    if not isinstance(holder, get_user_model()) or getattr(holder, "kind", "") != "staff":
        raise ValidationError(
            _("Personal signing keys are for staff accounts only."), code="not_staff"
        )
    if not holder.is_active:
        raise ValidationError(
            _("The account %(name)s is disabled.") % {"name": holder.username},
            code="holder_inactive",
        )
    if not (getattr(actor, "pk", None) == holder.pk or is_platform_admin(actor)):
        raise PermissionDenied(
            _("Only the staff member or a platform administrator can issue their signing key.")
        )
    get_user_model().objects.select_for_update().filter(pk=holder.pk).first()
    old = SealKey.objects.filter(holder=holder, retired_at__isnull=True).first()
    if old is not None:
        keys.retire(old)
    new = keys.create_key(holder=holder)
    record(
        actor=actor,
        action="seals.issue_staff_key",
        obj=holder,
        before={"key_id": old.key_id if old else None},
        after={"key_id": new.key_id},
    )
    return new
