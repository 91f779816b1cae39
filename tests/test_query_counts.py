"""Pages cost a constant number of SQL queries, whatever the size of the register."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from coopere.dwellings.services import save_dwelling
from coopere.extensions import db


class QueryCounter:
    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, _conn, _cursor, statement, *_args):
        if not statement.startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            self.statements.append(statement)


def add_dwellings(app, first: int, count: int) -> None:
    with app.app_context():
        for n in range(first, first + count):
            save_dwelling(None, {"number": n, "street": f"Rue numéro {n % 7}", "complement": f"apt {n}",
                                 "postcode": "44300", "city": "Nantes"})
        db.session.commit()


def queries(app, client, path: str) -> int:
    with app.app_context():
        engine = db.engine
    with QueryCounter(engine) as counter:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(counter.statements)


@pytest.mark.parametrize("path", ["/logements/", "/logements/?rue=Rue+num%C3%A9ro+3", "/impressions/",
                                  "/impressions/lettres", "/evenements/", "/admin/groupe?q=pr", "/"])
def test_page_queries_do_not_grow_with_the_register(app, client_as, path):
    client = client_as("admin")
    add_dwellings(app, 1, 5)
    small = queries(app, client, path)
    add_dwellings(app, 100, 120)
    large = queries(app, client, path)
    assert small == large, f"{path}: {small} queries with 5 dwellings, {large} with 125"
    assert large <= 12, f"{path}: {large} queries"
