"""The people and dwellings of the newsletter tests' perimeter (their data must never leak)."""

PEOPLE = {
    "animator": dict(first_name="Paul", last_name="Bernardeau", email="paul.b@example.org"),
    "marie": dict(
        first_name="Marie", last_name="Dupontel", email="marie.d@example.org", phone="0612345678"
    ),
    "jean": dict(first_name="Jean", last_name="Martinez", email="jean.m@example.org"),
    "luc": dict(first_name="Luc", last_name="Girardin", email="luc.g@example.org"),
    "odette": dict(first_name="Odette", last_name="Lambertin", has_internet=False),
    "rose": dict(first_name="Rose", last_name="Vasseurier", has_internet=False),
}
DWELLINGS = [
    (12, "rue des Lilas", False),
    (47, "allée des Érables", False),
    (83, "rue du Pin Sec", True),  # no letters, please
]
