"""State changes for identities: citizens, enterprises and their agents, staff, logins.

Every function validates, checks permission, writes, and appends an audit entry in
the same transaction. ``actor`` is a ``User``, or ``None`` / a string label when the
platform itself acts (self-registration, commands, demo loaders).

Errors are ``ValidationError`` objects keyed by the field they concern (``username``,
``password``, ``real_name``, ``id_number``, ``phone``, ``code``, ``uscc``, ...) so forms
can show them next to the right input.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.context import current_ip
from yiwang.gmcrypto.core import blind_index
from yiwang.gmcrypto.masking import mask_phone
from yiwang.orgs import scope
from yiwang.orgs.models import Department, Hall, Post, Role, Window
from yiwang.regions.models import Region

from . import throttle
from .models import (
    Enterprise,
    EnterpriseAgent,
    Kind,
    RealNameLevel,
    SmsCode,
    User,
    normalise_phone,
    normalise_resident_id,
    normalise_uscc,
    validate_enterprise_uscc,
    validate_mobile,
    validate_resident_id,
)

SELF_REGISTRATION = "self-registration"
SYSTEM = "system"
ANONYMOUS = "anonymous"

SMS_CODE_LENGTH = 6
SMS_CODE_TTL = datetime.timedelta(minutes=5)
SMS_RESEND_SECONDS = 60
SMS_DAILY_LIMIT = 10
SMS_MAX_ATTEMPTS = 5

PERSONAL_FIELDS = ("id_number", "phone")

logger = logging.getLogger(__name__)


# --- helpers ---------------------------------------------------------------


def is_system(actor) -> bool:
    """``None`` or a string label means the platform itself (commands, loaders)."""
    return actor is None or isinstance(actor, str)


def _is_user(actor) -> bool:
    return getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False)


def _is_staff_admin(actor) -> bool:
    """Superusers and data-authority administrators manage identities platform-wide."""
    return _is_user(actor) and (actor.is_superuser or scope.has_role(actor, Role.AUTHORITY))


def _is_staff_with_post(actor) -> bool:
    return _is_user(actor) and (actor.is_superuser or bool(scope.posts_of(actor)))


def id_number_index(value: str) -> str:
    return blind_index(normalise_resident_id(value), "id")


def phone_index(value: str) -> str:
    return blind_index(normalise_phone(value), "phone")


def _errors(errors: dict[str, list]) -> None:
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        raise ValidationError(errors)


def _collect(errors: dict[str, list], field: str, func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.error_list)
        return None


def _clean_username(value: str, errors: dict) -> str:
    username = (value or "").strip()
    if not username:
        errors.setdefault("username", []).append(
            ValidationError(
                _("Choose a user name (letters, digits and @ . + - _)."), code="required"
            )
        )
        return username
    _collect(errors, "username", User.username_validator, username)
    if len(username) > 150:
        errors.setdefault("username", []).append(
            ValidationError(
                _("The user name is too long: use at most 150 characters."), code="max_length"
            )
        )
    elif User.objects.filter(username__iexact=username).exists():
        errors.setdefault("username", []).append(
            ValidationError(
                _("The user name “%(username)s” is already taken. Choose another one."),
                code="duplicate_username",
                params={"username": username},
            )
        )
    return username


def _clean_real_name(value: str, errors: dict, *, required: bool = True) -> str:
    name = " ".join((value or "").split())
    if required and not name:
        errors.setdefault("real_name", []).append(
            ValidationError(_("Enter your real name as printed on your ID card."), code="required")
        )
    elif len(name) > 50:
        errors.setdefault("real_name", []).append(
            ValidationError(
                _("The real name is too long: use at most 50 characters."), code="max_length"
            )
        )
    return name


def _clean_phone(value: str, errors: dict, *, required: bool = True, exclude_pk=None) -> str:
    phone = normalise_phone(value)
    if not phone:
        if required:
            errors.setdefault("phone", []).append(
                ValidationError(_("Enter your mobile phone number."), code="required")
            )
        return phone
    _collect(errors, "phone", validate_mobile, phone)
    if "phone" not in errors:
        qs = User.objects.filter(phone_index=phone_index(phone))
        if exclude_pk is not None:
            qs = qs.exclude(pk=exclude_pk)
        if qs.exists():
            errors.setdefault("phone", []).append(
                ValidationError(
                    _(
                        "This mobile number is already registered to another account. Log in with it "
                        "(you can use an SMS code), or use a different number."
                    ),
                    code="duplicate_phone",
                )
            )
    return phone


def _clean_id_number(value: str, errors: dict) -> str:
    number = normalise_resident_id(value)
    if not number:
        errors.setdefault("id_number", []).append(
            ValidationError(_("Enter your 18-character resident ID number."), code="required")
        )
        return number
    _collect(errors, "id_number", validate_resident_id, number)
    if (
        "id_number" not in errors
        and User.objects.filter(id_number_index=id_number_index(number)).exists()
    ):
        errors.setdefault("id_number", []).append(
            ValidationError(
                _(
                    "This resident ID number is already registered. If it is yours, log in instead "
                    "(an SMS code to the registered phone works too), or ask a service hall for help."
                ),
                code="duplicate_id_number",
            )
        )
    return number


def _clean_password(password: str, user: User, errors: dict, field: str = "password") -> None:
    if not password:
        errors.setdefault(field, []).append(
            ValidationError(_("Enter a password."), code="required")
        )
        return
    _collect(errors, field, validate_password, password, user)


def _save_new_user(user: User) -> None:
    """Insert, turning a race on the unique blind indexes into a field error."""
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        message = str(exc)
        if "phone" in message:
            field, text = "phone", _("This mobile number is already registered to another account.")
        elif "username" in message:
            field, text = "username", _("This user name is already taken. Choose another one.")
        else:
            field, text = "id_number", _("This resident ID number is already registered.")
        raise ValidationError({field: [ValidationError(text, code="duplicate")]}) from exc


def _user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "kind": user.kind,
        "real_name": user.real_name,
        "realname_level": user.realname_level,
        "id_number": user.masked_id_number,
        "phone": user.masked_phone,
    }


# --- citizens ----------------------------------------------------------------


@transaction.atomic
def create_citizen(
    *, actor, username: str, password: str, real_name: str, id_number: str, phone: str
) -> User:
    """Register a natural person (自然人). ``actor=None`` means self-registration."""
    errors: dict[str, list] = {}
    username = _clean_username(username, errors)
    real_name = _clean_real_name(real_name, errors)
    id_number = _clean_id_number(id_number, errors)
    phone = _clean_phone(phone, errors)
    user = User(username=username, real_name=real_name, kind=Kind.CITIZEN)
    _clean_password(password, user, errors)
    _errors(errors)
    if not (is_system(actor) or _is_staff_with_post(actor)):
        raise PermissionDenied(_("Only service staff can register an account for someone else."))

    user.id_number = id_number
    user.phone = phone
    user.realname_level = RealNameLevel.BASIC
    user.set_password(password)
    _save_new_user(user)
    record(
        actor=actor if actor is not None else SELF_REGISTRATION,
        action="accounts.citizen_created",
        obj=user,
        after=_user_snapshot(user),
    )
    return user


# --- enterprises ---------------------------------------------------------------


def _enterprise_snapshot(enterprise: Enterprise) -> dict:
    return {
        "name": enterprise.name,
        "uscc": enterprise.uscc,
        "legal_representative": enterprise.legal_representative,
        "region": enterprise.region.code if enterprise.region_id else None,
        "address": enterprise.address,
    }


@transaction.atomic
def create_enterprise(
    *,
    actor,
    name: str,
    uscc: str,
    legal_representative: str,
    region: Region | None = None,
    address: str = "",
) -> Enterprise:
    """Register a legal person (法人) identified by its unified social credit code."""
    errors: dict[str, list] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [
            ValidationError(_("Enter the enterprise's registered name."), code="required")
        ]
    elif len(name) > 100:
        errors["name"] = [
            ValidationError(
                _("The name is too long: use at most 100 characters."), code="max_length"
            )
        ]
    code = normalise_uscc(uscc)
    if not code:
        errors["uscc"] = [
            ValidationError(
                _("Enter the 18-character unified social credit code from the business licence."),
                code="required",
            )
        ]
    else:
        _collect(errors, "uscc", validate_enterprise_uscc, code)
        existing = None if "uscc" in errors else Enterprise.objects.filter(uscc=code).first()
        if existing is not None:
            errors["uscc"] = [
                ValidationError(
                    _(
                        "An enterprise with the unified social credit code %(uscc)s is already registered "
                        "(%(name)s). Ask its legal representative to add you as an agent."
                    ),
                    code="duplicate_uscc",
                    params={"uscc": code, "name": existing.name},
                )
            ]
    legal_representative = " ".join((legal_representative or "").split())
    if not legal_representative:
        errors["legal_representative"] = [
            ValidationError(_("Enter the name of the legal representative."), code="required")
        ]
    elif len(legal_representative) > 50:
        errors["legal_representative"] = [
            ValidationError(
                _("The legal representative's name is too long: use at most 50 characters."),
                code="max_length",
            )
        ]
    address = (address or "").strip()
    if len(address) > 200:
        errors["address"] = [
            ValidationError(
                _("The address is too long: use at most 200 characters."), code="max_length"
            )
        ]
    if region is not None and not isinstance(region, Region):
        errors["region"] = [ValidationError(_("Choose a region from the list."), code="invalid")]
    _errors(errors)
    if not (is_system(actor) or _is_staff_with_post(actor)):
        raise PermissionDenied(
            _(
                "Only service staff can register an enterprise. Bring the business licence to a "
                "service hall window."
            )
        )

    enterprise = Enterprise.objects.create(
        name=name,
        uscc=code,
        legal_representative=legal_representative,
        region=region,
        address=address,
    )
    record(
        actor=actor or SYSTEM,
        action="accounts.enterprise_created",
        obj=enterprise,
        after=_enterprise_snapshot(enterprise),
    )
    return enterprise


def _is_legal_representative_agent(actor, enterprise: Enterprise) -> bool:
    today = timezone.localdate()
    return (
        _is_user(actor)
        and EnterpriseAgent.objects.filter(
            enterprise=enterprise,
            user=actor,
            is_legal_representative=True,
        )
        .exclude(valid_until__lt=today)
        .exists()
    )


@transaction.atomic
def add_agent(
    *,
    actor,
    enterprise: Enterprise,
    user: User,
    is_legal_representative: bool = False,
    valid_until: datetime.date | None = None,
) -> EnterpriseAgent:
    """Authorise ``user`` to act for ``enterprise`` (经办人授权)."""
    errors: dict[str, list] = {}
    if user.kind == Kind.STAFF:
        errors["user"] = [
            ValidationError(
                _(
                    "%(name)s is a staff account; staff cannot act for an enterprise. Use the person's "
                    "own citizen account."
                ),
                code="staff_agent",
                params={"name": user.display_name},
            )
        ]
    elif not user.is_active:
        errors["user"] = [
            ValidationError(
                _("%(name)s's account is disabled and cannot be authorised."),
                code="inactive",
                params={"name": user.display_name},
            )
        ]
    elif EnterpriseAgent.objects.filter(enterprise=enterprise, user=user).exists():
        errors["user"] = [
            ValidationError(
                _("%(name)s is already an agent of %(enterprise)s."),
                code="duplicate_agent",
                params={"name": user.display_name, "enterprise": enterprise.name},
            )
        ]
    if valid_until is not None and valid_until < timezone.localdate():
        errors["valid_until"] = [
            ValidationError(
                _(
                    "The authorisation end date %(date)s is in the past. Choose today or a later date."
                ),
                code="past",
                params={"date": valid_until.isoformat()},
            )
        ]
    _errors(errors)
    if not (
        is_system(actor)
        or _is_staff_with_post(actor)
        or _is_legal_representative_agent(actor, enterprise)
    ):
        raise PermissionDenied(
            _("Only service staff or the enterprise's legal representative can authorise agents.")
        )

    agent = EnterpriseAgent.objects.create(
        enterprise=enterprise,
        user=user,
        is_legal_representative=is_legal_representative,
        valid_until=valid_until,
    )
    record(
        actor=actor or SYSTEM,
        action="accounts.agent_added",
        obj=enterprise,
        after={
            "user": user.pk,
            "username": user.username,
            "is_legal_representative": is_legal_representative,
            "valid_until": valid_until.isoformat() if valid_until else None,
        },
    )
    return agent


@transaction.atomic
def update_agent(
    *,
    actor,
    agent: EnterpriseAgent,
    is_legal_representative: bool,
    valid_until: datetime.date | None,
) -> EnterpriseAgent:
    """Change an agent's authorisation (legal-representative flag, end date)."""
    agent = (
        EnterpriseAgent.objects.select_for_update(of=("self",))
        .select_related("enterprise", "user")
        .get(pk=agent.pk)
    )
    if not (
        is_system(actor)
        or _is_staff_with_post(actor)
        or _is_legal_representative_agent(actor, agent.enterprise)
    ):
        raise PermissionDenied(
            _("Only service staff or the enterprise's legal representative can change agents.")
        )
    before = {
        "is_legal_representative": agent.is_legal_representative,
        "valid_until": agent.valid_until.isoformat() if agent.valid_until else None,
    }
    agent.is_legal_representative = bool(is_legal_representative)
    agent.valid_until = valid_until
    agent.save(update_fields=["is_legal_representative", "valid_until"])
    record(
        actor=actor or SYSTEM,
        action="accounts.agent_changed",
        obj=agent.enterprise,
        before=before,
        user=agent.user_id,
        after={
            "is_legal_representative": agent.is_legal_representative,
            "valid_until": valid_until.isoformat() if valid_until else None,
        },
    )
    return agent


