"""Background delivery of SMS copies of notifications."""

import logging

from django.contrib.auth import get_user_model
from django_tasks import task

from yiwang.gmcrypto.masking import mask_phone

from .sms import get_gateway

logger = logging.getLogger(__name__)


@task()
def send_sms_copy(user_id: int, text: str) -> bool:
    """Send ``text`` to the user's current phone. Returns whether it was handed to the gateway.

    The phone number is read here, not passed in, so that it never sits in
    plain text in the task queue. Gateway errors are logged, not raised: a
    notification's SMS copy is best-effort and is never retried blindly.
    """
    user = get_user_model().objects.filter(pk=user_id).only("id", "phone").first()
    phone = user.phone if user is not None else ""
    if not phone:
        return False
    try:
        get_gateway().send(phone, text)
    except Exception:
        logger.exception("SMS copy to user %s (%s) failed", user_id, mask_phone(phone))
        return False
    return True
