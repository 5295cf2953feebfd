"""SMS gateways (短信网关) behind one small protocol.

Everything in 一网 that sends a text message calls :func:`get_gateway` and then
``gateway.send(phone, text)``; nothing else knows which provider is used.

The default, :class:`ConsoleFileGateway`, needs no network: it logs the message
and appends it to the file named by ``settings.YIWANG_SMS_LOG`` (demo logins and
tests read one-time codes from there). It writes the real phone number, so the
log file is personal data: keep it out of backups and rotate it.

Plugging in a real gateway
--------------------------
1. Write a class with a no-argument constructor and a ``send(phone, text)``
   method, e.g. in ``yiwang_local/sms.py``::

       class ProvinceSmsGateway:
           '''The province's unified SMS platform (统一短信平台).'''

           def __init__(self):
               self.url = os.environ["YIWANG_SMS_URL"]
               self.account = os.environ["YIWANG_SMS_ACCOUNT"]
               self.secret = os.environ["YIWANG_SMS_SECRET"]

           def send(self, phone: str, text: str) -> None:
               response = requests.post(self.url, json={...}, timeout=5)
               if response.status_code != 200 or response.json().get("code") != "0":
                   raise SmsError(f"gateway refused the message: {response.text[:200]}")

   Read credentials from the environment, never from code. Add the signature
   (签名, e.g. 【大埔县政务服务】) here if the provider does not add it itself.
2. Raise an exception (ideally :class:`SmsError`) when the provider refuses
   the message; callers decide whether that is fatal (a login code) or only
   logged (a notification copy, see ``yiwang.notify.actions.notify``).
3. Point the setting at it: ``YIWANG_SMS_GATEWAY=yiwang_local.sms.ProvinceSmsGateway``.
   One instance is created per call of :func:`get_gateway`, so the class may
   keep a connection pool in class attributes if it wants to.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from yiwang.gmcrypto.masking import mask_phone

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway could not deliver a message."""


@runtime_checkable
class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Deliver ``text`` to the mobile number ``phone``; raise on failure."""


class ConsoleFileGateway:
    """Local default: log the message and append it to ``settings.YIWANG_SMS_LOG``.

    The log line (console) masks the phone number; the file keeps it whole so a
    developer or tester can find the message for a given number.

    Each line is ``<ISO timestamp>\\t<phone>\\t<text>`` (newlines in the text
    are replaced by spaces so that one message is one line).
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path or settings.YIWANG_SMS_LOG)

    def send(self, phone: str, text: str) -> None:
        one_line = " ".join(text.splitlines())
        logger.info("SMS to %s: %s", mask_phone(phone), one_line)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        stamp = timezone.localtime().isoformat(timespec="seconds")
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(f"{stamp}\t{phone}\t{one_line}\n")


def get_gateway() -> SmsGateway:
    """An instance of the class named by ``settings.YIWANG_SMS_GATEWAY``."""
    cls = import_string(settings.YIWANG_SMS_GATEWAY)
    gateway = cls()
    if not isinstance(gateway, SmsGateway):
        raise TypeError(f"{settings.YIWANG_SMS_GATEWAY} has no send(phone, text) method")
    return gateway
