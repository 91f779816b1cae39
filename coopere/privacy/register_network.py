"""The register's sheets about running the network: meetings, group, letters, notices, audit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .register_sheet import ACCOUNT_ERASURE, Sheet, Store

NETWORK_SHEETS: tuple[Sheet, ...] = (
    Sheet(
        slug="rendez-vous",
        title="Rendez-vous (cafés-rencontres, apéros-info, fêtes)",
        purpose="Organiser les rendez-vous du réseau : inscriptions « Je viendrai », accueil au "
        "café, appels avant un café aux personnes qui le souhaitent, répartition des tâches, bilan "
        "de chaque rendez-vous.",
        legal_basis="Intérêt légitime",
        basis_reason="Les cafés-rencontres sont le cœur de la méthode ; l'appel avant un café "
        "n'est fait qu'aux personnes qui l'ont demandé ou qui n'ont pas internet.",
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
            "Accueil sans réseau, sur la tablette de l'animateur (IndexedDB du navigateur), pour "
            "un café : prénom, nom et rue des inscrits (pour les retrouver), présences, visiteurs "
            "et inscriptions notés sans réseau, jusqu'à leur envoi",
        ),
        stores=(
            Store("event_signups", "event_id user_id created_by_id created_at"),
            Store("check_ins", "event_id user_id checked_by_id at newcomer"),
            Store("calls", "event_id user_id outcome note called_by_id at"),
            Store("roster_slots", "event_id task volunteer_id taken_at reminded_at"),
            Store("event_reports", "event_id notes written_by_id"),
            Store("events", "created_by_id"),
            Store("event_series", "created_by_id"),
            Store("users", "call_before_cafes"),
        ),
        recipients=(
            "Les animateurs et animatrices du groupe",
            "Les autres membres ne voient pas qui s'est inscrit ni qui est venu (tout au plus le "
            "nombre de places restantes)",
        ),
        retention="Présences, inscriptions et appels sont gardés aussi longtemps que le compte de "
        "la personne, puis rattachés à sa ligne anonyme (les notes d'appel sont effacées) : "
        + ACCOUNT_ERASURE
        + ". Les chiffres de fréquentation ne gardent alors plus de nom. La copie de la "
        "tablette (accueil sans réseau) est effacée dès que le site a reçu les envois, à la fin "
        "de la journée du café et à la déconnexion ; une action refusée par le site y reste, "
        "jamais effacée sans le dire, jusqu'à ce qu'un animateur la renvoie, l'exporte ou "
        "l'efface.",
        keys=("PURGE_LEFT_GRACE_DAYS", "PURGE_INACTIVE_MONTHS"),
        security=(
            "La liste d'appel et l'accueil du café sont réservés aux animateurs.",
            "L'accueil sans réseau ne copie sur la tablette que le prénom, le nom et la rue "
            "(jamais téléphone, courriel ni adresse complète) ; la page gardée par le navigateur "
            "ne contient aucune donnée d'habitant ; la déconnexion efface la copie "
            "(Clear-Site-Data).",
            "Les notes d'appel sont courtes (300 caractères au plus) : le résultat de l'appel, "
            "rien de plus.",
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
        purpose="Répartir les rôles et les familles de tâches du groupe d'animation, transmettre "
        "les notes de passation, publier le contact du groupe, rédiger le bilan annuel.",
        legal_basis="Intérêt légitime",
        basis_reason="Le groupe d'animation doit savoir qui fait quoi pour faire vivre le réseau ; "
        "ses membres sont volontaires.",
        people=("Animateurs et animatrices, pilote et copilote",),
        categories=(
            "Rôle sur le site, place de pilote ou copilote, familles de tâches",
            "Notes de passation",
            "Contact public du groupe",
            "Texte du bilan annuel",
            "Accord du pilote ou du copilote « être connu·e de l'association », avec sa date",
            "Accès d'accompagnement donnés à l'accompagnateur de l'association : à qui, par qui, "
            "jusqu'à quand, retrait",
            "Fiches pratiques : qui les a modifiées, qui a choisi la fiche du mois",
        ),
        stores=(
            Store(
                "users",
                "role group_role known_to_association known_to_association_at",
                "known_to_association : l'accord « être connu·e de l'association », non par défaut",
            ),
            Store(
                "support_grants",
                "coach_account_id coach_name granted_by granted_at ends_at revoked_at revoked_by",
                "au plus 30 jours ; chaque page lue par l'accompagnateur est au journal",
            ),
            Store("family_members", "user_id family"),
            Store("handover_notes", "author_id family text created_at"),
            Store("activity_reports", "text updated_by_id"),
            Store("sheets", "content updated_by_id", "les fiches pratiques écrites par le groupe"),
            Store("sheet_of_month", "sheet_slug chosen_by_id chosen_at"),
            Store(
                "perimeter",
                "contact",
                "souvent le téléphone ou le courriel d'un animateur, publié avec son accord",
            ),
        ),
        recipients=(
            "Les animateurs et animatrices du groupe",
            "Tout le monde pour le contact du groupe (page publique, courriers, affiches)",
            "L'association qui accompagne le réseau : le prénom et l'initiale du pilote et du "
            "copilote, seulement avec leur accord ; son accompagnateur lit les pages du groupe "
            "pendant un accès d'accompagnement que le groupe lui donne (lecture seule, au journal)",
        ),
        retention="Tant que la personne fait partie du groupe ; les notes de passation et les "
        "bilans tant qu'ils sont utiles au groupe ; le nom de l'auteur s'efface avec son compte : "
        + ACCOUNT_ERASURE
        + ".",
        keys=("PURGE_LEFT_GRACE_DAYS", "PURGE_INACTIVE_MONTHS"),
        security=(
            "Seul un administrateur donne ou retire le rôle d'animateur ; chaque changement est au "
            "journal.",
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
        purpose="Tenir le registre des boîtes aux lettres du périmètre pour inviter chaque "
        "logement aux rendez-vous (un courrier par logement, avec un code QR), respecter les « pas "
        "de courrier », compter les courriers qui font venir du monde.",
        legal_basis="Intérêt légitime",
        basis_reason="Inviter les voisins par un courrier dans leur boîte est le moyen de la "
        "méthode ; le registre ne contient que des adresses, sans nom, et « pas de courrier » est "
        "respecté.",
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
                    "number rep street complement postcode city lon lat notes no_letters vacant "
                    "reference address_key"
                ),
                "aucun nom de personne ; la référence du code QR ne désigne que le logement",
            ),
            Store("letters_sent", "dwelling_id print_run_id sent_on"),
            Store("print_runs", "params_json file_name created_by_id confirmed_by_id"),
            Store("letter_scans", "print_run_id dwelling_id at"),
        ),
        recipients=(
            "Les animateurs et animatrices du groupe",
            "Les bénévoles qui distribuent les courriers",
        ),
        retention="Le registre des logements, tant que le réseau existe, tenu à jour par le "
        "groupe. Les fichiers PDF des tournées, qui contiennent les adresses, sont effacés après "
        "%(PRINT_FILES_RETENTION_DAYS)d jours (PRINT_FILES_RETENTION_DAYS).",
        keys=("PRINT_FILES_RETENTION_DAYS",),
        security=(
            "Le registre n'est visible que des animateurs.",
            "La lecture d'un code QR n'enregistre ni l'adresse IP, ni le téléphone, ni aucun "
            "identifiant. Pour ne pas compter chaque rechargement, le navigateur garde jusqu'à "
            "minuit un cookie signé, renvoyé seulement à l'adresse du code QR, qui ne contient que "
            "la date et les tournées déjà comptées ce jour-là (rien n'est ajouté à la base).",
        ),
        public_title=_l("Les courriers dans les boîtes aux lettres"),
        public_purpose=_l(
            "Pour inviter chaque logement aux cafés, le groupe tient une liste des adresses du "
            "quartier, sans aucun nom. Si vous ne voulez plus de courrier, dites-le : nous le "
            "notons."
        ),
        public_retention=_l(
            "La liste des adresses est tenue à jour. Les fichiers des courriers imprimés sont "
            "effacés après %(PRINT_FILES_RETENTION_DAYS)d jours."
        ),
    ),
    Sheet(
        slug="notifications",
        title="Notifications et courriels",
        purpose="Prévenir un membre de ce qui le concerne : réponses, acceptations, rappels, "
        "annulations ; par le site, et par courriel s'il l'a accepté (nouvelles de mes échanges, "
        "annonces de la semaine, lettre d'information).",
        legal_basis="Consentement (courriels) ; exécution du contrat d'adhésion (avis sur le site)",
        basis_reason="Un courriel n'est envoyé qu'avec l'accord de la personne, retirable par un "
        "lien dans chaque courriel ; les avis sur le site font partie du service rendu au membre.",
        people=("Membres", "Parrains et marraines, qui lisent les avis de leurs filleuls"),
        categories=(
            "Texte de l'avis, lien, date de lecture",
            "Date du dernier courriel hebdomadaire",
            "Adresse de courriel (voir l'annuaire)",
        ),
        stores=(
            Store("notifications", "user_id kind text link created_at read_at"),
            Store("users", "weekly_digest_sent_at"),
            Store(
                "outbox_emails",
                "user_id to_address subject body html_body unsubscribe_url created_at sent_at",
                note="les courriels acceptés, le temps que la file des tâches de fond les envoie",
            ),
            Store(
                "newsletter_issues",
                "blocks_json created_by_id emails_queued",
                note="la lettre des voisins : titres d'annonces et prénoms, histoires d'échanges "
                "seulement avec l'accord des deux personnes, jamais d'adresse ni de téléphone",
            ),
        ),
        recipients=(
            "La personne elle-même, ou son parrain ou sa marraine",
            "Le serveur de courriel choisi par le réseau, qui ne fait que transmettre (dans "
            "l'Union européenne)",
        ),
        retention="Un courriel est gardé le temps de son envoi, puis effacé une semaine après "
        "(envoyé ou abandonné). Avis et dates d'envoi sont effacés avec le compte : "
        + ACCOUNT_ERASURE
        + ".",
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
        purpose="Garder la trace des actions sensibles (inscriptions, droits, parrainages, "
        "modération, effacements) pour pouvoir rendre des comptes et repérer un abus ; éviter "
        "qu'un envoi répété soit enregistré deux fois.",
        legal_basis="Intérêt légitime (et obligation de sécurité, RGPD art. 32)",
        basis_reason="Le groupe doit pouvoir montrer qui a fait quoi sur les données des "
        "habitants, et protéger le site.",
        people=(
            "Membres, animateurs et administrateurs qui agissent ; personnes concernées par "
            "l'action",
        ),
        categories=(
            "Qui, quoi, sur qui, quand, détails de l'action",
            "Adresse IP de l'action",
            "Envois de formulaires reconnus (clé, compte, page)",
            "Compteurs d'essais par adresse IP, et lieux de connexion de chaque compte "
            "(sous forme d'empreinte)",
        ),
        stores=(
            Store("audit_events", "actor_id target_user_id action details ip at"),
            Store(
                "idempotency_keys",
                "key user_id method path location created_at",
                "ne sert qu'à reconnaître un envoi répété",
            ),
            Store(
                "rate_limits",
                "key hits expires_at",
                "compteurs d'essais (connexion, code d'activation) : une empreinte de l'adresse "
                "IP, jamais l'adresse elle-même ; avec SQLite, dans le fichier à part "
                "ratelimit.sqlite3",
            ),
            Store(
                "login_places",
                (
                    "user_id place failed_logins failed_login_window_start locked_until "
                    "last_success_at"
                ),
                "d'où un compte se connecte, pour bloquer qui devine un mot de passe sans bloquer "
                "la personne : place est une empreinte de l'adresse IP (réseau /64 en IPv6), "
                "jamais l'adresse",
            ),
        ),
        recipients=("Les administrateurs du périmètre",),
        retention="%(AUDIT_RETENTION_MONTHS)d mois (AUDIT_RETENTION_MONTHS), puis effacement. "
        "Quand une personne est effacée, son nom est retiré des détails et son adresse IP des "
        "actions qu'elle a faites. Les clés d'envoi répété sont effacées après "
        "%(IDEMPOTENCY_KEY_DAYS)d jours (IDEMPOTENCY_KEY_DAYS). Un compteur d'essais est effacé "
        "peu après la fin de sa fenêtre (une heure au plus avec les limites livrées). Un lieu de "
        "connexion d'un compte est oublié par la purge %(LOGIN_KNOWN_PLACE_DAYS)d jours après la "
        "dernière connexion réussie depuis ce lieu (LOGIN_KNOWN_PLACE_DAYS), ou dès la fin du "
        "blocage s'il n'a servi qu'à compter des essais manqués ; l'effacement d'une personne "
        "efface tous ses lieux.",
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
