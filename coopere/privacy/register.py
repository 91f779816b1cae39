"""The register of processing (registre des activités de traitement, CNIL model for associations),
as data: one sheet per purpose, with the tables and columns that hold its personal data.

It is the one source of docs/registre.md (`flask --app coopere registre`), of the public page
« Vos données personnelles » and of the test that fails when a table holding personal data is in
no sheet. The retention texts never write a duration as a number: each names the configuration
key that `flask --app coopere purge` reads, filled in when rendered, so the register, the page and
the purge cannot disagree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from .. import retention

# --- durations ---------------------------------------------------------------------------------
# coopere/retention.py is the one source; these names are the register's view of it.

RETENTION_FALLBACKS: dict[str, int] = retention.defaults()
RETENTION_MEANINGS: dict[str, str] = retention.MEANINGS
PURGE_CONSTANTS = tuple(retention.CONSTANTS)


def default_retention() -> dict[str, int]:
    """The built-in durations: what docs/registre.md describes."""
    return retention.defaults()


def retention_settings(config: Mapping | None = None) -> dict[str, int]:
    """The durations in force: the app's configuration where it sets a key, else the defaults."""
    return retention.in_force(config)


# --- the sheets --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Store:
    """Where some of a sheet's data lives: a table and its personal columns."""

    table: str
    columns: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Sheet:
    """One processing activity (une fiche du registre)."""

    slug: str
    title: str  # French, for the register
    purpose: str
    legal_basis: str
    basis_reason: str  # why this basis, in one line
    people: tuple[str, ...]
    categories: tuple[str, ...]
    stores: tuple[Store, ...]
    recipients: tuple[str, ...]
    retention: str  # French; "%(KEY)d" names a duration of RETENTION_FALLBACKS
    security: tuple[str, ...]
    transfers: str = (
        "Aucun : les données restent sur le serveur du réseau, dans l'Union européenne."
    )
    # For the public page, in plain words (translated).
    public_title: object = ""
    public_purpose: object = ""
    public_retention: object = ""  # same "%(KEY)d" fields as `retention`
    keys: tuple[str, ...] = field(default=())  # the durations `retention` names, for the tests

    def retention_text(self, values: Mapping[str, int]) -> str:
        return self.retention % values

    def public_retention_text(self, values: Mapping[str, int]) -> str:
        return str(self.public_retention) % values


CONTROLLER = (
    "Le groupe d'animation du réseau (association ou collectif de fait du micro-périmètre), "
    "représenté par son pilote. Nom, adresse et contact : réglages du périmètre, repris sur la "
    "page publique « Vos données personnelles » (/donnees-personnelles)."
)

COMMON_SECURITY = (
    "Accès par compte personnel ; mots de passe hachés avec argon2id, jamais conservés en clair.",
    "Chaque page déclare qui peut l'ouvrir (tableau des droits par rôle) ; toute page non déclarée est refusée.",
    "Limitation des essais de connexion et d'activation ; verrouillage temporaire après des échecs répétés.",
    "« Me déconnecter de tous mes appareils » ferme toutes les sessions d'un compte.",
    "Protection CSRF sur tous les formulaires ; aucune modification par un simple lien.",
    "En-têtes de sécurité stricts ; aucune ressource chargée depuis un autre site, aucun traceur, aucune publicité.",
    "Connexion chiffrée (HTTPS) en production ; sauvegardes de la base sur le serveur du réseau, vérifiées, "
    "lisibles seulement par le compte du site ; seules les plus récentes sont gardées (14 par défaut, réglage "
    "BACKUP_KEEP) : une personne effacée disparaît des sauvegardes quand la dernière copie qui la contient "
    "est remplacée.",
    "Les actions sensibles (inscription, droits, parrainage, modération, effacement) sont inscrites au "
    "journal d'audit.",
)

