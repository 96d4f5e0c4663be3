"""Every word the demo shows, in French (the default) and English.

Lever and outcome labels come from their registries (simulation.levers, simulation.outcomes);
this module holds the rest: interface words, the structural knobs' names and choices, the
headline indicators' plain-words phrasing and a short glossary of the Charter's words.
"""

from __future__ import annotations

from simulation import LEVERS, OUTCOMES

LANGS = ("fr", "en")

#: key -> (fr, en)
WORDS: dict[str, tuple[str, str]] = {
    "title": ("Et si ? Simulateur de l'alliance dans les territoires",
              "What if? Simulator of alliances in territories"),
    "subtitle": ("Choisissez une question : le modèle simule ses {t} territoires {n} fois (les « tirages », "
                 "autant d'histoires possibles) et répond en mots simples, face à la référence.",
                 "Pick a question: the model simulates its {t} territories {n} times (the \"draws\", as many "
                 "possible histories) and answers in plain words, against the reference."),
    "scenario_loaded": ("Référence chargée : scénario « {s} ».", "Reference loaded: scenario \"{s}\"."),
    "switch_lang": ("English", "Français"),
    "cards": ("Et si ?", "What if?"),
    "reference": ("Référence (aujourd'hui)", "Reference (today)"),
    "reference_changed": ("Référence (vos réglages)", "Reference (your settings)"),
    "reference_short": ("référence", "reference"),
    "settings_answer": ("Vos réglages, comparés à aujourd'hui", "Your settings, compared with today"),
    "settings_changed": ("Vous avez changé : {what}.", "You changed: {what}."),
    "card_changes": ("Ce que change cette question : {what}.", "What this question changes: {what}."),
    "all_charter_levers": ("les 21 leviers de la Charte pratiqués pleinement (1 au lieu de {v})",
                           "the Charter's 21 levers fully practised (1 instead of {v})"),
    "compare_title": ("Entre deux questions : « {b} » comparée à « {a} »",
                      "Between two questions: \"{b}\" compared with \"{a}\""),
    "compare_help": ("Les mêmes tirages pour les deux : l'écart et son intervalle disent ce qui sépare ces deux "
                     "choix, sans passer par la référence.",
                     "The same draws for both: the difference and its interval say what separates these two "
                     "choices, without going through the reference."),
    "compare_a": ("Question de départ", "Starting question"),
    "compare_b": ("Question comparée", "Question compared"),
    "compare_log": ("Comparer « {b} » à « {a} »", "Compare \"{b}\" with \"{a}\""),
    "no_change_on": ("Pas de changement établi, ou négligeable : {what}.",
                     "No established or only a negligible change: {what}."),
    "handout_intro": ("Séance du {d} : {q} au modèle, chacune sur les mêmes {n} tirages que la référence "
                      "(aujourd'hui, ou les réglages de la séance).",
                      "Session of {d}: {q} of the model, each on the same {n} draws as the reference (today, "
                      "or the session's settings)."),
    "handout_none": ("Aucune question n'a été posée pendant cette séance.", "No question was asked in this session."),
    "handout_method": ("Un changement est dit établi quand son intervalle à 95 % (pour les {f} indicateurs "
                       "ensemble, sur {n} tirages) exclut « aucun changement » ; cet intervalle couvre le hasard des "
                       "tirages, pas les hypothèses du modèle. Le modèle est une aide à la discussion : ses forces "
                       "sont des hypothèses, pas des mesures.",
                       "A change is called established when its 95% interval (for the {f} indicators together, "
                       "over {n} draws) excludes no change; that interval covers the chance of the draws, not the "
                       "model's assumptions. The model is an aid to discussion: its strengths are assumptions, not "
                       "measurements."),
    "more_details": ("Les autres indicateurs", "The other indicators"),
    "cards_help": ("Appuyez sur une carte pour poser la question ; appuyez de nouveau pour la retirer. "
                   "Trois questions au plus à la fois, à côté de la référence.",
                   "Press a card to ask the question; press it again to remove it. At most three "
                   "questions at once, beside the reference."),
    "cannot": ("Impossible", "Not possible"),
    "elections_mark": ("élections", "elections"),
    "answered_cached": ("Réponse déjà calculée sur {n} tirages communs (tirages n° {a} à {b}).",
                        "Answer already computed over {n} common draws (draws no. {a} to {b})."),
    "no_established": ("Pas de changement établi sur les {n} indicateurs suivis.",
                       "No established change on the {n} indicators followed."),
    "answer": ("La réponse", "The answer"),
    "no_card": ("Appuyez sur une carte « Et si ? » pour obtenir une réponse.",
                "Press a \"What if?\" card to get an answer."),
    "answered_in": ("Réponse calculée en {s} s sur {n} tirages communs (tirages n° {a} à {b}).",
                    "Answer computed in {s} s over {n} common draws (draws no. {a} to {b})."),
    "side_by_side": ("Côte à côte, mois par mois (moyenne des tirages)",
                     "Side by side, month by month (mean over draws)"),
    "month": ("mois", "month"),
    "levers": ("Les leviers de la Charte (0 = absent, 1 = pleinement pratiqué)",
               "The Charter's levers (0 = absent, 1 = fully practised)"),
    "knobs": ("Les règles du jeu", "The rules of the game"),
    "seeds": ("Nombre de tirages", "Number of draws"),
    "first_seed": ("Numéro du premier tirage", "Number of the first draw"),
    "apply": ("Appliquer", "Apply"),
    "reset": ("Tout remettre à zéro", "Reset everything"),
    "reset_confirm": ("Oui, tout effacer", "Yes, clear everything"),
    "cancel": ("Annuler", "Cancel"),
    "saved_to": ("Séance enregistrée au fur et à mesure : dossier {d}, fichier {f}.",
                 "Session saved as it goes: folder {d}, file {f}."),
    "export": ("Exporter la séance (zip)", "Export the session (zip)"),
    "export_hint": ("Le fichier se prépare en quelques secondes après le clic : un seul clic suffit.",
                    "The file takes a few seconds to prepare after the click: one click is enough."),
    "log": ("Journal de la séance", "Session log"),
    "glossary": ("Petit lexique", "Short glossary"),
    "projector": ("Mode projecteur", "Projector mode"),
    "error": ("Valeur refusée", "Value refused"),
    "kept": ("les derniers réglages valides sont conservés.", "the last valid settings are kept."),
    "max_cards": ("Trois questions au plus à la fois, à côté de la référence : appuyez de nouveau sur une "
                  "carte bleue pour la retirer d'abord",
                  "At most three questions at once, beside the reference: press a blue card again to "
                  "remove it first"),
    "replaying": ("Séance rejouée depuis {f} ({n} actions).", "Session replayed from {f} ({n} actions)."),
    "step": ("Étape de la séance", "Session step"),
    "step_said": ("Étape {k} sur {n} : {what}", "Step {k} of {n}: {what}"),
    "step_start": ("le début, aucune action encore", "the start, no action yet"),
    "nothing_logged": ("Rien pour l'instant.", "Nothing yet."),
    "changed_from": ("réglage modifié", "setting changed"),
    "group_principles": ("7 principes d'Action en alliance", "7 principles of acting in alliance"),
    "group_modalities": ("7 modalités d'Actions collectives", "7 modalities of collective action"),
    "group_means": ("7 moyens d'Actions mutualisés", "7 means of pooled action"),
    "group_additions": ("Ajouts proposés par l'atelier", "Additions proposed by the workshop"),
    # structural knobs
    "governance.rule": ("Règle de gouvernance", "Governance rule"),
    "governance.macro_steering": ("Pilotage par le national (objectifs et chemin)",
                                  "National steering (objectives and path)"),
    "funding.national_budget_scale": ("Argent de l'État (1 = aujourd'hui)", "The State's money (1 = today)"),
    "governance.charter": ("La Charte, là où on la pratique, est…", "The Charter, where it is practised, is…"),
    "funding.regime": ("Mode de financement", "Funding regime"),
    "funding.budget_scale": ("Budget (1 = aujourd'hui)", "Budget (1 = today)"),
    "time.electoral_cycle_months": ("Durée du mandat (mois)", "Electoral cycle (months)"),
    "time.project_duration_months": ("Durée des projets (mois)", "Project duration (months)"),
    "time.grant_duration_months": ("Durée des subventions (mois)", "Grant duration (months)"),
    # choices
    "macro_led": ("pilotée par le national", "led by the national level"),
    "proportional": ("proportionnelle aux apports", "proportional to contributions"),
    "equal": ("à parts égales", "equal shares"),
    "subsidiarity": ("subsidiarité", "subsidiarity"),
    "arranger": ("avec un ensemblier", "with an arranger"),
    "competitive_calls": ("appels à projets", "calls for projects"),
    "pooled_fund": ("fonds territorial mutualisé", "pooled territorial fund"),
    "direct_link": ("lien direct financeur-association", "direct funder-association link"),
    "mixed": ("mixte (appels et fonds)", "mixed (calls and fund)"),
    "voluntary": ("adoptée librement", "adopted freely"),
    "imposed": ("imposée", "imposed"),
    # series plotted side by side
    "series.impact": ("Impact cumulé sur les besoins", "Cumulative impact on needs"),
    "series.alliances_active": ("Alliances en action", "Alliances acting"),
    "series.engagement": ("Engagement des partenaires (0-1)", "Partners' engagement (0-1)"),
    "series.trust_micro_macro": ("Confiance micro-macro (0-1)", "Micro-macro trust (0-1)"),
    # the territories' map and stories (experiments.demo.territories)
    "map_title": ("Les territoires et leurs alliances (schéma)", "The territories and their alliances (diagram)"),
    "map_help": ("Un schéma, pas une carte de France : chaque disque numéroté est un territoire, placé près de "
                 "ses voisins ; les petites formes autour sont ses acteurs (la forme dit leur type). Un trait "
                 "relie les partenaires d'une alliance ; sa couleur dit ce qu'elle est devenue. Cliquez sur un "
                 "territoire pour lire son histoire.",
                 "A diagram, not a map: each numbered disc is a territory, placed near its neighbours; the "
                 "small shapes around it are its actors (the shape says their type). A line links the partners "
                 "of an alliance; its colour says what became of it. Click a territory to read its story."),
    "map_history": ("Histoire montrée", "History shown"),
    "map_draw": ("Une histoire possible parmi les tirages : celle du tirage {s}, sur {m} mois.",
                 "One possible history among the draws: that of draw {s}, over {m} months."),
    "territory_pick": ("Territoire", "Territory"),
    "story_of": ("Histoire du territoire {n}", "Story of territory {n}"),
    "show_map": ("Voir les territoires", "Show the territories"),
    "hide_map": ("Cacher les territoires", "Hide the territories"),
    "territory_n": ("Territoire {n}", "Territory {n}"),
    "territories": ("Territoires", "Territories"),
    "kind.state": ("État", "State"),
    "kind.foundation": ("Fondation", "Foundation"),
    "kind.firm": ("Entreprise", "Firm"),
    "kind.association": ("Association", "Association"),
    "kind.official": ("Élu local", "Local official"),
    "kind.states": ("État", "State"),
    "kind.foundations": ("Fondations", "Foundations"),
    "kind.firms": ("Entreprises", "Firms"),
    "kind.associations": ("Associations", "Associations"),
    "kind.officials": ("Élus locaux", "Local officials"),
    "need.economic": ("économique", "economic"),
    "need.social": ("social", "social"),
    "need.environmental": ("environnemental", "environmental"),
    "needs_title": ("Besoins non couverts, mois par mois (1 = rien n'est couvert)",
                    "Unmet needs, month by month (1 = nothing is met)"),
    "needs_intro": ("Besoins non couverts (1 = rien n'est couvert, 0 = tout l'est), au départ puis au mois {m} :",
                    "Unmet needs (1 = nothing is met, 0 = all is), at the start then at month {m}:"),
    "needs_grow": ("Dans le modèle, les besoins non couverts remontent d'eux-mêmes chaque mois, plus vite dans un "
                   "territoire fragile (« des fragilités grandissantes ») ; les alliances les font baisser tant "
                   "qu'elles agissent (documentation du modèle, § 7.2). Des besoins plus hauts à la fin ne disent "
                   "donc pas que les alliances ont nui : sans elles, ils seraient plus hauts encore.",
                   "In the model, unmet needs grow back by themselves every month, faster in a fragile territory "
                   "(\"growing fragilities\"); alliances bring them down while they act (model documentation, "
                   "§ 7.2). Higher needs at the end do not mean the alliances did harm: without them, needs would "
                   "be higher still."),
    "need_line": ("{need} {a} → {b} ({c})", "{need} {a} → {b} ({c})"),
    "who_is_here": ("Sur place : {o} équipe municipale, {a} associations et {f} entreprises (région {r}).",
                    "Here: {o} local council, {a} associations and {f} firms (region {r})."),
    "fragility.fragile": ("Un territoire plutôt fragile (fragilité {x} sur une échelle de 0 à 1).",
                          "A rather fragile territory (fragility {x} on a scale from 0 to 1)."),
    "fragility.middle": ("Un territoire de fragilité moyenne ({x} sur une échelle de 0 à 1).",
                         "A territory of middling fragility ({x} on a scale from 0 to 1)."),
    "fragility.sturdy": ("Un territoire plutôt solide (fragilité {x} sur une échelle de 0 à 1).",
                         "A rather sturdy territory (fragility {x} on a scale from 0 to 1)."),
    "of_which": ("Parmi elles :", "Of these:"),
    "from_to": ("Mois {a} à {b}", "Months {a} to {b}"),
    "from_on": ("Depuis le mois {a}", "From month {a}"),
    "with": (", avec {who}", ", with {who}"),
    "alliance_line": ("{when} : une alliance pour le besoin {need}, portée par {holder}{withwho} ; {fate}.",
                      "{when}: an alliance on the {need} need, led by {holder}{withwho}; {fate}."),
    "fate.success": ("menée à son terme, elle a réussi", "carried to its end, it succeeded"),
    "fate.no_result": ("menée à son terme, sans résultat durable", "carried to its end, without a lasting result"),
    "fate.election": ("arrêtée après l'élection : la nouvelle équipe municipale s'est retirée",
                      "stopped after the election: the new local council withdrew"),
    "fate.never_started": ("abandonnée avant de démarrer : l'argent ou le temps pour lancer le projet "
                           "n'est jamais venu", "given up before starting: the money or the time to "
                           "launch it never came"),
    "fate.no_partners": ("n'a pas trouvé assez de partenaires", "did not find enough partners"),
    "fate.stopped": ("arrêtée en route (départ de partenaires, conflit, revers ou opposition des habitants)",
                     "stopped on the way (partners left, a conflict, a setback or residents' opposition)"),
    "fate.ongoing": ("toujours en cours à la fin", "still going at the end"),
    "vote_changed": ("Mois {m} : élection municipale, l'équipe a changé.",
                     "Month {m}: municipal election, the council changed."),
    "vote_kept": ("Mois {m} : élection municipale, la même équipe reste en place.",
                  "Month {m}: municipal election, the same council stays."),
    "no_vote": ("Aucune élection pendant les {m} mois racontés.", "No election in the {m} months told."),
    "its_alliances": ("Ses alliances", "Its alliances"),
    "its_elections": ("Ses élections", "Its elections"),
    "no_alliance": ("Aucune alliance n'a réuni ses partenaires ici.",
                    "No alliance brought its partners together here."),
}