@transaction.atomic
def remove_agent(*, actor, enterprise: Enterprise, user: User) -> None:
    """Withdraw an agent's authorisation."""
    agent = (
        EnterpriseAgent.objects.select_for_update().filter(enterprise=enterprise, user=user).first()
    )
    if agent is None:
        raise ValidationError(
            _("%(name)s is not an agent of %(enterprise)s."),
            code="not_agent",
            params={"name": user.display_name, "enterprise": enterprise.name},
        )
    if not (
        is_system(actor)
        or _is_staff_with_post(actor)
        or _is_legal_representative_agent(actor, enterprise)
    ):
        raise PermissionDenied(
            _("Only service staff or the enterprise's legal representative can withdraw agents.")
        )
    agent.delete()
    record(
        actor=actor or SYSTEM,
        action="accounts.agent_removed",
        obj=enterprise,
        before={"user": user.pk, "username": user.username},
    )


@transaction.atomic
def start_acting_for(*, actor, enterprise: Enterprise | None) -> Enterprise | None:
    """Check that ``actor`` may act for ``enterprise`` now (None: act as themself) and audit it.

    The caller stores the choice (the web session key ``acting_enterprise_id``).
    """
    if not _is_user(actor):
        raise PermissionDenied(_("Log in first."))
    if enterprise is not None:
        agent = EnterpriseAgent.objects.filter(enterprise=enterprise, user=actor).first()
        if agent is None:
            raise PermissionDenied(
                _("You are not an authorised agent of %(enterprise)s.")
                % {"enterprise": enterprise.name}
            )
        if agent.valid_until is not None and agent.valid_until < timezone.localdate():
            raise ValidationError(
                _(
                    "Your authorisation to act for %(enterprise)s ended on %(date)s. Ask its legal "
                    "representative to renew it."
                ),
                code="expired",
                params={"enterprise": enterprise.name, "date": agent.valid_until.isoformat()},
            )
    record(
        actor=actor,
        action="accounts.act_as",
        obj=enterprise,
        after={"enterprise": enterprise.pk if enterprise else None},
    )
    return enterprise


