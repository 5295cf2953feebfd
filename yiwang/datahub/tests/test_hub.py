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
