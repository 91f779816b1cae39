"""Redirect targets taken from a request, kept on this site; absolute addresses from PUBLIC_URL
only; bounded integer ids in routes.

Every redirect to an address that came with the request (a `next` field or parameter) goes through
`local_path`, through `next_path` in the views: one check, nowhere else.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

from flask import current_app, has_request_context, request
from werkzeug.routing import IntegerConverter, Rule


def _unsafe(text: str) -> bool:
    """Whether `text`, as written, holds what a browser could read as another site or a new
    header: a control character (CR, LF, TAB, any below 0x20, DEL), a backslash, or a second
    leading slash."""
    return (
        any(ord(char) < 0x20 or ord(char) == 0x7F for char in text)
        or "\\" in text
        or not text.startswith("/")
        or text.startswith("//")
    )


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: never send a person to another host.

    Refused: anything not starting with a single « / » (« https://x », « //x », « javascript:… »,
    « http: »), a backslash (« /\\x », read « //x » by browsers), a control character (« /\\t/x » is
    « //x » once the browser drops the tab; CR/LF would split the Location header: a 500), and the
    same written percent-encoded (« %0d%0a », « %5c », « /%2f/x »).
    """
    if not isinstance(target, str) or not target:
        return None
    if _unsafe(target) or _unsafe(unquote(target)):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    # Inside this site's own mount only (`/lilas/…` in a network of perimeters): never another
    # perimeter served by the same host, not even through a « .. » that a browser resolves.
    mount = mount_path()
    if mount and not within(target, mount):
        return None
    if any(segment in (".", "..") for segment in unquote(parts.path).split("/")):
        return None
    return target


# --- the mount path: where on its host the site is served ---------------------------------------


def mount_path() -> str:
    """The path this site is served under, without a trailing slash: `` at the root of its host,
    `/lilas` for a perimeter of a network (the request's WSGI SCRIPT_NAME; outside a request, the
    APPLICATION_ROOT setting)."""
    if has_request_context():
        return request.script_root
    return (current_app.config.get("APPLICATION_ROOT") or "/").rstrip("/")


def within(path: str, mount: str) -> bool:
    """Whether `path` is the mount's own address or below it (`/lilas`, `/lilas/…`, `/lilas?…`)."""
    return path == mount or path.startswith((mount + "/", mount + "?", mount + "#"))


def site_path(path: str) -> str:
    """`path` from the site's own root: the mount path taken off when `path` carries it (url_for
    adds it in a request). A network's slugs never name a first part of a perimeter's routes
    (coopere/network/slugs.py), so a path from the root is never mistaken for a mounted one."""
    mount = mount_path()
    if mount and within(path, mount):
        rest = path[len(mount) :]
        return rest if rest.startswith("/") else "/" + rest
    return path


def local_url(path: str) -> str:
    """A path from the site's root (a notice's link), as a link of the page: under the mount."""
    return mount_path() + site_path(path)


def next_path(default: str) -> str:
    """Where to go after a form: the request's `next` (posted, else in the query string) if it is a
    local path (`local_path`), else `default` (an address built by url_for)."""
    target = request.form.get("next") if "next" in request.form else request.args.get("next")
    return local_path(target) or default