# --- staff -----------------------------------------------------------------------


def _clean_posts(posts: Iterable[dict], errors: dict) -> list[Post]:
    cleaned: list[Post] = []
    roles = set(Role.values)
    for number, spec in enumerate(posts or [], start=1):
        if not isinstance(spec, dict):
            errors.setdefault("posts", []).append(
                ValidationError(
                    _(
                        "Post %(n)d: give role, department, region (and optionally hall and window)."
                    ),
                    code="invalid",
                    params={"n": number},
                )
            )
            continue
        role = str(spec.get("role") or "")
        department = spec.get("department")
        region = spec.get("region")
        hall = spec.get("hall")
        window = spec.get("window")
        problems = []
        if role not in roles:
            problems.append(
                _("the role “%(role)s” does not exist (choose one of: %(roles)s)")
                % {"role": role, "roles": ", ".join(sorted(roles))}
            )
        if department is not None and not isinstance(department, Department):
            problems.append(_("the department is not a department"))
        if not isinstance(region, Region):
            problems.append(_("choose the region the post covers"))
        if hall is not None and not isinstance(hall, Hall):
            problems.append(_("the hall is not a service hall"))
        if window is not None:
            if not isinstance(window, Window):
                problems.append(_("the window is not a window"))
            elif hall is None:
                hall = window.hall
            elif window.hall_id != hall.pk:
                problems.append(
                    _("window %(window)s is not in %(hall)s") % {"window": window, "hall": hall}
                )
        if problems:
            errors.setdefault("posts", []).append(
                ValidationError(
                    _("Post %(n)d: %(problems)s."),
                    code="invalid_post",
                    params={"n": number, "problems": "; ".join(str(p) for p in problems)},
                )
            )
            continue
        cleaned.append(
            Post(role=role, department=department, region=region, hall=hall, window=window)
        )
    return cleaned


