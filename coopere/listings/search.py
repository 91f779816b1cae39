"""Search words of listings: folded French words stored in `listing_terms`, looked up by prefix.

« velo » finds « Vélo », « velos » finds « vélo », « chat » finds « chats » and « chaton »: every
word of a listing (title, description, theme in French and English) is folded (no accents, lower
case), reduced to its singular and stored once per listing. A query word matches a stored term
that starts with it. The lookup is a range on the primary key (term, listing_id), so it costs the
same with 100 or 10,000 listings, on SQLite and on PostgreSQL alike (only letters and digits are
stored, which every collation orders the same way)."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import delete, exists, select

from ..extensions import db
from ..signals import listings_drafted
from .models import Listing, ListingTerm, Theme

TERM_MAX = 40  # the column's length
MAX_QUERY_WORDS = 6  # a longer query keeps its first words

# Short and frequent French words that say nothing of what is offered (already folded).
STOP_WORDS = frozenset(
    """
    au aux avec ce ces cet cette dans de des du elle en et est il ils je la le les leur leurs lui ma
    mais me mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes
    toi ton tu un une vos votre vous suis sont etre avoir ai as avons avez ont tres plus bien aussi
""".split()
)

_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, no accents, œ and æ spelled out."""
    plain = unicodedata.normalize(
        "NFKD", (text or "").casefold().replace("œ", "oe").replace("æ", "ae")
    )
    return "".join(c for c in plain if not unicodedata.combining(c))


def singular(word: str) -> str:
    """A French plural reduced to its singular, roughly: « vélos » → « velo », « jeux » → « jeu »,
    « journaux » → « journal ». Words of three letters or fewer stay (« bus », « gaz »)."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("aux") and len(word) > 4:
        return word[:-3] + "al"
    if word.endswith(("s", "x")) and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms_of(text: str) -> list[str]:
    """The search words of a text, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(fold(text)):
        if len(word) < 2 or word in STOP_WORDS:
            continue
        seen.setdefault(singular(word)[:TERM_MAX], None)
    return list(seen)


def listing_text(listing: Listing, theme: Theme | None = None) -> str:
    theme = theme or listing.theme or db.session.get(Theme, listing.theme_id)
    parts = [listing.title or "", listing.description or ""]
    if theme is not None:
        parts += [theme.label_fr, theme.label_en]
    return " ".join(parts)


def index_listing(listing: Listing) -> None:
    """Rebuild the listing's search words (call after any change of its title, description or
    theme). The listing must have an id (flushed)."""
    if listing.id is None:
        db.session.flush()
    theme = db.session.get(Theme, listing.theme_id)
    db.session.execute(delete(ListingTerm).where(ListingTerm.listing_id == listing.id))
    terms = terms_of(listing_text(listing, theme))
    if terms:
        db.session.execute(
            ListingTerm.__table__.insert(), [{"term": t, "listing_id": listing.id} for t in terms]
        )


def index_listings(listings: list[Listing]) -> None:
    """index_listing() for several new listings (flushed), in one insert."""
    values = [
        {"term": term, "listing_id": listing.id}
        for listing in listings
        for term in terms_of(listing_text(listing, db.session.get(Theme, listing.theme_id)))
    ]
    if values:
        db.session.execute(ListingTerm.__table__.insert(), values)


@listings_drafted.connect
def _on_listings_drafted(listings: list[Listing], **_extra) -> None:
    index_listings(listings)


def reindex_all(batch: int = 500, *, theme_id: int | None = None) -> int:
    """Rebuild the search words of every listing (after an upgrade), or of one theme's listings
    (after a change of its names). Returns the number of listings indexed."""
    themes = {theme.id: theme for theme in db.session.scalars(select(Theme))}
    chosen = [Listing.theme_id == theme_id] if theme_id is not None else []
    if theme_id is None:
        db.session.execute(delete(ListingTerm))
    else:
        db.session.execute(
            delete(ListingTerm).where(ListingTerm.listing_id.in_(select(Listing.id).where(*chosen)))
        )
    count, last_id = 0, 0
    while True:
        rows = db.session.execute(
            select(Listing.id, Listing.title, Listing.description, Listing.theme_id)
            .where(Listing.id > last_id, *chosen)
            .order_by(Listing.id)
            .limit(batch)
        ).all()
        if not rows:
            return count
        values = []
        for listing_id, title, description, theme_id in rows:
            theme = themes.get(theme_id)
            text = " ".join(
                [
                    title or "",
                    description or "",
                    theme.label_fr if theme else "",
                    theme.label_en if theme else "",
                ]
            )
            values += [{"term": t, "listing_id": listing_id} for t in terms_of(text)]
        if values:
            db.session.execute(ListingTerm.__table__.insert(), values)
        count += len(rows)
        last_id = rows[-1][0]


def query_words(query: str) -> list[str]:
    """The words of a search query, as stored terms (their first MAX_QUERY_WORDS)."""
    return terms_of(query)[:MAX_QUERY_WORDS]


def _upper_bound(prefix: str) -> str | None:
    """The smallest string above every string that starts with `prefix` (made of a-z0-9 only):
    the last character moved to the next one, without leaving letters and digits, whose order
    every collation agrees on."""
    chars = list(prefix)
    while chars:
        last = chars.pop()
        if last == "9":
            return "".join(chars) + "a"
        if last != "z":
            return "".join(chars) + chr(ord(last) + 1)
    return None


def _term_range(word: str) -> list:
    conditions = [ListingTerm.term >= word, ListingTerm.term.startswith(word)]
    upper = _upper_bound(word)
    if upper is not None:
        conditions.append(ListingTerm.term < upper)
    return conditions


def search_filter(query: str, *, per_listing: bool = False):
    """SQL conditions on Listing: every word of the query matches one of the listing's terms by
    prefix. An empty list when the query has no searchable word.

    By default each word is a list of ids found through the primary key (term, listing_id), for a
    query that walks listings newest first; `per_listing` checks each listing's own words instead
    (index on listing_id), for a query that starts from a few listings (those of one building)."""
    if per_listing:
        return [
            exists().where(ListingTerm.listing_id == Listing.id, *_term_range(word))
            for word in query_words(query)
        ]
    return [
        Listing.id.in_(select(ListingTerm.listing_id).where(*_term_range(word)))
        for word in query_words(query)
    ]
