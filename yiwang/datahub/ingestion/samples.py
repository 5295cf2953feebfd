"""人口-like sample files for tests and the ingestion benchmark (no database, no Django).

``write_people_csv(path, n, seed)`` writes ``n`` rows shaped like the demo's 人口基础信息
(101): 公民身份号码 (valid GB 11643 check digits, all distinct), 姓名, 性别, 民族, 出生日期,
户籍地址, 户籍状态 — headed with the items' Chinese names, as a data admin's export would be.
The same ``seed`` gives the same file.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

from stdnum.cn import ric

HEADER = ["公民身份号码", "姓名", "性别", "民族", "出生日期", "户籍地址", "户籍状态"]
COLUMNS = [
    "id_number",
    "real_name",
    "sex",
    "ethnicity",
    "birth_date",
    "domicile",
    "household_status",
]
REGION = "441422"  # 广东省梅州市大埔县
# The county code 441422 exists since 1988: numbers with earlier birth dates do not validate.
FIRST_DAY = dt.date(1988, 1, 1)
DAYS = 13_500  # birth dates up to the end of 2024
SURNAMES = "张李王陈刘杨黄赵吴周徐孙马朱胡郭何罗高林邱曾廖赖温钟蓝饶杨萧"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志文海红玉兰春梅东新亮"
TOWNS = [
    "湖寮镇",
    "百侯镇",
    "茶阳镇",
    "高陂镇",
    "大麻镇",
    "三河镇",
    "西河镇",
    "青溪镇",
    "枫朗镇",
    "光德镇",
    "桃源镇",
    "银江镇",
    "洲瑞镇",
    "大东镇",
]
STATUSES = ["正常"] * 96 + ["迁出"] * 3 + ["死亡注销"]


def id_number(index: int, male: bool) -> str:
    """A valid, distinct ID number for ``index`` (0 ≤ index < 6,750,000)."""
    born = FIRST_DAY + dt.timedelta(days=index % DAYS)
    sequence = (index // DAYS) * 2 + (1 if male else 0)  # the 17th digit is odd for men
    body = f"{REGION}{born:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "?")  # it ignores the last character


def people(n: int, seed: int = 1) -> Iterator[list[str]]:
    """``n`` rows of 人口 values as text, in ``HEADER`` order."""
    rng = random.Random(seed)
    for index in range(n):
        male = rng.random() < 0.5
        number = id_number(index, male)
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        town = rng.choice(TOWNS)
        address = f"广东省梅州市大埔县{town}{rng.randint(1, 30)}村{rng.randint(1, 300)}号"
        born = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
        yield [
            number,
            name,
            "男" if male else "女",
            "畲族" if rng.random() < 0.01 else "汉族",
            born,
            address,
            rng.choice(STATUSES),
        ]


def write_people_csv(path: str | Path, n: int, seed: int = 1, *, encoding: str = "utf-8") -> Path:
    """Write ``n`` 人口 rows (and the header) to ``path`` as CSV; returns the path."""
    path = Path(path)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(people(n, seed))
    return path
