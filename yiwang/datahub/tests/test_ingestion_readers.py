"""Readers and header mapping, without the database."""

from __future__ import annotations

import codecs
import datetime as dt
import io

import pytest
from django.utils import translation
from stdnum.cn import ric

from yiwang.datahub.hub.values import BadValue, column_of, convert
from yiwang.datahub.ingestion import mapping, readers
from yiwang.datahub.ingestion.samples import HEADER, people, write_people_csv


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        ("姓名,性别\n张三,男\n".encode(), "utf-8"),
        (codecs.BOM_UTF8 + "姓名\n".encode(), "utf-8-sig"),
        ("姓名,性别\n张三,男\n".encode("gbk"), "gb18030"),
        ("姓名\t性别\n".encode("utf-16"), "utf-16"),
    ],
)
def test_the_encoding_is_detected(content, encoding):
    assert readers.detect_encoding(content) == encoding


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [("a,b,c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"), ("a", ","), ("a;b,c;d", ";")],
)
def test_the_delimiter_is_sniffed(line, delimiter):
    assert readers.sniff_delimiter(line) == delimiter


@pytest.mark.parametrize(
    ("name", "head", "fmt"),
    [
        ("a.csv", b"a,b", "csv"),
        ("a.xlsx", b"PK\x03\x04rest", "xlsx"),
        ("a.xls", b"PK\x03\x04rest", "xlsx"),  # a workbook saved with the old extension
        ("a.xls", readers.XLS_MAGIC + b"rest", "xls"),
        ("a.xls", "a\tb\n1\t2".encode("gbk"), "csv"),  # tab-separated text named .xls
        ("a.json", b'[{"a": 1}]', "json"),
        ("a.xls", b"<html><table>", None),
        ("a.pdf", b"%PDF-1.7", None),
        ("a.zip", b"PK\x03\x04", None),
        ("a.csv", b"\x00\x01\x02", None),
    ],
)
def test_the_format_is_told_by_bytes_and_name(name, head, fmt):
    assert readers.sniff_format(name, head) == fmt


def test_a_csv_is_streamed_with_spreadsheet_row_numbers():
    content = b"id,name\n1,a\n\n2,b\n"
    table = readers.read_csv(io.BytesIO(content))
    assert table.header == ["id", "name"]
    assert list(table.rows) == [(2, ["1", "a"]), (3, []), (4, ["2", "b"])]


@pytest.mark.parametrize(
    ("data", "path", "count"),
    [
        ([{"a": 1}, {"a": 2}], "", 2),
        ({"rows": [{"a": 1}]}, "", 1),
        ({"records": [{"a": 1}], "total": 1}, "", 1),
        ({"data": {"items": [{"a": 1}, {"a": 2}]}}, "data.items", 2),
        ({"result": [[{"a": 1}]]}, "result.0", 1),
    ],
)
def test_json_rows_are_found(data, path, count):
    assert len(readers.rows_of(data, path)) == count


@pytest.mark.parametrize(
    ("data", "path", "reason"),
    [
        ({"total": 1}, "", "no list of rows"),
        ([1, 2], "", "must be an object"),
        ({"data": {}}, "data.items", "nothing at"),
        ("text", "", "no list of rows"),
    ],
)
def test_json_without_rows_is_refused(data, path, reason):
    with pytest.raises(readers.Unreadable, match=reason):
        readers.rows_of(data, path)


def test_json_records_give_the_header_in_order_and_nested_values_as_text():
    table = readers.table_of_records([{"a": 1, "b": {"x": "是"}}, {"c": [1], "a": 2}])
    assert table.header == ["a", "b", "c"]
    assert list(table.rows) == [(1, [1, '{"x": "是"}', None]), (2, [2, None, "[1]"])]


def _column(**fields):
    return column_of({"column": "c", "name": "c", "grade": "g1", **fields})


