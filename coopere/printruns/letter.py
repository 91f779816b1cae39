"""The invitation letter's default wording and its placeholders (French: letters go to every
dwelling; the print engine adds the group's signature below the text)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

DEFAULT_LETTER = "\n\n".join(
    (
        "Madame, Monsieur,",
        "Des voisins de votre quartier lancent « {perimetre} », un réseau d'entraide entre "
        "habitants : se rencontrer, se rendre de petits services, prêter, partager… "
        "gratuitement et en toute tranquillité.",
        "Nous vous invitons à un {evenement} le {date}, {heure}, {lieu}.",
        "Venez comme vous êtes, seul ou en famille : nous vous expliquerons tout autour d'un "
        "verre. Vous pourrez vous inscrire sur place si vous le souhaitez, même sans "
        "internet. Personne ne vous sollicitera ensuite sans votre accord.",
        "Pour en savoir plus, scannez le code ci-contre ou contactez-nous : {contact}.",
        "Bien cordialement,",
    )
)

PLACEHOLDER_HELP = {
    "evenement": _l("le type de rencontre (apéro-info, café-rencontre…)"),
    "date": _l("la date, par exemple « samedi 14 mars 2026 »"),
    "heure": _l("l'heure, par exemple « de 10 h à 12 h »"),
    "lieu": _l("le lieu"),
    "lieu_pluie": _l("le lieu en cas de pluie"),
    "perimetre": _l("le nom du réseau"),
    "commune": _l("la commune"),
    "signature": _l("la signature du groupe d'animation"),
    "contact": _l("le contact du groupe"),
}
