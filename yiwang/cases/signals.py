"""What cases tell other apps. Receivers run inside the deciding transaction: one that raises
undoes the decision too, so an approval never stands without what must follow it (the
licences app issues the item's e-licences on ``case_approved``)."""

from django.dispatch import Signal

#: Sent with ``case`` and ``actor`` when a case is approved (准予), before it closes.
case_approved = Signal()
