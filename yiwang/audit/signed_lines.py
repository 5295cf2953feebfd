"""Append-only files of signed JSON lines, kept outside the database.

The audit chain's checkpoints and the exchange evidence log's are such files: each line is a
JSON object whose named fields are signed with HMAC-SM3 under a key the database does not
hold, in a domain of its own (so a line of one file is never valid in the other). Written
with ``O_APPEND`` and fsync, created private (0600); read back line by line, every refused
line named with its number and reason.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from yiwang.gmcrypto.core import hmac_sm3_hex

T = TypeVar("T")

#: Why a line is refused.
BAD_FORMAT = "checkpoint_format"
BAD_SIGNATURE = "checkpoint_signature"


@dataclass(frozen=True)
class LineFormat(Generic[T]):
    """One kind of file: its version, signing domain, the signed fields, and how a line's
    fields become a value (``parse(fields, line_number)``; it raises ``ValueError``,
    ``TypeError`` or ``KeyError`` for a malformed line)."""

    version: int
    domain: str
    signed_fields: tuple[str, ...]
    parse: Callable[[dict, int], T]

    def signature(self, fields: dict, key: bytes) -> str:
        payload = json.dumps(
            {name: fields[name] for name in self.signed_fields},
            sort_keys=True,
            separators=(",", ":"),
        )
        return hmac_sm3_hex(key, self.domain + payload)

    def line(self, fields: dict, key: bytes) -> str:
        """``fields`` (without ``v``) as a signed line."""
        signed = {"v": self.version, **fields}
        signed["sig"] = self.signature(signed, key)
        return json.dumps(signed, sort_keys=True, separators=(",", ":"))

    def _parse(self, text: str, number: int, key: bytes) -> T | str:
        try:
            fields = json.loads(text)
            if fields.get("v") != self.version:
                return BAD_FORMAT
            value = self.parse(fields, number)
            signature = str(fields["sig"])
        except (ValueError, TypeError, KeyError, AttributeError):
            return BAD_FORMAT
        if self.signature(fields, key) != signature:
            return BAD_SIGNATURE
        return value

    def read(self, path: Path, key: bytes) -> tuple[list[T], list[tuple[int, str]]]:
        """The file's valid lines as values, and (line number, reason) for every refused one."""
        values: list[T] = []
        refused: list[tuple[int, str]] = []
        if not path.exists():
            return values, refused
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, text in enumerate(lines, start=1):
                if not text.strip():
                    continue
                parsed = self._parse(text, number, key)
                if isinstance(parsed, str):
                    refused.append((number, parsed))
                else:
                    values.append(parsed)
        return values, refused


def append(path: Path, lines: Iterable[str]) -> None:
    """Append ``lines`` at once; the file is created private (0600) and only appended to."""
    text = "".join(line + "\n" for line in lines)
    if not text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
