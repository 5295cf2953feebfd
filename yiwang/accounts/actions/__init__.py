"""State changes for identities: citizens, enterprises and their agents, staff, logins.

Every function validates, checks permission, writes, and appends an audit entry in
the same transaction. ``actor`` is a ``User``, or a ``SystemActor`` when the platform
itself acts (commands, demo loaders); ``None`` only where a person serves themself
(``create_citizen``: self-registration).

Errors are ``ValidationError`` objects keyed by the field they concern (``username``,
``password``, ``real_name``, ``id_number``, ``phone``, ``code``, ``uscc``, ...) so forms
can show them next to the right input.

One module per concern; import from this package (``from yiwang.accounts import actions``):

- ``registration``: natural persons registering (``create_citizen``)
- ``enterprises``: enterprises, their agents, acting for one
- ``staff``: staff accounts and their posts
- ``login``: password logins, lockout, logout, unlocking
- ``login_codes``: SMS login codes
- ``profile``: a person's own settings (elder mode, password)
- ``reveal``: showing a person their own full personal data
- ``_common``: helpers the others share (actor checks, field cleaners, blind indexes)
"""

from yiwang.audit.actors import SYSTEM

from ._common import ANONYMOUS, id_number_index, phone_index
from .enterprises import (
    add_agent,
    create_enterprise,
    remove_agent,
    start_acting_for,
    update_agent,
)
from .login import (
    lock_message,
    lock_message_until,
    register_failed_login,
    register_logout,
    register_successful_login,
    unlock_account,
)
from .login_codes import (
    SMS_CODE_LENGTH,
    SMS_CODE_TTL,
    SMS_DAILY_LIMIT,
    SMS_MAX_ATTEMPTS,
    SMS_RESEND_SECONDS,
    send_login_code,
    verify_login_code,
)
from .profile import change_password, set_elder_mode
from .registration import SELF_REGISTRATION, create_citizen
from .reveal import PERSONAL_FIELDS, reveal_personal_data
from .staff import add_post, clean_posts, create_staff, set_post_active

__all__ = [
    "ANONYMOUS",
    "PERSONAL_FIELDS",
    "SELF_REGISTRATION",
    "SMS_CODE_LENGTH",
    "SMS_CODE_TTL",
    "SMS_DAILY_LIMIT",
    "SMS_MAX_ATTEMPTS",
    "SMS_RESEND_SECONDS",
    "SYSTEM",  # the platform's own actor, handy next to these actions (from ``audit.actors``)
    "add_agent",
    "add_post",
    "change_password",
    "clean_posts",
    "create_citizen",
    "create_enterprise",
    "create_staff",
    "id_number_index",
    "lock_message",
    "lock_message_until",
    "phone_index",
    "register_failed_login",
    "register_logout",
    "register_successful_login",
    "remove_agent",
    "reveal_personal_data",
    "send_login_code",
    "set_elder_mode",
    "set_post_active",
    "start_acting_for",
    "unlock_account",
    "update_agent",
    "verify_login_code",
]