#: Words that change with a number: key -> (French one, French many, English one, English many).
COUNTED: dict[str, tuple[str, str, str, str]] = {
    "alliances_summary": ("En {y} ans, {n} alliance a été lancée ici ; {f} a réuni ses partenaires.",
                          "En {y} ans, {n} alliances ont été lancées ici ; {f} ont réuni leurs partenaires.",
                          "In {y} years, {n} alliance project started here; {f} brought its partners together.",
                          "In {y} years, {n} alliance projects started here; {f} brought their partners together."),
    "fate_count.success": ("{n} réussie", "{n} réussies", "{n} succeeded", "{n} succeeded"),
    "fate_count.no_result": ("{n} sans résultat durable", "{n} sans résultat durable",
                             "{n} without a lasting result", "{n} without a lasting result"),
    "fate_count.election": ("{n} arrêtée après une élection", "{n} arrêtées après une élection",
                            "{n} stopped after an election", "{n} stopped after an election"),
    "fate_count.never_started": ("{n} jamais démarrée", "{n} jamais démarrées",
                                 "{n} never started", "{n} never started"),
    "fate_count.no_partners": ("{n} faute de partenaires", "{n} faute de partenaires",
                               "{n} without enough partners", "{n} without enough partners"),
    "fate_count.stopped": ("{n} arrêtée en route", "{n} arrêtées en route",
                           "{n} stopped on the way", "{n} stopped on the way"),
    "fate_count.ongoing": ("{n} encore en cours", "{n} encore en cours", "{n} still going", "{n} still going"),
    "vote_stopped": ("{n} alliance s'est arrêtée parce que la nouvelle équipe s'est retirée.",
                     "{n} alliances se sont arrêtées parce que la nouvelle équipe s'est retirée.",
                     "{n} alliance stopped because the new council withdrew.",
                     "{n} alliances stopped because the new council withdrew."),
    "who.official": ("l'équipe municipale", "{n} équipes municipales", "the local council", "{n} local councils"),
    "who.association": ("une association", "{n} associations", "an association", "{n} associations"),
    "who.firm": ("une entreprise", "{n} entreprises", "a firm", "{n} firms"),
    "who.regional_foundation": ("la fondation régionale", "{n} fondations régionales",
                                "the regional foundation", "{n} regional foundations"),
    "who.national_foundation": ("une fondation nationale", "{n} fondations nationales",
                                "a national foundation", "{n} national foundations"),
    "who.state": ("l'État", "l'État", "the State", "the State"),
    "years": ("{n} an", "{n} ans", "{n} year", "{n} years"),
    "questions_asked": ("{n} question posée", "{n} questions posées", "{n} question asked", "{n} questions asked"),
}

