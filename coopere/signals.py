"""Signals between domains: a lower layer announces an event, the domains that care react,
without the lower layer importing them (no import circles). Receivers are connected when their
module is imported; the app factory imports them all."""

from blinker import Namespace

_signals = Namespace()

#: sent with (user, actor=...) when someone leaves the animation group: back to member, left the
#: perimeter or erased. coopere.group.services frees their roster slots and task families.
volunteer_leaving = _signals.signal("volunteer-leaving")

#: sent with (listings) once new listings are flushed elsewhere than in the listings domain (the
#: registration desk drafts them from the questionnaire). coopere.listings.search indexes them.
listings_drafted = _signals.signal("listings-drafted")
