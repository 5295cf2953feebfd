"""Hub tables: creation from the published items, upsert by key, encryption at rest, reads."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from yiwang.datahub import actions
from yiwang.datahub.hub import read, schema, store
from yiwang.datahub.hub.values import BadValue, column_of, convert
from yiwang.datahub.snapshots import item_snapshot

ID_NUMBER = "44142219900101123X"


def _rows(n: int, start: int = 0) -> list[dict]:
    return [
        {
            "licence_no": f"JY1441422{i:06d}",
            "operator_name": f"大埔县湖寮镇第{i}食杂店",
            "legal_rep_id": ID_NUMBER if i == start else None,
        }
        for i in range(start, start + n)
    ]


def _items(resource) -> list[dict]:
    return [{"id": item.pk, **item_snapshot(item)} for item in resource.items.all()]


def _write(resource, rows):
    table = schema.ensure_table(resource)
    return store.write_rows(table, schema.table_columns(table), rows)


def test_a_published_resource_gets_a_table_with_its_columns(published):
    table = schema.ensure_table(published)
    assert table.table_name == f"hub_r{published.code}"
    assert table.key_column == "licence_no"
    assert [c["column"] for c in table.columns] == ["licence_no", "operator_name", "legal_rep_id"]
    assert [c["column"] for c in table.columns if c["encrypted"]] == ["legal_rep_id"]
    assert schema.ensure_table(published).pk == table.pk  # idempotent


def test_a_draft_holds_no_data(draft):
    with translation.override("en"), pytest.raises(schema.SchemaConflict, match="published"):
        schema.ensure_table(draft)


def test_upsert_tells_created_updated_and_unchanged(published):
    result = _write(published, _rows(3))
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    changed = _rows(4)
    changed[1]["operator_name"] = "大埔县湖寮镇新名字食杂店"
    result = _write(published, changed)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 2)
    assert result.updated_keys == ["JY1441422000001"]
    assert read.count(published) == 4
    row = read.lookup(published, "JY1441422000001")
    assert row["operator_name"] == "大埔县湖寮镇新名字食杂店"


def test_a_load_reads_a_small_table_once_and_never_its_own_rows(published):
    from django.test.utils import CaptureQueriesContext

    _write(published, _rows(2))  # the table holds two rows when the load begins
    table = schema.ensure_table(published)
    columns = schema.table_columns(table)
    load = store.Load()

    def batch(rows):
        with CaptureQueriesContext(connection) as statements:
            result = store.write_rows(table, columns, rows, load=load)
        reads = [q["sql"] for q in statements.captured_queries if "_digest FROM" in q["sql"]]
        return result, reads

    # The first batch reads the two keys once (no key lookup); it updates the one it
    # changes and creates the rest.
    rows = _rows(4)
    rows[1]["operator_name"] = "大埔县湖寮镇新名字食杂店"
    first, reads = batch(rows)
    assert len(reads) == 1 and "WHERE" not in reads[0]
    assert (first.created, first.updated, first.unchanged) == (2, 1, 1)
    second, reads = batch(_rows(3, start=4))  # the table holds its rows and the load's
    assert second.created == 3 and reads == []
    # Another writer added a row meanwhile: the batch looks its keys up and updates the one
    # that is there (it differs) instead of inserting it again.
    _write(published, _rows(1, start=9))
    third, reads = batch(_rows(4, start=7))
    assert reads and "WHERE" in reads[0]
    assert (third.created, third.updated, third.unchanged) == (3, 1, 0)
    assert read.count(published) == 11
    row = read.lookup(published, "JY1441422000001")
    assert row["operator_name"] == "大埔县湖寮镇新名字食杂店"


def test_a_load_into_a_large_table_looks_its_keys_up(published, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(store, "HELD_KEYS_MAX", 1)
    _write(published, _rows(2))
    table = schema.ensure_table(published)
    with CaptureQueriesContext(connection) as statements:
        result = store.write_rows(table, schema.table_columns(table), _rows(3), load=store.Load())
    reads = [q["sql"] for q in statements.captured_queries if "_digest FROM" in q["sql"]]
    assert len(reads) == 1 and "WHERE" in reads[0]
    assert (result.created, result.updated, result.unchanged) == (1, 0, 2)


def test_personal_values_are_encrypted_at_rest_and_found_by_exact_value(published):
    _write(published, _rows(2))
    with connection.cursor() as cursor:
        table = f"hub_r{published.code}"
        cursor.execute(f"SELECT legal_rep_id FROM {table} WHERE legal_rep_id IS NOT NULL")  # noqa: S608
        stored = cursor.fetchone()[0]
    assert ID_NUMBER not in stored
    assert read.lookup(published, "JY1441422000000")["legal_rep_id"] == ID_NUMBER
    rows, _next = read.page(published, filters={"legal_rep_id": ID_NUMBER.lower()})
    assert [r["licence_no"] for r in rows] == ["JY1441422000000"]


def test_keyset_pages_cover_every_row_once(published):
    _write(published, _rows(25))
    seen, after = [], None
    while True:
        rows, after = read.page(published, columns=["licence_no"], after=after, limit=10)
        seen.extend(r["licence_no"] for r in rows)
        if after is None:
            break
    assert seen == [r["licence_no"] for r in _rows(25)]
    assert [r["licence_no"] for r in read.iterate(published, ["licence_no"], batch=7)] == seen


def test_unknown_columns_and_bad_keys_are_refused(published):
    _write(published, _rows(1))
    with translation.override("en"):
        with pytest.raises(read.UnknownColumn, match="salary"):
            read.page(published, columns=["salary"])
        with pytest.raises(read.UnknownColumn):
            read.page(published, filters={"salary": "1"})
        with pytest.raises(BadValue):
            read.lookup(published, "  ")


def test_a_resource_without_a_table_has_no_rows(published):
    assert read.lookup(published, "JY1") is None
    assert read.page(published) == ([], None)
    assert read.count(published) == 0


def test_values_convert_by_type():
    number = column_of({"column": "n", "name": "n", "data_type": "integer", "grade": "g1"})
    amount = column_of({"column": "a", "name": "a", "data_type": "decimal", "grade": "g1"})
    day = column_of({"column": "d", "name": "d", "data_type": "date", "grade": "g1"})
    flag = column_of({"column": "f", "name": "f", "data_type": "boolean", "grade": "g1"})
    text = column_of(
        {"column": "t", "name": "t", "data_type": "string", "grade": "g1", "max_length": 3}
    )
    assert convert("1,200", number) == 1200
    assert convert(12.0, number) == 12
    assert convert("3.50", amount) == Decimal("3.50")
    assert convert("2024年1月5日", day) == dt.date(2024, 1, 5)
    assert convert("2024/1/5", day) == dt.date(2024, 1, 5)
    assert convert("20240105", day) == dt.date(2024, 1, 5)
    assert convert("是", flag) is True
    assert convert("", number) is None
    with translation.override("en"):
        with pytest.raises(BadValue, match="whole number"):
            convert("12a", number)
        with pytest.raises(BadValue, match="real date"):
            convert("2024-02-30", day)
        with pytest.raises(BadValue, match="more than the 3"):
            convert("abcd", text)
        with pytest.raises(BadValue, match="yes or no"):
            convert("maybe", flag)


def test_a_revision_adding_an_item_adds_its_column(published, admin_scj, authority):
    _write(published, _rows(2))
    actions.revise(actor=admin_scj, resource=published)
    items = [
        *_items(published),
        {"name": "有效期至", "column": "valid_until", "data_type": "date", "grade": "g1"},
    ]
    actions.update_resource(actor=admin_scj, resource=published, items=items)
    actions.submit(actor=admin_scj, resource=published)
    actions.publish(actor=authority, resource=published)
    published.refresh_from_db()
    _write(published, [{**_rows(1)[0], "valid_until": dt.date(2027, 1, 1)}])
    row = read.lookup(published, "JY1441422000000")
    assert row["valid_until"] == dt.date(2027, 1, 1)
    assert read.lookup(published, "JY1441422000001")["valid_until"] is None


def test_a_changed_type_is_refused_while_rows_are_held(published, admin_scj, authority):
    _write(published, _rows(1))
    actions.revise(actor=admin_scj, resource=published)
    items = _items(published)
    items[1] = {**items[1], "data_type": "integer"}
    actions.update_resource(actor=admin_scj, resource=published, items=items)
    actions.submit(actor=admin_scj, resource=published)
    actions.publish(actor=authority, resource=published)
    published.refresh_from_db()
    with translation.override("en"), pytest.raises(schema.SchemaConflict, match="operator_name"):
        schema.ensure_table(published)
    schema.drop_table(published)
    assert schema.ensure_table(published).row_count == 0


def test_a_lookup_is_two_statements(published, django_assert_num_queries):
    _write(published, _rows(3))
    fresh = type(published).objects.get(pk=published.pk)
    with django_assert_num_queries(2):  # the table with its resource's definition, the row
        assert read.lookup(fresh, "JY1441422000002", ["operator_name"]) is not None


def _every_type_items() -> list[dict]:
    def item(name, column, data_type, **more):
        return {"name": name, "column": column, "data_type": data_type, "grade": "g1", **more}

    return [
        item("编号", "code", "string"),
        item("数量", "amount", "integer"),
        item("金额", "price", "decimal"),
        item("日期", "day", "date"),
        item("时间", "at", "datetime"),
        item("有效", "valid", "boolean"),
        item("备注", "note", "string"),
        item("身份证号码", "id_no", "string", grade="g4", personal=True, mask="id_number"),
    ]


@pytest.fixture
def every_type(make_resource, admin_scj, authority, django_capture_on_commit_callbacks):
    resource = make_resource(name="全类型测试资源", items=_every_type_items(), key_item="code")
    actions.submit(actor=admin_scj, resource=resource)
    with django_capture_on_commit_callbacks(execute=True):
        actions.publish(actor=authority, resource=resource)
    resource.refresh_from_db()
    return resource


def test_every_type_and_any_text_come_back_as_written(every_type):
    """On PostgreSQL the rows go through COPY as text: tabs, line breaks, backslashes and
    a literal \\N in a value, and values of every type, must come back unchanged."""
    at = dt.datetime(2026, 12, 4, 9, 30, 15, tzinfo=dt.UTC)
    rows = [
        {
            "code": "A\\1\t甲",
            "amount": 1200,
            "price": Decimal("1234.50"),
            "day": dt.date(2026, 2, 28),
            "at": at,
            "valid": True,
            "note": "第一行\n第二行\r\n制表\t符 反斜杠\\ 和 \\N",
            "id_no": ID_NUMBER,
        },
        {"code": "\\N", "amount": 0, "price": Decimal("-0.5"), "valid": False, "note": "\\"},
        {"code": "C3"},
    ]
    result = _write(every_type, rows)
    assert result.created == 3

    def stored(key):
        row = read.lookup(every_type, key)
        row.pop("_id")
        return row

    assert stored("A\\1\t甲") == rows[0]
    assert stored("\\N") == {**rows[1], "day": None, "at": None, "id_no": None}
    assert set(stored("C3").values()) == {"C3", None}
    assert _write(every_type, rows).unchanged == 3  # the same values, the same digests


def test_a_batch_in_chunks_is_written_whole_or_not_at_all(published):
    table = schema.ensure_table(published)
    columns = schema.table_columns(table)

    def chunk(rows):
        return [[row.get(c.column) for row in rows] for c in columns]

    load = store.Load()
    result = store.write_chunks(
        table, columns, iter([chunk(_rows(3)), chunk(_rows(2, 3))]), load=load
    )
    assert (result.created, read.count(published)) == (5, 5)
    # A later chunk repeating a key of an earlier one: nothing of the batch is written.
    again = iter([chunk(_rows(2, 5)), chunk(_rows(1, 6))])
    with pytest.raises(ValueError, match="same key"):
        store.write_chunks(table, columns, again, load=load)
    assert read.count(published) == 5 and read.lookup(published, "JY1441422000005") is None
    # A chunk whose columns do not line up is refused too.
    with pytest.raises(ValueError, match="unequal rows"):
        store.write_chunks(table, columns, [[["JY1"], [], []]])