#: Glossary of the Charter's words: (term_fr, definition_fr, term_en, definition_en).
GLOSSARY: tuple[tuple[str, str, str, str], ...] = (
    ("Impact sur les besoins", "Ce que les alliances ont réduit des besoins non couverts des territoires, "
     "additionné sur les 10 ans ; 1 = un besoin (économique, social ou environnemental) d'un territoire "
     "entièrement couvert.",
     "Impact on needs", "How much the alliances reduced the territories' unmet needs, added up over the 10 "
     "years; 1 = one need (economic, social or environmental) of one territory fully met."),
    ("Survie des alliances", "Parmi les alliances qui ont commencé à agir et se sont terminées, la part qui "
     "est allée jusqu'au bout de son projet.",
     "Alliance survival", "Among the alliances that started acting and ended, the share that carried "
     "their project to its end."),
    ("ODD", "Les 17 objectifs de développement durable de l'ONU, que la Charte prend pour cadre commun.",
     "SDG", "The United Nations' 17 sustainable development goals, which the Charter takes as a common "
     "frame."),
    ("Alliance", "Des acteurs différents (associations, entreprises, élus, fondations, État) qui "
     "agissent ensemble pour un besoin du territoire.",
     "Alliance", "Different actors (associations, firms, officials, foundations, the State) "
     "acting together on a need of the territory."),
    ("Micro / macro", "Micro : les acteurs d'un territoire. Macro : le national (État, grandes "
     "fondations) qui accompagne, finance et fait passer à l'échelle.",
     "Micro / macro", "Micro: a territory's actors. Macro: the national level (State, large "
     "foundations) that supports, funds and scales up."),
    ("Levier", "Une pratique de la Charte, de 0 (absente) à 1 (pleinement pratiquée).",
     "Lever", "A practice of the Charter, from 0 (absent) to 1 (fully practised)."),
    ("Subsidiarité", "Décider au plus près du terrain, le niveau supérieur n'intervenant qu'en "
     "appui.", "Subsidiarity", "Deciding as close to the ground as possible, the higher level "
     "only supporting."),
    ("Ensemblier", "Un tiers qui anime l'alliance et relie ses partenaires.",
     "Arranger", "A third party that facilitates the alliance and links its partners."),
    ("Rendez-vous manqué", "Une alliance décidée mais abandonnée faute d'argent pour démarrer.",
     "Missed appointment", "An agreed alliance abandoned because the money to start never came."),
    ("Tirage", "Une histoire possible de l'ensemble des territoires (le hasard y joue autrement) ; toutes "
     "les questions sont posées aux mêmes tirages pour comparer à chances égales.",
     "Draw", "One possible history of all the territories (chance plays out differently); every question "
     "is asked of the same draws so the comparison is fair."),
    ("Intervalle à 95 %", "La fourchette où se trouve l'écart dans le modèle (pas dans le monde réel) avec "
     "95 % de confiance ; elle couvre le hasard des tirages, pas les hypothèses du modèle. S'il contient "
     "zéro, le modèle ne montre pas de changement. « Pour les 9 "
     "indicateurs ensemble » : les 9 fourchettes d'une réponse tiennent ensemble à 95 %, pour qu'un écart "
     "dû au hasard sur l'un des 9 ne soit pas pris pour un résultat. Un écart établi mais très petit est dit "
     "« négligeable ».",
     "95% interval", "The range holding the difference in the model (not in the real world) with 95% "
     "confidence; it covers the chance of the draws, not the model's assumptions. If it contains zero, "
     "the model shows no change. \"For the 9 indicators together\": the 9 "
     "ranges of an answer hold together at 95%, so that a chance difference on one of the 9 is not taken for "
     "a result. An established but very small difference is called \"negligible\"."),
)


