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

# The Fête de la Coopération's invitation: the network exists already, the letter celebrates it.
FETE_LETTER = "\n\n".join(
    (
        "Madame, Monsieur,",
        "Les voisins de « {perimetre} » vous invitent à la Fête de la Coopération, le {date}, "
        "{heure}, {lieu}.",
        "Une année d'entraide entre voisins : des coups de main, des objets prêtés, des "
        "projets menés ensemble. Venez découvrir ce que nous avons réalisé, partager un verre "
        "et faire connaissance, seul ou en famille. C'est gratuit et ouvert à tous les "
        "habitants, membres du réseau ou pas encore.",
        "Vous pourrez vous inscrire sur place si vous le souhaitez, même sans internet. "
        "Personne ne vous sollicitera ensuite sans votre accord.",
        "Pour en savoir plus, scannez le code ci-contre ou contactez-nous : {contact}.",
        "Au plaisir de vous y retrouver,",
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