ACCOUNT_ERASURE = (
    "effacement à la demande de la personne, ou %(PURGE_LEFT_GRACE_DAYS)d jours après son départ "
    "du périmètre (PURGE_LEFT_GRACE_DAYS) ; un compte sans aucune activité depuis "
    "%(PURGE_INACTIVE_MONTHS)d mois (PURGE_INACTIVE_MONTHS) est signalé au groupe d'animation, "
    "qui prend des nouvelles de la personne et ne l'efface que si elle ne veut plus être membre"
)

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        slug="annuaire",
        title="Annuaire des membres",
        purpose="Tenir la liste des habitants inscrits au réseau, recueillir et prouver leurs accords, "
        "leur donner accès au site (carte de bienvenue, connexion).",
        legal_basis="Exécution du contrat d'adhésion",
        basis_reason="L'inscription en personne, charte acceptée, est l'adhésion au réseau : sans ces "
        "données, le réseau ne peut pas compter ni joindre ses membres.",
        people=(
            "Habitants inscrits (avec ou sans internet)",
            "Animateurs et animatrices qui les inscrivent",
        ),
        categories=(
            "État civil : prénom, nom",
            "Coordonnées : adresse (logement du registre), téléphone, courriel",
            "Vie pratique : accès à internet, manière préférée d'être contacté, langues parlées, "
            "précision d'adresse",
            "Inscription : date, méthode (tablette ou papier), numéro du formulaire papier, qui a inscrit",
            "Accords : charte, information sur les données, accords facultatifs, avec leur version "
            "et leur date",
            "Connexion : mot de passe haché, code d'activation haché, dates de connexion, "
            "essais manqués, langue du site",
        ),
        stores=(
            Store(
                "users",
                (
                    "first_name",
                    "last_name",
                    "name_key",
                    "email",
                    "phone",
                    "dwelling_id",
                    "address_note",
                    "has_internet",
                    "contact_preference",
                    "languages",
                    "locale",
                    "registered_by_id",
                    "registration_method",
                    "paper_reference",
                    "created_at",
                    "activated_at",
                    "left_at",
                    "erased_at",
                    "password_hash",
                    "is_enabled",
                    "session_version",
                    "failed_logins",
                    "failed_login_window_start",
                    "locked_until",
                    "last_login_at",
                ),
                "name_key : prénom et nom simplifiés pour la recherche ; erased_at : ligne gardée anonyme "
                "après effacement",
            ),
            Store(
                "consents",
                (
                    "user_id",
                    "kind",
                    "given",
                    "version",
                    "recorded_at",
                    "collected_by_id",
                    "method",
                    "paper_reference",
                ),
                "jamais modifiés : un retrait est une nouvelle ligne",
            ),
            Store(
                "activation_codes",
                (
                    "user_id",
                    "code_hash",
                    "created_by_id",
                    "created_at",
                    "expires_at",
                    "used_at",
                    "revoked_at",
                ),
                "seule l'empreinte SHA-256 du code est gardée",
            ),
            Store("paper_forms", ("reference", "printed_by_id", "used_by_id")),
        ),
        recipients=(
            "Les animateurs et animatrices du groupe (seuls à voir nom, adresse et coordonnées)",
            "La personne elle-même (« Mes données »)",
            "Son parrain ou sa marraine, pour une personne sans internet",
        ),
        retention="Tant que la personne est membre ; "
        + ACCOUNT_ERASURE
        + ". L'effacement retire le nom, les "
        "coordonnées et les textes de la personne (partout où ils sont écrits) et ne garde qu'une "
        "ligne anonyme pour les chiffres du réseau ; les accords restent attachés à cette ligne, "
        "retirés à la date de l'effacement, pour pouvoir prouver ce qui avait été accepté. Un code "
        "de carte de bienvenue ne sert qu'une fois, expire après %(ACTIVATION_CODE_DAYS)d jours "
        "(ACTIVATION_CODE_DAYS) et, s'il n'a pas servi, est supprimé par la purge.",
        keys=("PURGE_LEFT_GRACE_DAYS", "PURGE_INACTIVE_MONTHS", "ACTIVATION_CODE_DAYS"),
        security=(
            "Adresse et coordonnées visibles des seuls animateurs ; les voisins ne voient que le prénom.",
            "Téléphone montré à un voisin seulement avec l'accord « montrer mon téléphone », "
            "et seulement pendant un échange accepté.",
            "Codes d'activation à usage unique, conservés sous forme d'empreinte.",
        ),
        public_title=_l("Vous inscrire au réseau"),
        public_purpose=_l(
            "Au café, nous notons votre nom, votre adresse, votre téléphone ou votre courriel, "
            "et vos accords. C'est votre inscription : elle permet de vous joindre et de vous "
            "donner votre carte de bienvenue."
        ),
        public_retention=_l(
            "Tant que vous êtes membre. Si vous quittez le quartier, tout est effacé "
            "%(PURGE_LEFT_GRACE_DAYS)d jours après. Sans aucune nouvelle de vous pendant "
            "%(PURGE_INACTIVE_MONTHS)d mois, le groupe d'animation prend de vos nouvelles."
        ),
    ),
    Sheet(
        slug="parrainage",
        title="Parrainage des habitants sans internet",
        purpose="Permettre à un voisin connecté (parrain, marraine) d'agir sur le site pour un habitant "
        "sans internet : publier, répondre, l'inscrire aux rendez-vous, lui imprimer les nouvelles.",
        legal_basis="Consentement",
        basis_reason="La personne parrainée donne son accord écrit (« représentation ») et peut le retirer "
        "à tout moment.",
        people=("Habitants sans internet", "Leurs parrains et marraines"),
        categories=(
            "Lien de parrainage : qui, depuis quand, fin et motif",
            "Référence de l'accord papier",
            "Dates des nouvelles imprimées",
        ),
        stores=(
            Store(
                "sponsorships",
                (
                    "sponsee_id",
                    "sponsor_id",
                    "started_at",
                    "started_by_id",
                    "consent_reference",
                    "ended_at",
                    "ended_by_id",
                    "end_reason",
                ),
                "les parrainages terminés restent comme historique",
            ),
            Store("digest_prints", ("sponsee_id", "printed_at", "printed_by_id")),
        ),
        recipients=(
            "Le parrain ou la marraine (ce que la personne parrainée ferait elle-même sur le site)",
            "Les animateurs et animatrices du groupe",
        ),
        retention="Le parrainage en cours, tant que l'accord n'est pas retiré ; l'historique, aussi longtemps "
        "que le compte de la personne parrainée : " + ACCOUNT_ERASURE + ".",
        keys=("PURGE_LEFT_GRACE_DAYS", "PURGE_INACTIVE_MONTHS"),
        security=(
            "Le parrain agit dans un mode « Vous agissez pour … » visible sur chaque page, inscrit au "
            "journal d'audit.",
            "Un parrain ne représente que quelques personnes (SPONSEES_MAX).",
        ),
        public_title=_l("Le parrainage"),
        public_purpose=_l(
            "Si vous n'avez pas internet, une voisine ou un voisin peut agir pour vous sur le site, "
            "avec votre accord écrit. Il voit vos annonces et vos échanges, comme vous."
        ),
        public_retention=_l(
            "Tant que vous le souhaitez. Vous pouvez arrêter le parrainage quand vous voulez."
        ),
    ),
    Sheet(
        slug="mise-en-relation",
        title="Mise en relation (entraide entre voisins)",
        purpose="Publier les offres et demandes des membres, les projets collectifs, mettre les voisins en "
        "relation (échanges, messages, remerciements), faire respecter la charte (signalements, "
        "avertissements, blocages).",
        legal_basis="Intérêt légitime",
        basis_reason="L'entraide entre voisins est l'objet même du réseau ; chacun choisit ce qu'il publie, "
        "qui il accepte, et peut tout retirer. Montrer son téléphone reste un consentement à part.",
        people=(
            "Membres qui publient, répondent, participent ou signalent",
            "Animateurs qui modèrent",
        ),
        categories=(
            "Annonces : titre, description, disponibilités, détails (trajet, dates…), photo",
            "Échanges : qui répond à qui, état, remerciements, messages",
            "Projets collectifs : participants",
            "Modération : signalements, motifs, décisions, avertissements ; blocages entre membres",
            "Date de dernière visite des annonces (« nouveau depuis ma dernière visite »)",
        ),
        stores=(
            Store(
                "listings",
                (
                    "owner_id",
                    "created_by_id",
                    "title",
                    "description",
                    "availability",
                    "days",
                    "details",
                    "photo",
                    "created_at",
                    "published_at",
                    "expires_at",
                ),
                "photo ré-encodée : les données cachées (lieu, appareil) sont retirées",
            ),
            Store(
                "listing_terms",
                ("term", "listing_id"),
                "mots des annonces, pour la recherche ; effacés avec l'annonce",
            ),
            Store("participations", ("user_id", "listing_id", "joined_at", "added_by_id")),
            Store(
                "exchanges",
                (
                    "owner_id",
                    "requester_id",
                    "listing_id",
                    "status",
                    "created_at",
                    "decided_at",
                    "done_at",
                    "done_by_id",
                    "owner_thanks",
                    "requester_thanks",
                ),
            ),
            Store("messages", ("author_id", "sent_by_id", "body", "created_at", "hidden")),
            Store("blocks", ("blocker_id", "blocked_id", "created_at")),
            Store(
                "reports",
                (
                    "reporter_id",
                    "listing_id",
                    "message_id",
                    "reason",
                    "text",
                    "handled_by_id",
                    "decision_note",
                ),
            ),
            Store("warnings", ("member_id", "given_by_id", "report_id", "reason", "created_at")),
            Store("users", ("listings_seen_at",)),
        ),
        recipients=(
            "Les autres membres : le prénom de l'auteur et s'il habite le même immeuble ou la même rue, "
            "jamais l'adresse",
            "L'autre personne d'un échange, une fois l'échange accepté : la manière de la joindre "
            "(messagerie du site, téléphone si elle l'a accepté, parrain)",
            "Les autres participants d'un projet collectif : le prénom des participants",
            "Le parrain ou la marraine d'une personne sans internet",
            "Les animateurs qui traitent un signalement (l'annonce ou le message signalé)",
        ),
        retention="Une demande est affichée %(LISTING_NEED_DAYS)d jours, une offre ou un projet "
        "%(LISTING_OFFER_DAYS)d jours, sauf renouvellement (LISTING_NEED_DAYS, LISTING_OFFER_DAYS). "
        "Les textes des annonces, messages, remerciements, signalements et avertissements sont effacés "
        "avec le compte (il ne reste que le thème, les dates et l'état, pour les chiffres) : "
        + ACCOUNT_ERASURE
        + ".",
        keys=(
            "LISTING_NEED_DAYS",
            "LISTING_OFFER_DAYS",
            "PURGE_LEFT_GRACE_DAYS",
            "PURGE_INACTIVE_MONTHS",
        ),
        security=(
            "Aucune coordonnée montrée avant l'acceptation d'un échange (tranquillité).",
            "Un membre peut en bloquer un autre : il ne reçoit plus ses réponses ni ses messages et ne "
            "voit plus ses annonces.",
            "Les messages d'un échange ne sont lus que par ses deux parties (et leurs parrains) ; "
            "un animateur ne voit qu'un message signalé.",
        ),
        public_title=_l("L'entraide entre voisins"),
        public_purpose=_l(
            "Vos annonces, vos réponses et vos messages servent à vous mettre en relation avec "
            "vos voisins. C'est vous qui choisissez ce que vous publiez."
        ),
        public_retention=_l(
            "Une demande reste en ligne %(LISTING_NEED_DAYS)d jours, une offre "
            "%(LISTING_OFFER_DAYS)d jours. Vous pouvez la renouveler ou la retirer. "
            "Vos échanges sont effacés avec votre inscription."
        ),
    ),
    Sheet(
        slug="rendez-vous",
        title="Rendez-vous (cafés-rencontres, apéros-info, fêtes)",
        purpose="Organiser les rendez-vous du réseau : inscriptions « Je viendrai », accueil au café, appels "
        "avant un café aux personnes qui le souhaitent, répartition des tâches, bilan de chaque rendez-vous.",
        legal_basis="Intérêt légitime",
        basis_reason="Les cafés-rencontres sont le cœur de la méthode ; l'appel avant un café n'est fait "
        "qu'aux personnes qui l'ont demandé ou qui n'ont pas internet.",
        people=(
            "Membres qui s'inscrivent ou viennent",
            "Personnes appelées avant un café",
            "Bénévoles du groupe d'animation",
        ),
        categories=(
            "Présence : inscription, passage à l'accueil, nouvel inscrit ce jour-là",
            "Appels : résultat et courte note",
            "Tâches prises par les bénévoles",
            "Bilan : nombre d'offres et de demandes recueillies, notes du groupe",
            "Souhait d'être appelé avant les cafés",
        ),
        stores=(
            Store("event_signups", ("event_id", "user_id", "created_by_id", "created_at")),
            Store("check_ins", ("event_id", "user_id", "checked_by_id", "at", "newcomer")),
            Store("calls", ("event_id", "user_id", "outcome", "note", "called_by_id", "at")),
            Store("roster_slots", ("event_id", "task", "volunteer_id", "taken_at", "reminded_at")),
            Store("event_reports", ("event_id", "notes", "written_by_id")),
            Store("events", ("created_by_id",)),
            Store("event_series", ("created_by_id",)),
            Store("users", ("call_before_cafes",)),
        ),
        recipients=(
            "Les animateurs et animatrices du groupe",
            "Les autres membres ne voient pas qui s'est inscrit ni qui est venu (tout au plus le nombre de "
            "places restantes)",
        ),
        retention="Présences, inscriptions et appels sont gardés aussi longtemps que le compte de la personne, "
        "puis rattachés à sa ligne anonyme (les notes d'appel sont effacées) : "
        + ACCOUNT_ERASURE
        + ". Les chiffres de fréquentation ne gardent alors plus de nom.",
        keys=("PURGE_LEFT_GRACE_DAYS", "PURGE_INACTIVE_MONTHS"),
        security=(
            "La liste d'appel et l'accueil du café sont réservés aux animateurs.",
            "Les notes d'appel sont courtes (300 caractères au plus) : le résultat de l'appel, rien de plus.",
        ),
        public_title=_l("Les cafés-rencontres"),
        public_purpose=_l(
            "Quand vous venez à un café ou dites « Je viendrai », nous le notons pour préparer "
            "le café et compter les participants. Si vous le demandez, quelqu'un du groupe "
            "vous appelle avant chaque café."
        ),
        public_retention=_l("Aussi longtemps que votre inscription."),
    ),
    Sheet(
        slug="groupe",
        title="Organisation du groupe d'animation",
        purpose="Répartir les rôles et les familles de tâches du groupe d'animation, transmettre les notes "
        "de passation, publier le contact du groupe, rédiger le bilan annuel.",
        legal_basis="Intérêt légitime",
        basis_reason="Le groupe d'animation doit savoir qui fait quoi pour faire vivre le réseau ; ses membres "
        "sont volontaires.",
        people=("Animateurs et animatrices, pilote et copilote",),
        categories=(
            "Rôle sur le site, place de pilote ou copilote, familles de tâches",
            "Notes de passation",
            "Contact public du groupe",
            "Texte du bilan annuel",
        ),
        stores=(
            Store("users", ("role", "group_role")),
            Store("family_members", ("user_id", "family")),
            Store("handover_notes", ("author_id", "family", "text", "created_at")),
            Store("activity_reports", ("text", "updated_by_id")),
            Store(
                "perimeter",
                ("contact",),
                "souvent le téléphone ou le courriel d'un animateur, publié avec son accord",
            ),
        ),
        recipients=(
            "Les animateurs et animatrices du groupe",
            "Tout le monde pour le contact du groupe (page publique, courriers, affiches)",
        ),
        retention="Tant que la personne fait partie du groupe ; les notes de passation et les bilans tant "
        "qu'ils sont utiles au groupe ; le nom de l'auteur s'efface avec son compte : "
        + ACCOUNT_ERASURE
        + ".",
        keys=("PURGE_LEFT_GRACE_DAYS", "PURGE_INACTIVE_MONTHS"),
        security=(
            "Seul un administrateur donne ou retire le rôle d'animateur ; chaque changement est au journal.",
        ),
        public_title=_l("Le groupe d'animation"),
        public_purpose=_l(
            "Pour les bénévoles du groupe, nous notons qui s'occupe de quoi. Le contact du "
            "groupe est affiché pour que chacun puisse le joindre."
        ),
        public_retention=_l("Tant que la personne fait partie du groupe."),
    ),
    Sheet(
        slug="courriers",
        title="Courriers aux logements",
        purpose="Tenir le registre des boîtes aux lettres du périmètre pour inviter chaque logement aux "
        "rendez-vous (un courrier par logement, avec un code QR), respecter les « pas de courrier », "
        "compter les courriers qui font venir du monde.",
        legal_basis="Intérêt légitime",
        basis_reason="Inviter les voisins par un courrier dans leur boîte est le moyen de la méthode ; le "
        "registre ne contient que des adresses, sans nom, et « pas de courrier » est respecté.",
        people=("Occupants des logements du périmètre (inscrits ou non)",),
        categories=(
            "Adresse du logement, position sur la carte, « pas de courrier », logement vacant, "
            "notes du groupe",
            "Dates des courriers reçus",
            "Lecture d'un code QR de courrier : tournée, logement, date (jamais d'adresse IP) ; "
            "comptée une fois par navigateur, par tournée et par jour",
            "Tournées : paramètres, fichier PDF des courriers, qui les a lancées",
        ),
        stores=(
            Store(
                "dwellings",
                (
                    "number",
                    "rep",
                    "street",
                    "complement",
                    "postcode",
                    "city",
                    "lon",
                    "lat",
                    "notes",
                    "no_letters",
                    "vacant",
                    "reference",
                    "address_key",
                ),
                "aucun nom de personne ; la référence du code QR ne désigne que le logement",
            ),
            Store("letters_sent", ("dwelling_id", "print_run_id", "sent_on")),
            Store("print_runs", ("params_json", "file_name", "created_by_id", "confirmed_by_id")),
            Store("letter_scans", ("print_run_id", "dwelling_id", "at")),
        ),
        recipients=(
            "Les animateurs et animatrices du groupe",
            "Les bénévoles qui distribuent les courriers",
        ),
        retention="Le registre des logements, tant que le réseau existe, tenu à jour par le groupe. Les fichiers "
        "PDF des tournées, qui contiennent les adresses, sont effacés après "
        "%(PRINT_FILES_RETENTION_DAYS)d jours (PRINT_FILES_RETENTION_DAYS).",
        keys=("PRINT_FILES_RETENTION_DAYS",),
        security=(
            "Le registre n'est visible que des animateurs.",
            "La lecture d'un code QR n'enregistre ni l'adresse IP, ni le téléphone, ni aucun identifiant. "
            "Pour ne pas compter chaque rechargement, le navigateur garde jusqu'à minuit un cookie signé, "
            "renvoyé seulement à l'adresse du code QR, qui ne contient que la date et les tournées "
            "déjà comptées ce jour-là (rien n'est ajouté à la base).",
        ),
        public_title=_l("Les courriers dans les boîtes aux lettres"),
        public_purpose=_l(
            "Pour inviter chaque logement aux cafés, le groupe tient une liste des adresses du "
            "quartier, sans aucun nom. Si vous ne voulez plus de courrier, dites-le : nous le notons."
        ),
        public_retention=_l(
            "La liste des adresses est tenue à jour. Les fichiers des courriers imprimés sont "
            "effacés après %(PRINT_FILES_RETENTION_DAYS)d jours."
        ),
    ),
    Sheet(
        slug="notifications",
        title="Notifications et courriels",
        purpose="Prévenir un membre de ce qui le concerne : réponses, acceptations, rappels, annulations ; "
        "par le site, et par courriel s'il l'a accepté (nouvelles de mes échanges, annonces de la "
        "semaine, lettre d'information).",
        legal_basis="Consentement (courriels) ; exécution du contrat d'adhésion (avis sur le site)",
        basis_reason="Un courriel n'est envoyé qu'avec l'accord de la personne, retirable par un lien dans "
        "chaque courriel ; les avis sur le site font partie du service rendu au membre.",
        people=("Membres", "Parrains et marraines, qui lisent les avis de leurs filleuls"),
        categories=(
            "Texte de l'avis, lien, date de lecture",
            "Date du dernier courriel hebdomadaire",
            "Adresse de courriel (voir l'annuaire)",
        ),
        stores=(
            Store("notifications", ("user_id", "kind", "text", "link", "created_at", "read_at")),
            Store("users", ("weekly_digest_sent_at",)),
        ),
        recipients=(
            "La personne elle-même, ou son parrain ou sa marraine",
            "Le serveur de courriel choisi par le réseau, qui ne fait que transmettre (dans l'Union "
            "européenne)",
        ),
        retention="Les courriels envoyés ne sont pas gardés par le site. Avis et dates d'envoi sont effacés "
        "avec le compte : " + ACCOUNT_ERASURE + ".",
        keys=("PURGE_LEFT_GRACE_DAYS", "PURGE_INACTIVE_MONTHS"),
        security=(
            "Chaque courriel porte un lien de désinscription sans connexion.",
            "Aucun pixel de suivi ni lien traqué dans les courriels.",
        ),
        public_title=_l("Les avis et les courriels"),
        public_purpose=_l(
            "Le site vous prévient quand un voisin vous répond. Nous vous écrivons par courriel "
            "seulement si vous l'avez accepté. Chaque courriel a un lien pour ne plus en recevoir."
        ),
        public_retention=_l("Aussi longtemps que votre inscription."),
    ),
    Sheet(
        slug="journal",
        title="Journal d'audit et sécurité du site",
        purpose="Garder la trace des actions sensibles (inscriptions, droits, parrainages, modération, "
        "effacements) pour pouvoir rendre des comptes et repérer un abus ; éviter qu'un envoi répété "
        "soit enregistré deux fois.",
        legal_basis="Intérêt légitime (et obligation de sécurité, RGPD art. 32)",
        basis_reason="Le groupe doit pouvoir montrer qui a fait quoi sur les données des habitants, et protéger "
        "le site.",
        people=(
            "Membres, animateurs et administrateurs qui agissent ; personnes concernées par l'action",
        ),
        categories=(
            "Qui, quoi, sur qui, quand, détails de l'action",
            "Adresse IP de l'action",
            "Envois de formulaires reconnus (clé, compte, page)",
            "Compteurs d'essais par adresse IP, et lieux de connexion de chaque compte "
            "(sous forme d'empreinte)",
        ),
        stores=(
            Store("audit_events", ("actor_id", "target_user_id", "action", "details", "ip", "at")),
            Store(
                "idempotency_keys",
                ("key", "user_id", "method", "path", "location", "created_at"),
                "ne sert qu'à reconnaître un envoi répété",
            ),
            Store(
                "rate_limits",
                ("key", "hits", "expires_at"),
                "compteurs d'essais (connexion, code d'activation) : une empreinte de l'adresse IP, "
                "jamais l'adresse elle-même ; avec SQLite, dans le fichier à part ratelimit.sqlite3",
            ),
            Store(
                "login_places",
                (
                    "user_id",
                    "place",
                    "failed_logins",
                    "failed_login_window_start",
                    "locked_until",
                    "last_success_at",
                ),
                "d'où un compte se connecte, pour bloquer qui devine un mot de passe sans bloquer la "
                "personne : place est une empreinte de l'adresse IP (réseau /64 en IPv6), jamais l'adresse",
            ),
        ),
        recipients=("Les administrateurs du périmètre",),
        retention="%(AUDIT_RETENTION_MONTHS)d mois (AUDIT_RETENTION_MONTHS), puis effacement. Quand une "
        "personne est effacée, son nom est retiré des détails et son adresse IP des actions qu'elle "
        "a faites. Les clés d'envoi répété sont effacées après %(IDEMPOTENCY_KEY_DAYS)d jours "
        "(IDEMPOTENCY_KEY_DAYS). Un compteur d'essais est effacé peu après la fin de sa fenêtre "
        "(une heure au plus avec les limites livrées). Un lieu de connexion d'un compte est "
        "oublié par la purge %(LOGIN_KNOWN_PLACE_DAYS)d jours après la dernière connexion réussie "
        "depuis ce lieu (LOGIN_KNOWN_PLACE_DAYS), ou dès la fin du blocage s'il n'a servi qu'à "
        "compter des essais manqués ; l'effacement d'une personne efface tous ses lieux.",
        keys=("AUDIT_RETENTION_MONTHS", "IDEMPOTENCY_KEY_DAYS", "LOGIN_KNOWN_PLACE_DAYS"),
        security=("Journal en lecture seule, visible des seuls administrateurs.",),
        public_title=_l("Le journal de sécurité"),
        public_purpose=_l(
            "Quand quelqu'un modifie des informations importantes, le site le note : qui, quoi "
            "et quand. Cela protège vos données."
        ),
        public_retention=_l("%(AUDIT_RETENTION_MONTHS)d mois."),
    ),
)