def t(key: str, lang: str, **fmt: object) -> str:
    """The word ``key`` in ``lang`` (fr or en), formatted with ``fmt``."""
    fr, en = WORDS[key]
    text = fr if lang == "fr" else en
    return text.format(**fmt) if fmt else text


_LEVER = {lv.id: lv for lv in LEVERS}


def count(key: str, n: int, lang: str, **fmt: object) -> str:
    """The counted word ``key`` for ``n`` in ``lang`` ("1 réussie", "3 réussies")."""
    fr1, frn, en1, enn = COUNTED[key]
    text = (fr1 if n <= 1 else frn) if lang == "fr" else (en1 if n == 1 else enn)
    return text.format(n=n, **fmt)


def lever_label(lever_id: str, lang: str) -> str:
    lv = _LEVER[lever_id]
    return lv.label_fr if lang == "fr" else lv.label_en


def number(value: float, lang: str, digits: int = 1, signed: bool = False) -> str:
    """``value`` with a decimal comma in French, a minus sign, and a + when ``signed``."""
    text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    if lang == "fr":
        text = text.replace(".", ",")
    return text.replace("-", "\u2212")


def percent(value: float, lang: str, digits: int = 0, signed: bool = False) -> str:
    """``value`` in percent (value already multiplied by 100): "23 %" in French, "23%" in English."""
    return number(value, lang, digits, signed) + ("\u00a0%" if lang == "fr" else "%")