def _may_create_post(actor, post: Post) -> bool:
    if is_system(actor) or _is_staff_admin(actor):
        return True
    # A department administrator staffs their own department within their own area.
    return post.department is not None and scope.can_act(
        actor, roles=[Role.DEPT_ADMIN], department=post.department, region=post.region
    )


@transaction.atomic
def create_staff(
    *,
    actor,
    username: str,
    password: str,
    real_name: str,
    phone: str = "",
    posts: list[dict],
) -> User:
    """Create a staff account with its posts (role × department × region scope)."""
    errors: dict[str, list] = {}
    username = _clean_username(username, errors)
    real_name = _clean_real_name(real_name, errors)
    phone = _clean_phone(phone, errors, required=False)
    user = User(username=username, real_name=real_name, kind=Kind.STAFF)
    _clean_password(password, user, errors)
    new_posts = _clean_posts(posts, errors)
    _errors(errors)
    if not (is_system(actor) or _is_staff_admin(actor) or scope.has_role(actor, Role.DEPT_ADMIN)):
        raise PermissionDenied(
            _(
                "Only an administrator (data authority or department administrator) can create staff "
                "accounts."
            )
        )
    for post in new_posts:
        if not _may_create_post(actor, post):
            raise PermissionDenied(
                _(
                    "You may only create posts in your own department and area (%(post)s is outside "
                    "it). Ask the data authority administrator."
                )
                % {"post": post}
            )

    user.phone = phone
    user.realname_level = RealNameLevel.IN_PERSON
    user.set_password(password)
    _save_new_user(user)
    for post in new_posts:
        post.user = user
    Post.objects.bulk_create(new_posts)
    scope.clear_cache(user)
    record(
        actor=actor or SYSTEM,
        action="accounts.staff_created",
        obj=user,
        after={
            **_user_snapshot(user),
            "posts": [
                {
                    "role": p.role,
                    "department": p.department_id,
                    "region": p.region.code,
                    "hall": p.hall_id,
                    "window": p.window_id,
                }
                for p in new_posts
            ],
        },
    )
    return user