@pytest.mark.parametrize(
    ("fields", "values"),
    [
        ({"data_type": "string", "max_length": 3}, [" ab ", "", None, 12.0, "abcd", "  "]),
        ({"data_type": "integer"}, ["12", " 7 ", "1,200", "x", "٣", 5, 5.0, True, ""]),
        ({"data_type": "date"}, ["2024-01-05", "2024-1-5", "2024-W01-1", "2024-02-30", 3]),
        ({"data_type": "decimal"}, ["1.50", "x"]),
        ({"data_type": "boolean"}, ["是", "maybe"]),
    ],
)
def test_converters_agree_with_convert(fields, values):
    column = _column(**fields)
    fast = mapping.converter(column)
    for value in values:
        try:
            expected = convert(value, column)
        except BadValue as exc:
            with pytest.raises(BadValue, match=str(exc)[:10]):
                fast(value)
        else:
            assert fast(value) == expected, value


@pytest.mark.parametrize(
    ("fields", "values"),
    [
        ({"data_type": "string", "max_length": 3}, [" ab ", "", None, 12.0, "abcd", "  "]),
        ({"data_type": "integer"}, ["12", " 7 ", "1,200", "x", "٣", 5, 5.0, True, ""]),
        ({"data_type": "date"}, ["2024-01-05", "2024-1-5", "2024-W01-1", "2024-02-30", 3, ""]),
        ({"data_type": "decimal"}, ["1.50", "x"]),
    ],
)
def test_column_converters_agree_with_the_cell_converters(fields, values):
    """A whole column converts as its cells one by one would, or is declined (None) and
    then goes cell by cell, which says what is wrong with a bad value."""
    column = _column(**fields)
    whole, cell = mapping.column_converter(column), mapping.converter(column)
    good = []
    for value in values:
        try:
            good.append((value, cell(value)))
        except BadValue:
            continue
    converted = whole([value for value, _ in good])
    assert converted is None or converted == [result for _, result in good]
    if len(good) < len(values):
        assert whole(values) is None


def test_column_converters_take_the_usual_columns_whole():
    text = mapping.column_converter(_column(data_type="string", max_length=5))
    assert text([" 甲 ", "", None, "abcde"]) == ["甲", None, None, "abcde"]
    assert text(["abcdef"]) is None  # too long: the cell converter says so
    whole = mapping.column_converter(_column(data_type="integer"))
    assert whole(["12", " 7 ", "", None]) == [12, 7, None, None]
    assert whole(["12", "-3"]) is None
    day = mapping.column_converter(_column(data_type="date"))
    assert day(["2024-01-05", " 2024-12-31 ", ""]) == [
        dt.date(2024, 1, 5),
        dt.date(2024, 12, 31),
        None,
    ]
    assert day(["20240105"]) is None and day(["2024-W01-1"]) is None
    assert mapping.column_converter(_column(data_type="boolean"))(["是"]) is None


def test_headers_match_by_column_or_name_and_the_key_is_required():
    columns = [
        _column(column="id_number", name="公民身份号码", data_type="string"),
        _column(column="real_name", name="姓名（中文）", data_type="string"),
    ]
    found = mapping.map_header(["备注", "姓名(中文)", " ID_Number"], columns, "id_number")
    assert [c.column for c in found.columns] == ["id_number", "real_name"]
    assert found.positions == [2, 1] and found.unknown == ["备注"] and found.key_index == 0
    with pytest.raises(readers.Unreadable, match="key item “公民身份号码”"):
        mapping.map_header(["姓名"], columns, "id_number")


def test_sample_people_have_valid_distinct_id_numbers(tmp_path):
    rows = list(people(2000, seed=3))
    assert len({r[0] for r in rows}) == 2000
    assert all(ric.is_valid(r[0]) for r in rows)
    assert rows == list(people(2000, seed=3))
    path = write_people_csv(tmp_path / "p.csv", 3, seed=3)
    assert path.read_text(encoding="utf-8").splitlines()[0] == ",".join(HEADER)