def english_only_labels() -> list[str]:
    """Every English label shown in the English view that differs from its French twin: the
    French view must hold none of them (the browser test checks it)."""
    pairs = list(WORDS.values())
    pairs += [(lv.label_fr, lv.label_en) for lv in LEVERS]
    pairs += [(o.label_fr, o.label_en) for o in OUTCOMES]
    pairs += [(g[0], g[2]) for g in GLOSSARY]
    pairs += [(c[0], c[2]) for c in COUNTED.values()] + [(c[1], c[3]) for c in COUNTED.values()]
    return sorted({en for fr, en in pairs if en != fr and en.lower() not in fr.lower()})


#: The vocabulary of the project's error messages (experiments.io, simulation.params and
#: session), English -> French, longest phrases first.
_MESSAGE_FR: tuple[tuple[str, str], ...] = (
    ("expected a model parameter; the draws are set apart",
     "attendu un paramètre du modèle ; les tirages se règlent à part"),
    ("expected a whole number of draws from", "attendu un nombre entier de tirages de"),
    ("expected a territory number from", "attendu un numéro de territoire de"),
    ("expected the story of the reference or of a question shown",
     "attendu l'histoire de la référence ou d'une question affichée"),
    ("expected a TOML value (true, 12, 0.8, \"text\" or a plain word)",
     "attendu une valeur (true, 12, 0.8, \"texte\" ou un mot simple)"),
    ("expected a dotted parameter key", "attendu une clé de paramètre"),
    ("expected a value after '='", "attendu une valeur après '='"),
    ("expected a whole number", "attendu un nombre entier"),
    ("expected a value", "attendu une valeur"),
    ("expected one of", "attendu l'une des valeurs"),
    ("expected kind", "attendu le type"),
    ("expected KEY=VALUE", "attendu CLÉ=VALEUR"),
    ("is a value, not a section", "est une valeur, pas une section"),
    ("unknown word", "mot inconnu"),
    ("unknown key", "clé inconnue"),
    ("did you mean", "vouliez-vous dire"),
    ("first seed", "premier tirage"),
    ("top level", "premier niveau"),
    ("expected", "attendu"),
    ("found nothing", "reçu rien"),
    ("found", "reçu"),
    ("settings", "réglages"),
    ("address", "adresse"),
    ("event", "action"),
    ("seeds", "tirages"),
    ("card", "carte"),
    ("territory", "territoire"),
    ("key", "clé"),
    ("from", "de"),
    ("to", "à"),
    ("or", "ou"),
    ("and", "et"),
)


def message(text: str, lang: str) -> str:
    """An error message of the project in ``lang``: in French, its fixed words translated
    (the keys, values and names it quotes stay as they are) and French spacing before ':'."""
    if lang != "fr":
        return text
    import re

    parts = re.split(r"('[^']*'|\"[^\"]*\"|\([a-z_.]+\))", text)  # leave quoted names alone
    out = []
    for part in parts:
        if part[:1] in ("'", '"', "("):
            out.append(part)
            continue
        for en, fr in _MESSAGE_FR:
            part = re.sub(rf"(?<![\w.]){re.escape(en)}(?![\w.])", fr, part)
        out.append(part.replace(";", " ;").replace("  ;", " ;"))
    return re.sub(r"(?<=\S):(?=\s)", " :", "".join(out))