@transaction.atomic
def add_post(
    *,
    actor,
    user: User,
    role: str,
    region: Region,
    department: Department | None = None,
    hall: Hall | None = None,
    window: Window | None = None,
) -> Post:
    """Give an existing staff member another post."""
    errors: dict[str, list] = {}
    if user.kind != Kind.STAFF:
        errors["user"] = [
            ValidationError(
                _("%(name)s is not a staff account; only staff hold posts."),
                code="not_staff",
                params={"name": user.display_name},
            )
        ]
    posts = _clean_posts(
        [
            {
                "role": role,
                "department": department,
                "region": region,
                "hall": hall,
                "window": window,
            }
        ],
        errors,
    )
    _errors(errors)
    post = posts[0]
    if not _may_create_post(actor, post):
        raise PermissionDenied(
            _(
                "You may only create posts in your own department and area (%(post)s is outside "
                "it). Ask the data authority administrator."
            )
            % {"post": post}
        )
    post.user = user
    post.save()
    scope.clear_cache(user)
    record(
        actor=actor or SYSTEM,
        action="accounts.post_added",
        obj=user,
        after={
            "post": post.pk,
            "role": post.role,
            "department": post.department_id,
            "region": post.region.code,
            "hall": post.hall_id,
            "window": post.window_id,
        },
    )
    return post


