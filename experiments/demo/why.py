"""Why the model answers what it answers when a lever or a rule of the game is moved.

A card says why in a sentence written for it (cards.py). A lever or a rule moved by hand gets
the same kind of line, built from the model's own registry (simulation.levers: what the lever
acts on, the submodel that reads it, the outcome it is meant to move and in which direction)
and from docs/ODD.md's section of that submodel; then it says whether the answer on those
draws shows the expected effect, from the answer itself (so the line cannot contradict the
numbers above it), and that the lever's strength is an assumption ("half the way to the
best", docs/ODD.md § 8).
"""

from __future__ import annotations

from typing import Any

from experiments.io.figures import outcome_label
from simulation import LEVERS, OUTCOMES, Params

from . import answer, i18n

#: docs/ODD.md's section of each submodel (tests/test_demo.py reads the headings to check them).
SECTION = {"elections": "7.1", "needs": "7.2", "emergence": "7.3", "partner_search": "7.4",
           "governance": "7.5", "funding": "7.6", "action": "7.7", "conflicts": "7.8",
           "outcomes": "7.9", "scaling": "7.10", "learning": "7.11"}

#: What each lever changes in the model, in plain French and English (simulation.levers' acts_on).
ACTS_ON: dict[str, tuple[str, str]] = {
    "mutual_trust": ("l'engagement des partenaires se répare après un conflit non résolu, et moins "
                     "d'alliances se brisent", "partners' engagement is repaired after an unresolved conflict, "
                     "and fewer alliances break up"),
    "sdg_frame": ("les objectifs des partenaires divergent moins, et ce que fait le local se voit mieux du "
                  "national", "partners' objectives diverge less, and local contributions are better seen "
                  "nationally"),
    "shared_objectives": ("une alliance décidée passe plus vite à l'action et attend moins ses moyens",
                          "an agreed alliance starts acting sooner and waits less for its means"),
    "complementarity": ("moins de nouvelles initiatives doublent une alliance qui agit déjà sur le même "
                        "besoin", "fewer new initiatives duplicate an active one on the same need"),
    "cross_domain": ("l'effet d'une initiative se répartit sur les trois besoins, avec un bonus de synergie",
                     "an initiative's effect spreads over the three needs, with a synergy bonus"),
    "territorial_anchoring": ("les initiatives visent davantage le besoin le plus pressant et les territoires "
                              "fragiles", "initiatives aim more at the most pressing need and at fragile "
                              "territories"),
    "public_interest_articulation": ("les habitants s'opposent moins aux projets qui ont un coût local, et "
                                     "l'arbitrage les protège", "residents oppose projects with a local cost "
                                     "less, and arbitration protects them"),
    "dialogue": ("un conflit (interne ou avec les habitants) se résout plus souvent",
                 "a conflict (internal or with residents) is resolved more often"),
    "sharing": ("une alliance dépense moins en frais de fonctionnement, et le travail en commun bâtit la "
                "confiance", "an alliance spends less on overheads, and joint work builds trust"),
    "experimentation": ("un pas raté met moins souvent fin à l'alliance",
                        "a failed step ends the alliance less often"),
    "capitalisation": ("plus de projets terminés entrent dans le savoir du territoire",
                       "more finished projects enter the territory's knowledge"),
    "evaluation": ("une alliance qui échoue est repérée plus tôt (corrigée, ou quittée en bon ordre)",
                   "a failing alliance is spotted earlier (fixed, or left in good order)"),
    "innovation": ("une réussite capitalisée est partagée plus loin dans les réseaux des partenaires",
                   "a capitalised success is shared further along the partners' networks"),
    "mutualisation": ("le savoir-faire de co-construction se diffuse à tous les acteurs du territoire",
                      "co-construction skill spreads to every actor of the territory"),
    "data": ("les financeurs voient mieux la qualité d'un projet", "funders see a project's quality better"),
    "tools": ("monter une alliance demande moins de temps au porteur",
              "setting up an alliance takes the holder less time"),
    "competences": ("les partenaires gagnent en savoir-faire à chaque mois de travail en alliance",
                    "partners gain skill with each month of alliance work"),
    "research": ("l'efficacité de chaque alliance monte lentement au fil des ans",
                 "every alliance's effectiveness rises slowly over the years"),
    "contribution_valuation": ("les apports sont comptés et reconnus : moins de promesses non tenues, moins "
                               "d'injustice ressentie", "contributions are counted and credited: fewer broken "
                               "pledges, less unfairness felt"),
    "animation_governance": ("coordonner une grande alliance coûte moins d'argent et d'engagement",
                             "coordinating a large alliance costs less money and engagement"),
    "legal_framework": ("moins de frottements juridiques et administratifs retardent le démarrage et l'action",
                        "less legal and administrative friction delays the start and the action"),
    "exit_clause": ("un partenaire qui part suit plus souvent une procédure de sortie convenue : l'alliance "
                    "et ses moyens continuent", "a leaving partner more often follows an agreed exit "
                    "procedure: the alliance and its assets go on"),
    "engineering_funding": ("l'État paie une part du temps de co-construction",
                            "the State pays a share of the co-construction time"),
    "hub_platform": ("les réussites se voient mieux des autres territoires et du national",
                     "successes are better seen by other territories and nationally"),
    "actor_mapping": ("un porteur rencontre plus souvent un financeur (fondation régionale, acteur national)",
                      "a holder meets a funder (regional foundation, national actor) more often"),
    "third_places": ("des acteurs locaux de types différents se rencontrent plus souvent",
                     "local actors of different types meet more often"),
    "training": ("les conflits internes sont moins fréquents", "internal conflicts are less frequent"),
    "celebration": ("chaque étape franchie redonne de l'engagement", "each milestone reached restores engagement"),
    "accessibility": ("les petites associations ont plus envie de rejoindre une alliance",
                      "small associations are keener to join alliances"),
}

