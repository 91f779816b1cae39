"""The main menu comes from the route × role table, in three sections that fit on a tablet."""

from __future__ import annotations

import re

import pytest

from coopere.menu import SECTIONS, VISITOR
from coopere.policy import POLICY, Access

#: Rendering and wording, not the database: the PostgreSQL leg skips them (see setup.cfg).
pytestmark = pytest.mark.one_database


def menu_of(page: str) -> tuple[list[str], list[str], list[str]]:
    """(top-level link paths, folded section titles, paths inside folded sections) of the main
    nav."""
    nav = re.search(r'<nav class="main-nav".*?</nav>', page, re.S).group(0)
    folded = re.findall(r"<details[ >].*?</details>", nav, re.S)
    top = re.sub(r"<details[ >].*?</details>", "", nav, flags=re.S)
    titles = [
        re.search(r"<summary[^>]*>(.*?)</summary>", part, re.S).group(1).strip() for part in folded
    ]
    inner = [path for part in folded for path in re.findall(r'href="([^"]+)"', part)]
    return re.findall(r'href="([^"]+)"', top), titles, inner


def test_every_menu_entry_is_a_declared_route():
    for section in (*SECTIONS, VISITOR):
        for entry in section.entries:
            assert entry.endpoint in POLICY, entry.endpoint


@pytest.mark.parametrize(
    "role,folded", [("member", []), ("animator", ["Animer"]), ("admin", ["Animer", "Administrer"])]
)
def test_each_role_sees_exactly_what_the_policy_lets_through_and_each_link_opens(
    app, client_as, role, folded
):
    client = client_as(role)
    top, titles, inner = menu_of(client.get("/compte").get_data(as_text=True))
    assert titles == folded
    assert len(top) + len(titles) <= 9, "the menu's first row must fit on a tablet"
    adapter = app.url_map.bind("localhost")
    level = {"member": Access.MEMBER, "animator": Access.ANIMATOR, "admin": Access.ADMIN}[role]
    order = [Access.MEMBER, Access.ANIMATOR, Access.ADMIN]
    expected = {
        entry.endpoint
        for section in SECTIONS
        for entry in section.entries
        if not entry.only_if
        and order.index(POLICY[entry.endpoint]) <= order.index(level)
        # « group » entries: the animation group's, whatever the route's own floor
        or entry.only_if == "group"
        and role != "member"
    }
    shown = {adapter.match(path)[0] for path in top + inner}
    assert shown == expected
    for path in top + inner:
        assert client.get(path).status_code == 200, path


def test_a_visitor_sees_home_and_login_only(client):
    top, titles, inner = menu_of(client.get("/").get_data(as_text=True))
    assert titles == [] and inner == [] and len(top) == 2