class DatabaseIntConverter(IntegerConverter):
    """`<int:…>` in routes, bounded to what a database integer column holds (2**31 - 1).

    Werkzeug's own converter takes any number of digits: /logements/99999999999999999999 reached
    the view and the database driver failed on the overflow (a 500). Beyond the bound the URL
    simply matches no route: a 404, like any id that does not exist.
    """

    MAX = 2**31 - 1

    def __init__(
        self,
        map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:  # noqa: A002 - werkzeug's argument names
        super().__init__(
            map,
            fixed_digits=fixed_digits,
            min=min,
            max=self.MAX if max is None else max,
            signed=signed,
        )


class SharedBuilderRule(Rule):
    """Werkzeug's Rule, whose URL-building function — generated Python code, compiled for each rule
    of each app: most of the time an app takes to build — is compiled once per process and shared
    by every app with the same rule (a network builds one app per perimeter).

    The generated function takes the rule as its first argument and depends only on the rule's
    text, its defaults and the map's matching mode, which the key holds; werkzeug binds it to each
    rule as usual."""

    _builders: dict[tuple, object] = {}

    def _compile_builder(self, append_unknown: bool = True):
        key = (
            self.rule,
            self.subdomain,
            self.host,
            self.merge_slashes,
            self.map.host_matching,
            repr(sorted((self.defaults or {}).items())),
            append_unknown,
        )
        builder = self._builders.get(key)
        if builder is None:
            builder = self._builders[key] = super()._compile_builder(append_unknown)
        return builder


def configure_url_converters(app) -> None:
    """Before any blueprint is registered: every `<int:…>` rule uses the bounded converter, and
    rules share their compiled URL builders (SharedBuilderRule)."""
    app.url_map.converters["int"] = DatabaseIntConverter
    app.url_rule_class = SharedBuilderRule


# --- absolute addresses: from the PUBLIC_URL setting only -----------------------------------------
#
# Everything that leaves the site (emails, QR codes on printouts, letters printed from the command
# line) names the site by the PUBLIC_URL setting, never by the request's Host or X-Forwarded-Host
# headers, which the person making the request chooses. Unset, such links are refused, not guessed.


class PublicUrlInvalid(ValueError):
    """PUBLIC_URL (or --base-url) is not a usable public address; the message says why, in
    French."""


class PublicUrlMissing(RuntimeError):
    """PUBLIC_URL is not set: an absolute address cannot be made."""

    def __str__(self) -> str:
        return str(public_url_missing_message())


def public_url_missing_message():
    """The French (translated) words shown wherever a link or a QR code cannot be made."""
    from flask_babel import lazy_gettext as _l

    return _l(
        "L'adresse publique du site n'est pas réglée (réglage PUBLIC_URL) : "
        "les codes QR et les liens envoyés par courriel ne peuvent pas être faits. "
        "Demandez à la personne qui gère le serveur de la renseigner."
    )


def normalise_public_url(value) -> str | None:
    """The site's public address as `scheme://host[:port][/path]` without a trailing slash, or
    None when empty. Refused (PublicUrlInvalid, in French): another scheme than http/https, no host,
    a login, a query or a fragment. The host is written in ASCII (IDNA) so that mail headers stay
    ASCII."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise PublicUrlInvalid(
            "l'adresse publique doit être un texte, par exemple https://lilas.example.org"
        )
    text = value.strip()
    if not text:
        return None
    if any(ord(char) < 0x21 or ord(char) == 0x7F for char in text):
        raise PublicUrlInvalid(
            "l'adresse publique ne doit contenir ni espace ni caractère de contrôle."
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise PublicUrlInvalid(
            f"{text!r} n'est pas une adresse web valable (port ou crochets incorrects)."
        )
    if parts.scheme.lower() not in ("http", "https"):
        raise PublicUrlInvalid(
            f"{text!r} doit commencer par https:// (ou http://), "
            "par exemple https://lilas.example.org"
        )
    host = parts.hostname or ""
    if not host:
        raise PublicUrlInvalid(
            f"{text!r} ne nomme aucun site : écrivez-la comme https://lilas.example.org"
        )
    if parts.username is not None or parts.password is not None:
        raise PublicUrlInvalid(f"{text!r} contient un identifiant (avant « @ ») : retirez-le.")
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise PublicUrlInvalid(
            f"{text!r} ne doit contenir ni « ? » ni « # » : seulement l'adresse du site."
        )
    if ":" not in host:  # an IPv6 address stays as written
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise PublicUrlInvalid(f"{text!r} : le nom de site n'est pas valable.")
    else:
        host = f"[{host}]"
    netloc = host + (f":{port}" if port is not None else "")
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~").rstrip("/")
    return f"{parts.scheme.lower()}://{netloc}{path}"


def configure_public_url(app) -> None:
    """At start-up: PUBLIC_URL is checked and written in its normal form, or the app refuses to
    start."""
    try:
        app.config["PUBLIC_URL"] = normalise_public_url(app.config.get("PUBLIC_URL"))
    except PublicUrlInvalid as error:
        raise SystemExit(f"coopere : réglage PUBLIC_URL refusé : {error}")
    # Pages that print QR codes show the same words when it is not set
    # (templates/_public_url_missing.html).
    app.add_template_global(public_url_missing_message)
    app.add_template_global(local_url)


def public_base() -> str:
    """The site's public address (no trailing slash); PublicUrlMissing when PUBLIC_URL is not
    set."""
    from flask import current_app

    base = current_app.config.get("PUBLIC_URL")
    if not base:
        raise PublicUrlMissing()
    return base


def has_public_url() -> bool:
    from flask import current_app

    return bool(current_app.config.get("PUBLIC_URL"))


def absolute_url(path: str, base: str | None = None) -> str:
    """The full address of `path` (a path on this site, from its root, or as url_for makes it in a
    request, under the mount): PUBLIC_URL (or `base`, already normalised), which already names
    the mount, followed by the path from the site's root. Never the request's host."""
    if not path.startswith("/"):
        path = "/" + path
    return (base or public_base()) + site_path(path)


def public_url_for(endpoint: str, **values) -> str:
    """`url_for` for someone outside the site: PUBLIC_URL + the route's path, the same in a request,
    a command or a background job (the path is built from the site's root, whatever the request)."""
    from flask import current_app

    base = public_base()
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return absolute_url(adapter.build(endpoint, values), base)
