"""E-licence metadata (GB/T 36903) and its canonical bytes, the text the issuer's seal signs.

The metadata are what a licence *says* when it is issued: who issued what to whom, valid
from when to when. The status (有效, 暂扣, 撤销 …) is not part of them: it changes after
issuance and is signed with each change on its own.

Canonical form: JSON with the fields below under their English names, keys sorted, no
whitespace, UTF-8 (Chinese as itself, not ``\\u`` escapes), dates as ``YYYY-MM-DD``, no
validity end as ``null`` (长期有效), related items as a list in the order given, the
extension object with its keys sorted as well. One licence has one canonical text, whatever
produced it: the server, an import, or a verifier re-reading a licence file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from stdnum.cn import ric, uscc

from .identifiers import parse

#: 持证主体代码类型: what kind of number ``holder_code`` is.
HOLDER_RESIDENT_ID = "111"  # 公民身份号码 (GA/T 517 证件类型代码)
HOLDER_USCC = "001"  # 统一社会信用代码
HOLDER_CODE_TYPES = {HOLDER_RESIDENT_ID: "公民身份号码", HOLDER_USCC: "统一社会信用代码"}

# Check digits and all (python-stdnum): a licence names its holder exactly.
_HOLDER_CHECKS = {HOLDER_RESIDENT_ID: ric.is_valid, HOLDER_USCC: uscc.is_valid}

FORMAT = "yiwang-licence/1"  # names the canonical form in licence files


def holder_code_valid(code_type: str, code: str) -> bool:
    """Whether ``code`` is a valid holder code of ``code_type``: the check the metadata make,
    for the pages and imports that must refuse a code before they try to issue."""
    check = _HOLDER_CHECKS.get(code_type)
    return bool(check and check(code))


class MetadataError(ValueError):
    """The metadata cannot describe a licence (the message names the field)."""


@dataclass(frozen=True)
class LicenceMetadata:
    identifier: str  # 电子证照标识 (GB/T 36904)
    type_code: str  # 证照类型代码
    type_name: str  # 证照类型名称
    number: str  # 证照编号: the number printed on the licence
    name: str  # 证照名称
    version: str  # 版本号, three digits
    issued_on: dt.date  # 颁发日期
    issuer_name: str  # 颁发机构名称
    issuer_code: str  # 颁发机构代码 (its unified social credit code)
    definer: str  # 证照定义机构
    valid_from: dt.date  # 有效期起始
    valid_until: dt.date | None  # 有效期截止; None: 长期有效
    division_code: str  # 所属管辖属地 (行政区划代码)
    holder_name: str  # 持证主体
    holder_code: str  # 持证主体代码
    holder_code_type: str  # 持证主体代码类型
    related_items: tuple[str, ...] = ()  # 关联事项 (service item codes)
    extension: Mapping[str, Any] = field(default_factory=dict)  # 扩展业务信息

    def __post_init__(self) -> None:
        try:
            licence = parse(self.identifier)
        except ValueError as error:
            raise MetadataError(f"identifier: {error}") from error
        if licence.type_code != self.type_code:
            raise MetadataError("type_code: differs from the identifier's licence type code")
        if licence.issuer_code != self.issuer_code:
            raise MetadataError("issuer_code: differs from the identifier's issuer code")
        if licence.version != self.version:
            raise MetadataError("version: differs from the identifier's version")
        for name in ("type_name", "number", "name", "issuer_name", "definer", "holder_name"):
            if not str(getattr(self, name)).strip():
                raise MetadataError(f"{name}: must not be empty")
        if self.holder_code_type not in HOLDER_CODE_TYPES:
            raise MetadataError(f"holder_code_type: one of {', '.join(sorted(HOLDER_CODE_TYPES))}")
        if not holder_code_valid(self.holder_code_type, self.holder_code):
            raise MetadataError(
                f"holder_code: not a valid {HOLDER_CODE_TYPES[self.holder_code_type]}"
            )
        if not (self.division_code.isascii() and self.division_code.isdigit()):
            raise MetadataError("division_code: the administrative division code, digits")
        if len(self.division_code) not in (6, 9, 12):
            raise MetadataError("division_code: 6, 9 or 12 digits")
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise MetadataError("valid_until: before valid_from")
        try:
            json.dumps(dict(self.extension), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise MetadataError(f"extension: not plain JSON ({error})") from error

    def as_dict(self) -> dict[str, Any]:
        """The metadata as JSON values, under their canonical names."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            out[f.name] = value
        return out

    def canonical(self) -> bytes:
        """The bytes the issuer signs."""
        return canonical_json(self.as_dict())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LicenceMetadata:
        """Metadata read back from a licence file; MetadataError names a missing, unknown
        or malformed field."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise MetadataError(f"{unknown[0]}: not a licence metadata field")
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                if f.name in ("related_items", "extension"):
                    continue
                raise MetadataError(f"{f.name}: missing")
            value = data[f.name]
            if f.name in ("issued_on", "valid_from", "valid_until"):
                value = _date(f.name, value)
            elif f.name == "related_items":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise MetadataError("related_items: a list of item codes")
                value = tuple(value)
            elif f.name == "extension":
                if not isinstance(value, dict):
                    raise MetadataError("extension: a JSON object")
            elif not isinstance(value, str):
                raise MetadataError(f"{f.name}: text expected")
            values[f.name] = value
        return cls(**values)


def _date(name: str, value: Any) -> dt.date | None:
    if value is None and name == "valid_until":
        return None
    if not isinstance(value, str):
        raise MetadataError(f"{name}: a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else _bad_date(name)
    except ValueError as error:
        raise MetadataError(f"{name}: a date written YYYY-MM-DD") from error


def _bad_date(name: str) -> dt.date:
    raise MetadataError(f"{name}: a date written YYYY-MM-DD")


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8, no NaN: the one serialisation that is signed."""
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")