# Tables that hold no personal data, and why. A table missing from both SHEETS and this list
# makes tests/test_privacy_register.py fail when it looks personal (a link to users or to
# dwellings, or a column named like a name, an address, a note or a free text).
NO_PERSONAL_DATA: dict[str, str] = {
    "themes": "les thèmes d'entraide (conseils, bricolage…), les mêmes pour tous",
}

# Columns whose name looks personal but that describe no person, in tables of a sheet.
NOT_PERSONAL_COLUMNS: dict[str, str] = {
    "perimeter.charter_text": "le texte de la charte du réseau",
    "events.description": "la description d'un rendez-vous, écrite par le groupe",
    "event_series.description": "la description d'un rendez-vous régulier, écrite par le groupe",
}


def sheet(slug: str) -> Sheet:
    return next(item for item in SHEETS if item.slug == slug)


def registered_columns() -> dict[str, set[str]]:
    """table -> every column some sheet lists for it."""
    columns: dict[str, set[str]] = {}
    for item in SHEETS:
        for store in item.stores:
            columns.setdefault(store.table, set()).update(store.columns)
    return columns


# --- rendering ---------------------------------------------------------------------------------

HEADER = """# Registre des activités de traitement

<!-- Généré par `flask --app coopere registre --output docs/registre.md` à partir de
coopere/privacy/register.py : ne pas modifier à la main. -->

Registre tenu selon le modèle de la CNIL pour les associations (RGPD, article 30). Une fiche par
finalité. Les durées sont celles des réglages par défaut ; chaque durée nomme le réglage que lit
la purge (`flask --app coopere purge`), qu'un périmètre peut changer dans `<instance>/config.py`.
La page publique « Vos données personnelles » (`/donnees-personnelles`) en donne un résumé en
langage simple, à partir des mêmes données.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(values: Mapping[str, int] | None = None) -> str:
    """The whole register as Markdown (French), with the given durations (default: built-in)."""
    values = dict(values or default_retention())
    out = [
        HEADER,
        "## Responsable du traitement\n",
        CONTROLLER + "\n",
        "Délégué à la protection des données : aucun (non obligatoire pour ce réseau). "
        "Transferts hors de l'Union européenne : aucun.\n",
        "## Durées de conservation (réglages)\n",
        "| réglage | valeur | sens |",
        "|---|---|---|",
    ]
    out += [
        f"| `{key}` | {values[key]} | {RETENTION_MEANINGS[key]} |" for key in RETENTION_FALLBACKS
    ]
    out += [
        "",
        "## Vue d'ensemble\n",
        "| fiche | finalité | base légale | conservation |",
        "|---|---|---|---|",
    ]
    out += [
        f"| [{item.title}](#{number}-{item.slug}) | {_cell(item.purpose)} | {item.legal_basis} | "
        f"{_cell(item.retention_text(values))} |"
        for number, item in enumerate(SHEETS, 1)
    ]
    out.append("")
    for number, item in enumerate(SHEETS, 1):
        out += [
            f'<a id="{number}-{item.slug}"></a>',
            f"## {number}. {item.title}\n",
            f"**Finalité.** {item.purpose}\n",
            f"**Base légale.** {item.legal_basis} — {item.basis_reason}\n",
            "**Personnes concernées.**\n",
            *[f"- {person}" for person in item.people],
            "",
            "**Catégories de données.**\n",
            *[f"- {category}" for category in item.categories],
            "",
            "**Où sont les données (tables et colonnes).**\n",
            "| table | colonnes | remarque |",
            "|---|---|---|",
            *[
                f"| `{store.table}` | {', '.join(f'`{column}`' for column in store.columns)} | {_cell(store.note)} |"
                for store in item.stores
            ],
            "",
            "**Destinataires.**\n",
            *[f"- {recipient}" for recipient in item.recipients],
            "",
            f"**Durée de conservation.** {item.retention_text(values)}\n",
            "**Mesures de sécurité.** Les mesures communes (ci-dessous), et :\n",
            *[f"- {measure}" for measure in item.security],
            "",
            f"**Transferts hors de l'Union européenne.** {item.transfers}\n",
        ]
    out += [
        "## Mesures de sécurité communes\n",
        *[f"- {measure}" for measure in COMMON_SECURITY],
        "",
        "## Tables sans donnée personnelle\n",
        *[f"- `{table}` : {why}" for table, why in NO_PERSONAL_DATA.items()],
        "",
        "Colonnes au nom trompeur, qui ne décrivent personne :\n",
        *[f"- `{column}` : {why}" for column, why in NOT_PERSONAL_COLUMNS.items()],
        "",
    ]
    return "\n".join(out)


@dataclass(frozen=True)
class PublicSummary:
    """One purpose as the public page tells it: plain words, durations filled in."""

    slug: str
    title: str
    purpose: str
    retention: str


def public_summary(values: Mapping[str, int]) -> list[PublicSummary]:
    """The sheets in plain words for the public page, in the reader's language."""
    return [
        PublicSummary(
            item.slug,
            str(item.public_title),
            str(item.public_purpose),
            item.public_retention_text(values),
        )
        for item in SHEETS
    ]