@transaction.atomic
def set_post_active(*, actor, post: Post, active: bool) -> Post:
    """End a post (it stays on record) or reinstate it."""
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("user", "department", "region")
        .get(pk=post.pk)
    )
    if not _may_create_post(actor, post):
        raise PermissionDenied(
            _(
                "You may only change posts in your own department and area. Ask the data authority "
                "administrator."
            )
        )
    if post.active == bool(active):
        return post
    post.active = bool(active)
    post.save(update_fields=["active"])
    scope.clear_cache(post.user)
    record(
        actor=actor or SYSTEM,
        action="accounts.post_ended" if not active else "accounts.post_reinstated",
        obj=post.user,
        after={"post": post.pk, "active": post.active},
    )
    return post


# --- logins and lockout ------------------------------------------------------------


def lock_message(user: User) -> str:
    return lock_message_until(user.locked_until)


def lock_message_until(locked_until: datetime.datetime) -> str:
    """The lockout answer; also given for unknown names, so it tells nobody who is registered."""
    until = timezone.localtime(locked_until)
    return _(
        "This account is locked after too many failed logins. Try again after %(time)s, or ask "
        "an administrator to unlock it."
    ) % {"time": date_format(until, "Y-m-d H:i")}


@transaction.atomic
def register_failed_login(user: User) -> User:
    """Count a wrong password; lock the account after ``YIWANG_LOGIN_MAX_FAILURES`` in a row.

    Returns the refreshed user (``locked_until`` set when this failure locked it).
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    if locked.locked_until and locked.locked_until > now:
        return locked
    failures = locked.failed_logins + 1
    record(
        actor=ANONYMOUS,
        action="accounts.login_failed",
        obj=locked,
        after={"failed_logins": failures},
    )
    if failures >= settings.YIWANG_LOGIN_MAX_FAILURES:
        locked.locked_until = now + datetime.timedelta(minutes=settings.YIWANG_LOGIN_LOCK_MINUTES)
        locked.failed_logins = 0
        record(
            actor=ANONYMOUS,
            action="accounts.locked",
            obj=locked,
            after={"locked_until": locked.locked_until.isoformat(), "failures": failures},
        )
    else:
        locked.failed_logins = failures
    locked.save(update_fields=["failed_logins", "locked_until"])
    user.failed_logins, user.locked_until = locked.failed_logins, locked.locked_until
    return locked


@transaction.atomic
def register_successful_login(
    user: User, *, method: str = "password", second_factor: str = ""
) -> None:
    """Reset the failure counter and audit the login.

    ``method``: password, sms or registration; ``second_factor``: totp, recovery, sms or
    empty when none was asked for (see ``mfa``).
    """
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    user.failed_logins, user.locked_until = 0, None
    after = {"method": method}
    if second_factor:
        after["second_factor"] = second_factor
    record(actor=user, action="accounts.login", obj=user, after=after)


@transaction.atomic
def register_logout(user: User) -> None:
    if _is_user(user):
        record(actor=user, action="accounts.logout", obj=user)


@transaction.atomic
def unlock_account(*, actor, user: User) -> None:
    """Lift a lockout before it ends (administrators)."""
    if not (is_system(actor) or _is_staff_admin(actor)):
        raise PermissionDenied(_("Only an administrator can unlock accounts."))
    before = {"locked_until": user.locked_until.isoformat() if user.locked_until else None}
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    user.failed_logins, user.locked_until = 0, None
    record(actor=actor or SYSTEM, action="accounts.unlocked", obj=user, before=before)


# --- SMS login codes -------------------------------------------------------------


def _code_hash(phone_idx: str, code: str) -> str:
    return blind_index(code, f"sms-login:{phone_idx}")


def _clean_login_phone(phone: str) -> str:
    phone = normalise_phone(phone)
    if not phone:
        raise ValidationError(
            {"phone": [ValidationError(_("Enter your mobile phone number."), code="required")]}
        )
    try:
        validate_mobile(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.error_list}) from exc
    return phone


def _send_sms(phone: str, text: str) -> None:
    from yiwang.notify import sms  # the notify app owns gateways

    try:
        sms.get_gateway().send(phone, text)
    except Exception:  # the answer must not differ, so a failed send is only logged
        logger.exception("login code to %s could not be sent", mask_phone(phone))


@transaction.atomic
def send_login_code(*, phone: str) -> None:
    """Issue a 6-digit login code (valid 5 minutes) and text it if the number is registered.

    The answer is the same whether or not the number belongs to an account, so the
    form cannot be used to find out who is registered. Limits: one code per number
    per minute, ten per day, and the shared SMS caps of ``throttle.reserve_sms`` (per
    address of the current request, per number, platform-wide per day).
    """
    phone = _clean_login_phone(phone)
    idx = phone_index(phone)
    now = timezone.now()
    last = (
        SmsCode.objects.select_for_update()
        .filter(phone_index=idx)
        .order_by("-created_at", "-id")
        .first()
    )
    if last is not None:
        wait = SMS_RESEND_SECONDS - int((now - last.created_at).total_seconds())
        if wait > 0:
            raise ValidationError(
                {
                    "phone": [
                        ValidationError(
                            _(
                                "A code was sent to this number less than a minute ago. Wait %(seconds)d seconds "
                                "before asking for another one."
                            ),
                            code="too_soon",
                            params={"seconds": wait},
                        )
                    ]
                }
            )
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if (
        SmsCode.objects.filter(phone_index=idx, created_at__gte=start_of_day).count()
        >= SMS_DAILY_LIMIT
    ):
        raise ValidationError(
            {
                "phone": [
                    ValidationError(
                        _(
                            "This number has had %(limit)d codes today, the daily maximum. Log in with your password "
                            "or try again tomorrow."
                        ),
                        code="daily_limit",
                        params={"limit": SMS_DAILY_LIMIT},
                    )
                ]
            }
        )

    # Per address, per number per day and the platform's daily budget, shared by every SMS
    # code; counted alike for registered and unknown numbers.
    throttle.reserve_sms(phone, ip=current_ip.get())

    # Only the newest code is valid.
    SmsCode.objects.filter(phone_index=idx, used=False).update(used=True)
    code = f"{secrets.randbelow(10**SMS_CODE_LENGTH):0{SMS_CODE_LENGTH}d}"
    sms_code = SmsCode.objects.create(
        phone_index=idx, code_hash=_code_hash(idx, code), expires_at=now + SMS_CODE_TTL
    )
    user = User.objects.filter(phone_index=idx, is_active=True).first()
    record(
        actor=ANONYMOUS,
        action="accounts.sms_code_requested",
        obj=sms_code,
        after={"phone": mask_phone(phone), "user": user.pk if user else None},
    )
    if user is not None:
        text = _(
            "Your login code for Dabu County government services is %(code)s. It is valid for "
            "%(minutes)d minutes. Never tell it to anyone, including staff."
        ) % {"code": code, "minutes": int(SMS_CODE_TTL.total_seconds() // 60)}
        transaction.on_commit(lambda: _send_sms(phone, text))


def verify_login_code(*, phone: str, code: str) -> User:
    """Check a login code and return its user; a code works once, for 5 minutes, 5 tries.

    A wrong attempt is counted even though an error is raised, so this function
    commits its own small transaction before raising.
    """
    phone = _clean_login_phone(phone)
    code = "".join((code or "").split())
    if not (len(code) == SMS_CODE_LENGTH and code.isascii() and code.isdigit()):
        raise ValidationError(
            {
                "code": [
                    ValidationError(
                        _("Enter the %(length)d-digit code from the text message."),
                        code="invalid_code",
                        params={"length": SMS_CODE_LENGTH},
                    )
                ]
            }
        )
    idx = phone_index(phone)
    error: ValidationError | None = None
    user: User | None = None
    with transaction.atomic():
        sms_code = (
            SmsCode.objects.select_for_update()
            .filter(phone_index=idx)
            .order_by("-created_at", "-id")
            .first()
        )
        now = timezone.now()
        if sms_code is None:
            error = ValidationError(
                _("No code has been sent to this number. Ask for a code first."), code="no_code"
            )
        elif sms_code.used:
            error = ValidationError(
                _(
                    "This code has already been used or replaced by a newer one. Ask for a new code."
                ),
                code="used",
            )
        elif sms_code.expires_at <= now:
            error = ValidationError(
                _(
                    "This code has expired (codes are valid for %(minutes)d minutes). Ask for a new code."
                ),
                code="expired",
                params={"minutes": int(SMS_CODE_TTL.total_seconds() // 60)},
            )
        elif sms_code.attempts >= SMS_MAX_ATTEMPTS:
            error = ValidationError(
                _(
                    "This code was entered wrongly too many times and no longer works. Ask for a new code."
                ),
                code="too_many_attempts",
            )
        elif not secrets.compare_digest(sms_code.code_hash, _code_hash(idx, code)):
            sms_code.attempts += 1
            sms_code.save(update_fields=["attempts"])
            left = SMS_MAX_ATTEMPTS - sms_code.attempts
            if left > 0:
                error = ValidationError(
                    _(
                        "The code is wrong. Check the text message; %(left)d attempts left for this code."
                    ),
                    code="wrong_code",
                    params={"left": left},
                )
            else:
                error = ValidationError(
                    _("The code is wrong, and that was the last attempt. Ask for a new code."),
                    code="too_many_attempts",
                )
        else:
            user = User.objects.filter(phone_index=idx, is_active=True).first()
            if user is None:
                # A code for an unregistered number was never sent: treat like a wrong code.
                error = ValidationError(
                    _("The code is wrong. Check the text message."), code="wrong_code"
                )
            elif user.locked_until and user.locked_until > now:
                error = ValidationError(lock_message(user), code="locked")
            else:
                sms_code.used = True
                sms_code.save(update_fields=["used"])
        if error is not None and sms_code is not None:
            record(
                actor=ANONYMOUS,
                action="accounts.sms_code_rejected",
                obj=sms_code,
                after={"reason": error.code},
            )
    if error is not None:
        raise ValidationError({"code": [error]})
    return user


# --- personal data ----------------------------------------------------------------


@transaction.atomic
def reveal_personal_data(*, actor, subject: User, field: str) -> str:
    """Return the plaintext ``id_number`` or ``phone`` of ``subject`` to the subject themself;
    audited.

    Nobody else, staff included, reveals a person's data by account: staff see it only
    through an object they work on (a case, a ticket), with a purpose and a reason, counted
    against their limit (``yiwang.privacy.actions.record_disclosure``).
    """
    if field not in PERSONAL_FIELDS:
        raise ValidationError(
            _("“%(field)s” cannot be revealed; only id_number and phone can."),
            code="invalid_field",
            params={"field": field},
        )
    if not _is_user(actor):
        raise PermissionDenied(_("Log in to see personal data."))
    if actor.pk != subject.pk:
        raise PermissionDenied(_("You may only see your own full ID number and phone number."))
    record(actor=actor, action="personal_data.reveal", obj=subject, field=field, subject=subject.pk)
    return getattr(subject, field) or ""


# --- preferences and password ---------------------------------------------------------


@transaction.atomic
def set_elder_mode(*, actor, enabled: bool) -> None:
    if not _is_user(actor):
        raise PermissionDenied(_("Log in first."))
    enabled = bool(enabled)
    if actor.elder_mode == enabled:
        return
    before = {"elder_mode": actor.elder_mode}
    User.objects.filter(pk=actor.pk).update(elder_mode=enabled)
    actor.elder_mode = enabled
    record(
        actor=actor,
        action="accounts.elder_mode",
        obj=actor,
        before=before,
        after={"elder_mode": enabled},
    )


@transaction.atomic
def change_password(*, actor, old: str, new: str) -> None:
    """Change the actor's own password. The view must call ``update_session_auth_hash``."""
    if not _is_user(actor):
        raise PermissionDenied(_("Log in first."))
    errors: dict[str, list] = {}
    if not actor.check_password(old or ""):
        errors["old"] = [
            ValidationError(
                _("The current password is wrong. Enter the password you use to log in now."),
                code="wrong_password",
            )
        ]
    if new and old and new == old:
        errors["new"] = [
            ValidationError(
                _("The new password must be different from the current one."), code="same_password"
            )
        ]
    else:
        _clean_password(new, actor, errors, field="new")
    _errors(errors)
    actor.set_password(new)
    actor.save(update_fields=["password"])
    record(actor=actor, action="accounts.password_changed", obj=actor)
