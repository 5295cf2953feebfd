"""Suggesting a data item's grade and mask from its column name, label and sample values.

Pure functions, no database. Each detector looks for one kind of value, in the samples (a
share of them must match: one odd value does not decide a column) or in the label:

| kind | samples | label hints | grade, mask |
|---|---|---|---|
| resident ID number | ``stdnum.cn.ric`` valid | 身份证, 公民身份号码 | 四级, id_number, personal |
| bank card | 16–19 digits, Luhn valid | 银行卡, 银行账号, 账号 | 四级, bank_account |
| mobile phone | ``1[3-9]`` + 9 digits | 手机, 电话, 联系方式 | 三级, phone |
| person's name | 2–4 CJK, common surname | 姓名, 名字, 联系人, 法定代表人 … | 三级, name |
| address | ≥ 2 of 省市县区镇乡村路街号 | 地址, 住址, 住所, 户籍地 | 三级, address |
| USCC | ``stdnum.cn.uscc`` valid | 统一社会信用代码 | 二级, uscc |
| sensitive personal | — | 疾病, 诊断, 宗教, 指纹, 人脸 … | 四级, hidden |

就高从严 (GB/T 43697): with several signals the strictest grade and mask win. With none the
suggestion is 二级 (internal): unclassified government data is not public by default.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from stdnum import luhn
from stdnum.cn import ric, uscc

from .choices import Grade, Mask, stricter_grade, stricter_mask

#: At most this many samples are read.
MAX_SAMPLES = 200
#: Share of the non-empty samples that must match for the values to decide.
VALUE_SHARE = 0.6
#: Names are easy to mistake (two CJK characters are many things): a higher share.
NAME_SHARE = 0.8

#: The most common surnames (about 85% of the population), and a few compound ones.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤温饶蓝丘詹涂赖巫池廖骆欧阳"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "司徒", "慕容")

_CJK_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
_MOBILE = re.compile(r"^(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}$")
_CARD = re.compile(r"^\d{16,19}$")
_ADDRESS_MARKS = "省市县区镇乡村路街号巷组"


@dataclass(frozen=True)
class Suggestion:
    grade: str
    mask: str
    personal: bool
    reason: str


@dataclass(frozen=True)
class _Signal:
    grade: str
    mask: str
    personal: bool
    reason: str


def _share(values: Sequence[str], test: Callable[[str], bool]) -> float:
    if not values:
        return 0.0
    return sum(1 for v in values if test(v)) / len(values)


def _has(label: str, words: Iterable[str]) -> bool:
    return any(w in label for w in words)


def _is_name(value: str) -> bool:
    if not _CJK_NAME.match(value):
        return False
    return value.startswith(COMPOUND_SURNAMES) or value[0] in SURNAMES


def _is_card(value: str) -> bool:
    digits = value.replace(" ", "")
    return bool(_CARD.match(digits)) and luhn.is_valid(digits)


def _is_address(value: str) -> bool:
    return len(value) >= 5 and sum(1 for c in set(value) if c in _ADDRESS_MARKS) >= 2


# (label hints, column hints, sample test, share, grade, mask, personal, what it is)
_DETECTORS: tuple[
    tuple[tuple[str, ...], tuple[str, ...], Callable | None, float, str, str, bool, str], ...
] = (
    (
        ("身份证", "公民身份号码", "证件号码"),
        ("id_number", "id_no", "idcard", "sfzh"),
        ric.is_valid,
        VALUE_SHARE,
        Grade.G4,
        Mask.ID_NUMBER,
        True,
        "resident ID numbers",
    ),
    (
        ("银行卡", "银行账号", "银行账户", "账号"),
        ("bank_account", "card_no", "account_no"),
        _is_card,
        VALUE_SHARE,
        Grade.G4,
        Mask.BANK_ACCOUNT,
        False,
        "bank card numbers",
    ),
    (
        ("手机", "电话", "联系方式"),
        ("phone", "mobile", "tel"),
        lambda v: bool(_MOBILE.match(v)),
        VALUE_SHARE,
        Grade.G3,
        Mask.PHONE,
        False,
        "mobile phone numbers",
    ),
    (
        ("姓名", "名字", "联系人", "法定代表人", "负责人", "户主", "监护人"),
        ("real_name", "person_name", "full_name", "xm"),
        _is_name,
        NAME_SHARE,
        Grade.G3,
        Mask.NAME,
        False,
        "person names",
    ),
    (
        ("地址", "住址", "住所", "户籍地", "居住地"),
        ("address", "addr", "domicile"),
        _is_address,
        VALUE_SHARE,
        Grade.G3,
        Mask.ADDRESS,
        False,
        "addresses",
    ),
    (
        ("统一社会信用代码",),
        ("uscc", "credit_code"),
        uscc.is_valid,
        VALUE_SHARE,
        Grade.G2,
        Mask.USCC,
        False,
        "unified social credit codes",
    ),
    (
        (
            "疾病",
            "诊断",
            "病史",
            "病历",
            "健康状况",
            "宗教",
            "指纹",
            "人脸",
            "基因",
            "犯罪",
            "残疾",
        ),
        (),
        None,
        1.0,
        Grade.G4,
        Mask.HIDDEN,
        False,
        "sensitive personal information",
    ),
)


def _kind_name(kind: str) -> str:
    names = {
        "resident ID numbers": _("resident ID numbers"),
        "bank card numbers": _("bank card numbers"),
        "mobile phone numbers": _("mobile phone numbers"),
        "person names": _("person names"),
        "addresses": _("addresses"),
        "unified social credit codes": _("unified social credit codes"),
        "sensitive personal information": _("sensitive personal information"),
    }
    return str(names[kind])


def _signals(column: str, label: str, values: list[str]) -> list[_Signal]:
    found = []
    for labels, columns, test, share, grade, mask, personal, kind in _DETECTORS:
        reasons = []
        if _has(label, labels) or (columns and column in columns):
            reasons.append(_("the label or column names %(kind)s") % {"kind": _kind_name(kind)})
        if test is not None and values:
            matched = _share(values, test)
            if matched >= share:
                reasons.append(
                    _("%(n)d of %(total)d sample values are %(kind)s")
                    % {
                        "n": round(matched * len(values)),
                        "total": len(values),
                        "kind": _kind_name(kind),
                    }
                )
        if reasons:
            found.append(_Signal(grade, mask, personal, "; ".join(reasons)))
    return found


def suggest(column_name: str, label: str, sample_values: Iterable[object] = ()) -> Suggestion:
    """The grade, mask and personal flag an item with this column, label and values should
    have, and why. The strictest signal wins (就高从严)."""
    column = (column_name or "").strip().lower()
    label = (label or "").strip()
    values: list[str] = []
    for value in sample_values:
        text = "" if value is None else str(value).strip()
        if text:
            values.append(text)
        if len(values) >= MAX_SAMPLES:
            break
    signals = _signals(column, label, values)
    if not signals:
        return Suggestion(
            Grade.G2.value,
            Mask.NONE.value,
            False,
            _("No personal or sensitive value recognised: internal data (level 2) by default."),
        )
    grade, mask = Grade.G1.value, Mask.NONE.value
    for signal in signals:
        grade = stricter_grade(grade, signal.grade)
        mask = stricter_mask(mask, signal.mask)
    return Suggestion(
        grade, mask, any(s.personal for s in signals), "; ".join(s.reason for s in signals)
    )