#: Why a rule of the game moves the answer (docs/ODD.md), in plain words: (fr, en).
KNOBS: dict[str, tuple[str, str]] = {
    "governance.rule": ("Dans le modèle, la règle de gouvernance décide qui pèse dans les choix d'une alliance "
                        "et comment s'y partagent l'argent et l'engagement (documentation du modèle, § 7.5).",
                        "In the model, the governance rule decides who weighs in an alliance's choices and how "
                        "money and engagement are shared in it (model documentation, § 7.5)."),
    "funding.regime": ("Dans le modèle, le mode de financement décide qui choisit les projets financés, selon "
                       "quels critères et combien de temps coûte une candidature (documentation du modèle, § 7.6).",
                       "In the model, the funding regime decides who chooses the projects funded, by which "
                       "criteria, and how much time an application costs (model documentation, § 7.6)."),
    "governance.charter": ("Dans le modèle, une Charte imposée entame l'envie de ceux qui doivent la pratiquer "
                           "(2 % par mois, une hypothèse) : on pratique moins ses leviers et l'on s'engage moins, "
                           "parce qu'on en a moins envie (documentation du modèle, § 8).",
                           "In the model, an imposed Charter wears down the will of those who must practise it "
                           "(2% a month, an assumption): its levers are practised less and fewer join, because "
                           "people want it less (model documentation, § 8)."),
    "governance.macro_steering": ("Dans le modèle, le pilotage national donne un cadre et des savoirs communs mais "
                                  "tire chaque projet vers un chemin standard ; l'impact est le plus haut vers un "
                                  "pilotage moyen (documentation du modèle, observation 9).",
                                  "In the model, national steering gives a shared frame and knowledge but pulls "
                                  "every project towards a standard path; impact is highest at middling steering "
                                  "(model documentation, observation 9)."),
    "funding.national_budget_scale": ("Dans le modèle, l'argent de l'État finance des alliances et leur passage à "
                                      "l'échelle ; les autres financeurs ne changent pas (documentation du modèle, "
                                      "§ 7.6).",
                                      "In the model, the State's money funds alliances and their scaling up; the "
                                      "other funders do not change (model documentation, § 7.6)."),
    "funding.budget_scale": ("Dans le modèle, plus d'argent finance plus d'alliances et apaise la concurrence entre "
                             "associations, sans apporter seul visibilité ni capitalisation (documentation du "
                             "modèle, § 7.6 et 7.10).",
                             "In the model, more money funds more alliances and eases competition between "
                             "associations, without bringing visibility or capitalisation by itself (model "
                             "documentation, § 7.6 and 7.10)."),
    "time.electoral_cycle_months": ("Dans le modèle, à chaque élection une nouvelle équipe peut se retirer des "
                                    "alliances en cours, et l'horizon d'un élu s'arrête avec son mandat "
                                    "(documentation du modèle, § 7.1).",
                                    "In the model, at each election a new council may withdraw from running "
                                    "alliances, and an official's horizon ends with the term (model "
                                    "documentation, § 7.1)."),
    "time.project_duration_months": ("Dans le modèle, un projet plus long traverse plus d'élections et de "
                                     "renouvellements de subventions, où il peut s'arrêter (documentation du "
                                     "modèle, § 7.1 et 7.6).",
                                     "In the model, a longer project crosses more elections and grant renewals, "
                                     "where it may stop (model documentation, § 7.1 and 7.6)."),
    "time.grant_duration_months": ("Dans le modèle, à budget égal, une subvention plus longue engage l'argent de "
                                   "plusieurs années d'un coup : moins d'alliances financées chaque année "
                                   "(documentation du modèle, § 1.4 et 7.6).",
                                   "In the model, at the same budget, a longer grant commits several years of "
                                   "money at once: fewer alliances funded each year (model documentation, "
                                   "§ 1.4 and 7.6)."),
}

