"""A page's buttons as a screen reader names them (aria-labelledby, aria-label, their text), each
with what it does: method, address, hidden fields, its own name=value."""

from __future__ import annotations

from html.parser import HTMLParser

IGNORED_FIELDS = {"csrf_token", "idempotency_key"}  # differ from form to form, act the same
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _Controls(HTMLParser):
    """The page's buttons: their accessible name and what they send (method, address, hidden
    fields, their own name=value)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: dict[str, list[str]] = {}  # element id -> its text, for aria-labelledby
        self.forms: dict[str, dict] = {}  # form id -> form, for <button form="…">
        self.controls: list[dict] = []
        self._open: list[tuple[str, dict]] = []
        self._form: dict | None = None
        self._control: dict | None = None

    def _hidden(self) -> bool:
        return any(attrs.get("aria-hidden") == "true" for _tag, attrs in self._open)

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        kind = a.get("type", "").lower()
        if tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action", ""),
                "fields": [],
            }
            if a.get("id"):
                self.forms[a["id"]] = self._form
        elif (
            tag == "input"
            and kind == "hidden"
            and self._form is not None
            and a.get("name") not in IGNORED_FIELDS
        ):
            self._form["fields"].append((a.get("name", ""), a.get("value", "")))
        elif tag == "input" and kind in ("submit", "image", "button"):
            self.controls.append(
                {"attrs": a, "form": self._form, "text": [a.get("value") or a.get("alt", "")]}
            )
        if tag in VOID:
            return
        self._open.append((tag, a))
        if a.get("id"):
            self.texts[a["id"]] = []
        if tag == "button":
            self._control = {"attrs": a, "form": self._form, "text": []}
        elif tag == "a" and "button" in a.get("class", "").split():
            link = {"method": "get", "action": a.get("href", ""), "fields": []}
            self._control = {"attrs": a, "form": link, "text": []}

    def handle_endtag(self, tag):
        if tag in VOID or tag not in (t for t, _a in self._open):
            return
        while self._open:  # closes what the page left open (<li>, <p>) along the way
            closed, attrs = self._open.pop()
            if (
                closed in ("button", "a")
                and self._control is not None
                and self._control["attrs"] is attrs
            ):
                self.controls.append(self._control)
                self._control = None
            if closed == "form":
                self._form = None
            if closed == tag:
                break

    def handle_data(self, data):
        if self._hidden():
            return
        for _tag, attrs in self._open:
            if attrs.get("id") in self.texts:
                self.texts[attrs["id"]].append(data)
        if self._control is not None:
            self._control["text"].append(data)


def buttons(html: str) -> list[tuple[str, tuple]]:
    """(accessible name, what it does) of every button of the page, in order."""
    reader = _Controls()
    reader.feed(html)
    reader.close()
    found = []
    for control in reader.controls:
        attrs = control["attrs"]
        if attrs.get("aria-labelledby"):
            name = " ".join(
                "".join(reader.texts.get(i, [])) for i in attrs["aria-labelledby"].split()
            )
        else:
            name = attrs.get("aria-label") or "".join(control["text"])
        form = reader.forms.get(attrs["form"]) if attrs.get("form") else control["form"]
        form = form or {"method": "", "action": "", "fields": []}
        does = (
            attrs.get("formmethod") or form["method"],
            attrs.get("formaction") or form["action"],
            tuple(sorted(form["fields"])),
            attrs.get("name", ""),
            attrs.get("value", ""),
        )
        found.append((" ".join(name.split()), does))
    return found
