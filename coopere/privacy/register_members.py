"""The register's sheets about members: the directory, sponsorship, mutual aid between them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .register_sheet import ACCOUNT_ERASURE, Sheet, Store

MEMBER_SHEETS: tuple[Sheet, ...] = (
    Sheet(
        slug="annuaire",
        title="Annuaire des membres",
        purpose="Tenir la liste des habitants inscrits au réseau, recueillir et prouver leurs "
        "accords, leur donner accès au site (carte de bienvenue, connexion).",
        legal_basis="Exécution du contrat d'adhésion",
        basis_reason="L'inscription en personne, charte acceptée, est l'adhésion au réseau : sans "
        "ces données, le réseau ne peut pas compter ni joindre ses membres.",
        people=(
            "Habitants inscrits (avec ou sans internet)",
            "Animateurs et animatrices qui les inscrivent",
        ),
        categories=(
            "État civil : prénom, nom",
            "Coordonnées : adresse (logement du registre), téléphone, courriel",
            "Vie pratique : accès à internet, manière préférée d'être contacté, langues parlées, "
            "précision d'adresse",
            "Inscription : date, méthode (tablette ou papier), numéro du formulaire papier, qui a "
            "inscrit",
            "Accords : charte, information sur les données, accords facultatifs, avec leur version "
            "et leur date",
            "Connexion : mot de passe haché, code d'activation haché, dates de connexion, "
            "essais manqués, langue du site",
        ),
        stores=(
            Store(
                "users",
                (
                    "first_name last_name name_key email phone dwelling_id address_note "
                    "has_internet contact_preference languages locale registered_by_id "
                    "registration_method paper_reference created_at activated_at left_at erased_at "
                    "password_hash is_enabled session_version failed_logins "
                    "failed_login_window_start locked_until last_login_at"
                ),
                "name_key : prénom et nom simplifiés pour la recherche ; erased_at : ligne gardée "
                "anonyme après effacement",
            ),
            Store(
                "consents",
                "user_id kind given version recorded_at collected_by_id method paper_reference",
                "jamais modifiés : un retrait est une nouvelle ligne",
            ),
            Store(
                "activation_codes",
                "user_id code_hash created_by_id created_at expires_at used_at revoked_at",
                "seule l'empreinte SHA-256 du code est gardée",
            ),
            Store("paper_forms", "reference printed_by_id used_by_id"),
            Store(
                "prepared_cards",
                "number code_hash created_by_id created_at expires_at used_by_id used_at",
                "cartes d'accueil pré-imprimées et numérotées, liées à personne jusqu'à "
                "l'arrivée de l'inscription qui donne leur numéro ; seule l'empreinte SHA-256 "
                "du code est gardée",
            ),
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
            "Adresse et coordonnées visibles des seuls animateurs ; les voisins ne voient que le "
            "prénom.",
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
        purpose="Permettre à un voisin connecté (parrain, marraine) d'agir sur le site pour un "
        "habitant sans internet : publier, répondre, l'inscrire aux rendez-vous, lui imprimer les "
        "nouvelles.",
        legal_basis="Consentement",
        basis_reason="La personne parrainée donne son accord écrit (« représentation ») et peut le "
        "retirer à tout moment.",
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
                    "sponsee_id sponsor_id started_at started_by_id consent_reference ended_at "
                    "ended_by_id end_reason"
                ),
                "les parrainages terminés restent comme historique",
            ),
            Store("digest_prints", "sponsee_id printed_at printed_by_id"),
        ),
        recipients=(
            "Le parrain ou la marraine (ce que la personne parrainée ferait elle-même sur le site)",
            "Les animateurs et animatrices du groupe",
        ),
        retention="Le parrainage en cours, tant que l'accord n'est pas retiré ; l'historique, "
        "aussi longtemps que le compte de la personne parrainée : " + ACCOUNT_ERASURE + ".",
        keys=("PURGE_LEFT_GRACE_DAYS", "PURGE_INACTIVE_MONTHS"),
        security=(
            "Le parrain agit dans un mode « Vous agissez pour … » visible sur chaque page, inscrit "
            "au journal d'audit.",
            "Un parrain ne représente que quelques personnes (SPONSEES_MAX).",
        ),
        public_title=_l("Le parrainage"),
        public_purpose=_l(
            "Si vous n'avez pas internet, une voisine ou un voisin peut agir pour vous sur le "
            "site, avec votre accord écrit. Il voit vos annonces et vos échanges, comme vous."
        ),
        public_retention=_l(
            "Tant que vous le souhaitez. Vous pouvez arrêter le parrainage quand vous voulez."
        ),
    ),
    Sheet(
        slug="mise-en-relation",
        title="Mise en relation (entraide entre voisins)",
        purpose="Publier les offres et demandes des membres, les projets collectifs, mettre les "
        "voisins en relation (échanges, messages, remerciements), faire respecter la charte "
        "(signalements, avertissements, blocages).",
        legal_basis="Intérêt légitime",
        basis_reason="L'entraide entre voisins est l'objet même du réseau ; chacun choisit ce "
        "qu'il publie, qui il accepte, et peut tout retirer. Montrer son téléphone reste un "
        "consentement à part.",
        people=(
            "Membres qui publient, répondent, participent ou signalent",
            "Animateurs qui modèrent",
        ),
        categories=(
            "Annonces : titre, description, disponibilités, détails (trajet, dates…), photo",
            "Échanges : qui répond à qui, état, remerciements, messages",
            "Projets collectifs : participants ; la fiche pratique dont un projet est parti",
            "Modération : signalements, motifs, décisions, avertissements ; blocages entre membres",
            "Date de dernière visite des annonces (« nouveau depuis ma dernière visite »)",
        ),
        stores=(
            Store(
                "listings",
                (
                    "owner_id created_by_id title description availability days details photo "
                    "created_at published_at expires_at"
                ),
                "photo ré-encodée : les données cachées (lieu, appareil) sont retirées",
            ),
            Store(
                "listing_terms",
                "term listing_id",
                "mots des annonces, pour la recherche ; effacés avec l'annonce",
            ),
            Store("participations", "user_id listing_id joined_at added_by_id"),
            Store(
                "sheet_launches",
                "listing_id sheet_slug sheet_title launched_by_id launched_at",
                "la fiche dont un projet est parti et qui l'a lancé ; effacé avec le projet",
            ),
            Store(
                "exchanges",
                (
                    "owner_id requester_id listing_id status created_at decided_at done_at "
                    "done_by_id owner_thanks requester_thanks"
                ),
            ),
            Store("messages", "author_id sent_by_id body created_at hidden"),
            Store("blocks", "blocker_id blocked_id created_at"),
            Store(
                "reports",
                "reporter_id listing_id message_id reason text handled_by_id decision_note",
            ),
            Store("warnings", "member_id given_by_id report_id reason created_at"),
            Store("users", "listings_seen_at"),
        ),
        recipients=(
            "Les autres membres : le prénom de l'auteur et s'il habite le même immeuble ou la même "
            "rue, jamais l'adresse",
            "L'autre personne d'un échange, une fois l'échange accepté : la manière de la joindre "
            "(messagerie du site, téléphone si elle l'a accepté, parrain)",
            "Les autres participants d'un projet collectif : le prénom des participants",
            "Le parrain ou la marraine d'une personne sans internet",
            "Les animateurs qui traitent un signalement (l'annonce ou le message signalé)",
        ),
        retention="Une demande est affichée %(LISTING_NEED_DAYS)d jours, une offre ou un projet "
        "%(LISTING_OFFER_DAYS)d jours, sauf renouvellement (LISTING_NEED_DAYS, "
        "LISTING_OFFER_DAYS). Les textes des annonces, messages, remerciements, signalements et "
        "avertissements sont effacés avec le compte (il ne reste que le thème, les dates et "
        "l'état, pour les chiffres) : " + ACCOUNT_ERASURE + ".",
        keys=(
            "LISTING_NEED_DAYS",
            "LISTING_OFFER_DAYS",
            "PURGE_LEFT_GRACE_DAYS",
            "PURGE_INACTIVE_MONTHS",
        ),
        security=(
            "Aucune coordonnée montrée avant l'acceptation d'un échange (tranquillité).",
            "Un membre peut en bloquer un autre : il ne reçoit plus ses réponses ni ses messages "
            "et ne voit plus ses annonces.",
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
)