_LEVER = {lv.id: lv for lv in LEVERS}
_UNIT = {o.key: o.unit for o in OUTCOMES}
_KIND = {h.key: h.kind for h in (*answer.HEADLINES, *answer.MORE)}


def _headline(key: str) -> answer.Headline:
    unit = _UNIT.get(key, "count")
    kind = _KIND.get(key) or ("points" if unit == "share" else "score" if unit == "0-1" else "relative")
    return answer.Headline(key, kind)


def lever_line(lever_id: str, value: float, base: Params, today: answer.Result, now: answer.Result,
               lang: str, alone: bool) -> str:
    """Why the model answers so when the lever ``lever_id`` is set to ``value``; with ``alone``
    (the only setting moved) it also says whether these draws show the effect it is meant to
    have, read from the answer (``today`` against ``now``)."""
    fr = lang == "fr"
    lv = _LEVER[lever_id]
    label = i18n.lever_label(lever_id, lang)
    was = float(getattr(base.levers, lever_id))
    up = value > was
    expected = lv.direction * (1 if up else -1)  # +1: the outcome should rise
    outcome = outcome_label(lv.outcome, lang, unit=False)
    acts = ACTS_ON.get(lever_id)
    section = SECTION.get(lv.submodel)
    where = (f"documentation du modèle, § {section} et § 8" if fr else f"model documentation, § {section} and § 8") \
        if section else ("documentation du modèle, § 8" if fr else "model documentation, § 8")
    if fr:
        que = "qu'" if acts and acts[0][:1] in "aeiouyéèêàâ" else "que "
        does = f"pratiquer « {label} » fait {que}{acts[0]} ({where})" if acts else f"« {label} » agit ({where})"
        head = (f"Dans le modèle, {does}. Vous l'avez {'monté' if up else 'baissé'} : l'indicateur "
                f"« {outcome} » devrait {'monter' if expected > 0 else 'baisser'}.")
    else:
        does = f"practising \"{label}\" means {acts[1]} ({where})" if acts else f"\"{label}\" acts ({where})"
        head = (f"In the model, {does}. You moved it {'up' if up else 'down'}: \"{outcome}\" should "
                f"{'rise' if expected > 0 else 'fall'}.")
    strength = (" Sa force (1 = « la moitié du chemin vers le mieux ») est une hypothèse, pas une mesure."
                if fr else " Its strength (1 = \"half the way to the best\") is an assumption, not a measurement.")
    if not alone:
        return head + (" Plusieurs réglages bougent ensemble : la réponse ne dit pas lequel agit." if fr else
                       " Several settings moved together: the answer does not say which one acts.") + strength
    d = answer.difference(_headline(lv.outcome), today, now)
    n = d.n
    if not d.shown:
        seen = (f" Sur ces {n} tirages, cet effet ne se voit pas (pas de changement établi, ou négligeable) : trop faible pour "
                f"{n} tirages, ou compensé par d'autres mécanismes." if fr else
                f" On these {n} draws the effect does not show (no established or only a negligible change): too small for {n} draws, "
                "or offset by other mechanisms.")
    elif (d.mean > 0) == (expected > 0):
        seen = (f" Sur ces {n} tirages, cet effet se voit : {answer.sentence(d, lang, today=True).split(chr(10))[0]}."
                if fr else f" On these {n} draws the effect shows: {answer.sentence(d, lang, today=True).split(chr(10))[0]}.")
    else:
        seen = (f" Sur ces {n} tirages, l'indicateur va dans l'autre sens ({answer.sentence(d, lang, today=True).split(chr(10))[0]}) : "
                "d'autres mécanismes l'emportent ici, un résultat à regarder de près." if fr else
                f" On these {n} draws the indicator moves the other way ({answer.sentence(d, lang, today=True).split(chr(10))[0]}): "
                "other mechanisms win here, a result to look at closely.")
    return head + seen + strength


#: At most this many "why" lines under moved settings; the others are counted in one more line.
MAX_LINES = 3


def settings_lines(settings: dict[str, Any], base: Params, today: answer.Result, now: answer.Result,
                   lang: str) -> list[str]:
    """One "why" line per lever or rule moved, for the first MAX_LINES of them."""
    lines = []
    alone = len(settings) == 1
    for key, value in settings.items():
        section, _, name = key.partition(".")
        if section == "levers" and name in _LEVER and isinstance(value, int | float):
            lines.append(lever_line(name, float(value), base, today, now, lang, alone))
        elif key in KNOBS:
            lines.append(KNOBS[key][0 if lang == "fr" else 1])
    if len(lines) > MAX_LINES:
        more = len(lines) - MAX_LINES
        lines = lines[:MAX_LINES] + [f"(Et {more} autre(s) réglage(s) bougé(s), chacun avec son propre mécanisme.)"
                                     if lang == "fr" else f"(And {more} more setting(s) moved, each with its own mechanism.)"]
    return lines
