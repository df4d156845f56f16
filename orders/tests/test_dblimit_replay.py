"""`make dblimit` replays the SQL of one order placement (scripts/loadtest/order.sql) and one
payment (scripts/loadtest/payment.sql) with pgbench. These tests keep the replays honest: they
capture what `order_place` and `order_set_status(to_status=paid)` really send and fail when a
replay no longer has the same statements in the same order.

Statements are compared by shape, not text: the verb, the tables, the column lists (inserted,
set, selected) and the row lock; literal values, parameters, aliases, quoting, LIMITs, WHERE
clauses and savepoint names are ignored. Both run in the steady state of a sale, as the replay
does: the category tree is cached, the actor's permissions were read (by the API's permission
check), and the rollup rows of the day exist in every shard (earlier orders were placed and paid)."""

import re
from itertools import zip_longest
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import CEOFactory, CustomerFactory
from catalog.selectors import CategoryTree
from catalog.tests.factories import ProductFactory
from orders.ledger.rollups import ROLLUP_SHARDS
from orders.models import OrderStatus
from orders.selectors import manages_orders
from orders.services import order_place, order_set_status
from orders.tests.factories import ADDRESS

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="replays PostgreSQL's SQL"),
    # The services are durable transactions: they need a real commit, not a test's wrapper.
    pytest.mark.django_db(transaction=True),
]

LOADTEST = Path(__file__).resolve().parents[2] / "scripts" / "loadtest"


def _depth0(sql: str) -> str:
    """`sql` with whatever is inside parentheses blanked out: only the top level is left."""
    out, depth = [], 0
    for char in sql:
        depth += char == "("
        out.append(char if depth == 0 else " ")
        depth -= char == ")" and depth > 0
    return "".join(out)


