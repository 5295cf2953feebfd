"""Cost of one audit-chain link: HMAC-SM3 under the audit key against the plain SM3 hash it
replaced, both over the same canonical entry in the same run.

    .venv/bin/python bench/audit_link.py

The link is computed while the chain head is locked, so its cost bounds how short that lock
can be; the ratio says what keying the chain added.
"""

import os
import timeit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.test_settings")

import django

django.setup()

from django.utils import timezone  # noqa: E402

from yiwang.audit.chain import link_hash, unkeyed_hash  # noqa: E402
from yiwang.audit.models import AuditEntry  # noqa: E402
from yiwang.gmcrypto.core import audit_key  # noqa: E402

ENTRY = AuditEntry(
    seq=12345,
    created_at=timezone.now(),
    actor_id=7,
    actor_label="reviewer_scj",
    action="cases.accepted",
    object_type="cases.case",
    object_id="991",
    summary={"after": {"status": "accepted", "note": "材料齐全"}},
    ip="10.0.0.1",
    prev_hash="a" * 64,
)
ROUNDS, NUMBER = 5, 20000


def best_microseconds(func) -> float:
    return min(timeit.repeat(func, number=NUMBER, repeat=ROUNDS)) / NUMBER * 1e6


def main() -> None:
    key = audit_key()
    plain = best_microseconds(lambda: unkeyed_hash(ENTRY))
    keyed = best_microseconds(lambda: link_hash(ENTRY, key))
    print(f"plain SM3 link (baseline): {plain:.1f} µs")
    print(f"keyed HMAC-SM3 link:       {keyed:.1f} µs")
    print(f"ratio keyed / plain:       {keyed / plain:.2f}")


if __name__ == "__main__":
    main()