def _split_top(text: str) -> list[str]:
    """Split on the commas that are not inside parentheses."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def _column(expression: str) -> str:
    """`t.col AS alias` -> `col`; `COUNT(*) AS n` -> `count(*)`: the column, not its name here."""
    expression = re.sub(r"\s+AS\s+\w+\s*$", "", expression.strip(), flags=re.I)
    column = re.sub(r"^\w+\.(?=\w+$)", "", expression).lower().replace(" ", "")
    # A value inside a column's subquery (the order's channel) is a value, not shape.
    return re.sub(r"=(?:\d+|:\w+)\b", "=?", column)


def signature(sql: str) -> tuple:
    """The shape of one statement: what `make dblimit` must replay, whatever the values."""
    sql = " ".join(sql.replace('"', "").split()).rstrip(";").strip()
    verb = sql.split(" ", 1)[0].upper()
    if verb in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT"}:
        return (verb,)
    if verb == "RELEASE":
        return ("RELEASE SAVEPOINT",)
    if verb == "INSERT":
        match = re.match(r"INSERT INTO (\w+) \(([^)]*)\)", sql, re.I)
        assert match, sql
        return ("INSERT", match[1].lower(), tuple(_column(c) for c in match[2].split(",")))
    if verb == "UPDATE":
        match = re.match(r"UPDATE (\w+) SET (.*)$", sql, re.I)
        assert match, sql
        assignments = re.split(r"\sWHERE\s", _depth0(match[2]), maxsplit=1, flags=re.I)[0]
        assignments = match[2][: len(assignments)]
        columns = tuple(_column(part.split("=", 1)[0]) for part in _split_top(assignments))
        return ("UPDATE", match[1].lower(), columns)
    if verb == "SELECT":
        top = _depth0(sql)
        from_at = re.search(r"\sFROM\s", top, re.I)
        assert from_at, sql
        columns = tuple(_column(c) for c in _split_top(sql[len("SELECT ") : from_at.start()]))
        tables = tuple(t.lower() for t in re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", top, re.I))
        lock = re.search(
            r"\bFOR\s+(?:NO\s+KEY\s+)?UPDATE(?:\s+OF\s+(\w+))?(\s+SKIP\s+LOCKED|\s+NOWAIT)?", top, re.I
        )
        lock_shape = ""
        if lock is not None:
            of, wait = lock.group(1), lock.group(2)
            lock_shape = (
                "FOR UPDATE"
                + (f" OF {of.lower()}" if of else "")
                + (f" {wait.strip().upper()}" if wait else "")
            )
            lock_shape = " ".join(lock_shape.split())
        return ("SELECT", tables, columns, lock_shape)
    raise AssertionError(f"No signature for: {sql}")


def replay_statements(name: str) -> list[str]:
    """The SQL commands of a pgbench script: comments and meta-commands (\\set) dropped; a
    command ends with `;` or with `\\gset`."""
    lines = []
    for line in (LOADTEST / name).read_text().splitlines():
        line = re.sub(r"--.*$", "", line)  # the scripts keep no "--" inside a literal
        if not line.strip().startswith("\\set"):
            lines.append(line)
    commands = re.split(r";|\\gset|\\aset", "\n".join(lines))
    return [" ".join(c.split()) for c in commands if c.strip()]


def one_transaction(captured: list[dict]) -> list[str]:
    """The statements up to the service's COMMIT: what runs after it (on-commit tasks) is not
    part of the transaction pgbench replays."""
    statements = [query["sql"] for query in captured]
    end = next(i for i, sql in enumerate(statements) if sql.strip().upper() == "COMMIT")
    return statements[: end + 1]


def assert_same_shapes(service: list[str], replay_file: str) -> None:
    expected = [signature(sql) for sql in service]
    replayed = [signature(sql) for sql in replay_statements(replay_file)]
    detail = "\n".join(
        f"{'  ' if a == b else '!='} {i:2} service {a}\n{'':6}replay  {b}"
        for i, (a, b) in enumerate(zip_longest(expected, replayed))
    )
    assert replayed == expected, f"scripts/loadtest/{replay_file} drifted from the service:\n{detail}"


@pytest.fixture
def sale():
    """A CEO, a customer, the hot product; one order placed and paid already (the steady state)."""
    ceo, customer = CEOFactory(), CustomerFactory()
    with transaction.atomic():  # stock_create locks the new stock row
        product = ProductFactory(stock=100)
    lines = [{"product": product.pk, "quantity": 1}]
    for _ in range(ROLLUP_SHARDS):  # consecutive order ids: the day's rows in every rollup shard
        earlier = _place(customer, lines)
        order_set_status(order=earlier, to_status=OrderStatus.PAID, actor=ceo)
    CategoryTree.current()  # what the placement's pricing reads is this process's cached copy
    manages_orders(ceo)  # the API's permission check read the actor's permissions first
    return ceo, customer, lines


def _place(customer, lines):
    return order_place(customer=customer, actor=customer, lines=lines, shipping_address=dict(ADDRESS)).order


def test_order_sql_replays_one_placement_statement_for_statement(sale):
    _, customer, lines = sale
    with CaptureQueriesContext(connection) as queries:
        _place(customer, lines)
    statements = one_transaction(queries.captured_queries)
    assert any("FOR UPDATE" in sql and '"accounts_user"' in sql for sql in statements)  # the customer lock
    assert_same_shapes(statements, "order.sql")


def test_payment_sql_replays_one_payment_statement_for_statement(sale):
    ceo, customer, lines = sale
    order = _place(customer, lines)
    with CaptureQueriesContext(connection) as queries:
        order_set_status(order=order, to_status=OrderStatus.PAID, actor=ceo)
    assert_same_shapes(one_transaction(queries.captured_queries), "payment.sql")


def test_signature_ignores_values_and_sees_shapes():
    django = (
        'INSERT INTO "orders_order" ("number", "total") VALUES (NULL, 17.00) RETURNING "orders_order"."id"'
    )
    assert signature(django) == signature(
        "INSERT INTO orders_order (number, total) VALUES (NULL, :t) RETURNING id"
    )
    assert signature(django) != signature("INSERT INTO orders_order (total, number) VALUES (1, 2)")
    assert signature('SAVEPOINT "s1_x7"') == signature("SAVEPOINT s2_x9")
    update = 'UPDATE "t" SET "a" = LEAST(COALESCE("t"."a", 1), 2), "b" = 3 WHERE "t"."id" = 1'
    assert signature(update) == ("UPDATE", "t", ("a", "b"))
    lock = 'SELECT "t"."id" AS "pk" FROM "t" WHERE "t"."id" = 1 LIMIT 21 FOR UPDATE OF "t"'
    assert signature(lock) == ("SELECT", ("t",), ("id",), "FOR UPDATE OF t")
    assert signature(lock) != signature('SELECT "t"."id" FROM "t" WHERE "t"."id" = 1')
