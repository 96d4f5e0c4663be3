"""The lever registry: the Charter's 21 levers and the workshop's 8 proposed additions.

This is the only list of lever ids in the project. The parameter structure, the command
line, the sensitivity specs, the demo and the tests all read it.

Source: the *Charte du « faire alliance »* (seed, annex): "la Charte se structure autour de
21 leviers déclinés en 7 principes d'Action en alliance, 7 modalités d'Actions collectives
et 7 moyens d'Actions mutualisés". The additions come from the World Café's step 4
("Qu'auriez-vous envie d'y ajouter ?").

Dose convention (docs/ODD.md, "Levers"): every lever is an intensity ``d`` in [0, 1]. The
variable it acts on moves linearly from its value without the lever (``d = 0``) to its
value with the lever fully practised (``d = 1``): ``x(d) = x0 + (x1 - x0) * d``. Each pair
(x0, x1) is set by hand, with its own reason and plausible range in the table of constants
(simulation/constants.py ``_REASONS``; ``alliance levers --json`` shows them): the pairs are
stated uncertainty, and a lever ranking holds only as far as it holds when the strengths are
drawn within their ranges (experiments/levers_structural.toml; docs/ODD.md 1.4). Levers act
through existing will: each mechanism multiplies a quantity that is zero when no actor wants
the alliance.
"""

from __future__ import annotations

from dataclasses import dataclass

from .constants import value


@dataclass(frozen=True)
class Lever:
    """One lever: what the Charter says, what it changes in the model, what it should move."""

    id: str
    group: str  # principles | modalities | means | additions
    label_fr: str
    label_en: str
    charter: str  # the Charter's (or the workshop's) own sentence, in French
    acts_on: str  # the state variables or rates it changes, one clause per pathway
    #: The submodels it acts through (simulation/submodels/<name>.py), the main one first: a
    #: lever reads in exactly these (tests/test_levers.py checks both ways), one per pathway
    #: of shared/DOMAIN.md that the seed places in a different step of an initiative's life.
    pathways: tuple[str, ...]
    #: A summary key it should move alone, one it does not set: a lever is never scored on the
    #: variable it moves, nor on one it relabels or whose penalty it cancels (review 9b, finding 6;
    #: docs/ODD.md 1.4 says which target effects are definitional).
    outcome: str
    direction: int  # +1 raises the outcome, -1 lowers it
    default: float  # status-quo intensity (docs/ODD.md justifies it)

    @property
    def submodel(self) -> str:
        """The main pathway's submodel."""
        return self.pathways[0]


#: The Charter's three groups of seven levers, then the workshop's additions, in the Charter's order.
GROUPS = ("principles", "modalities", "means", "additions")

#: Status-quo intensity of the Charter's levers: the principles exist in practice but
#: unevenly and uncodified ("si les alliances d'intérêt général se multiplient sur les
#: territoires, elles sont encore peu valorisées"). One common value keeps the sensitivity
#: design symmetric; the additions are not practised today, so they default to 0.
STATUS_QUO = value("status_quo")

LEVERS: tuple[Lever, ...] = (
    # --- 7 principes d'Action ------------------------------------------------------
    Lever("mutual_trust", "principles", "Respect mutuel et confiance", "Mutual respect and trust",
          "Les parties s'engagent à se respecter mutuellement, et à travailler en confiance.",
          "repair of partners' engagement after an unresolved conflict (trust), and break-ups "
          "avoided; the trust a candidate grants a holder it meets (starting trust)",
          ("conflicts", "partner_search"), "alliance_survival", +1, STATUS_QUO),
    Lever("sdg_frame", "principles", "Les ODD comme cadre commun", "SDGs as a common frame",
          "Les Objectifs de Développement Durable sont retenus comme cadre commun de référence "
          "qui facilitent une sémantique partagée.",
          "chance a partner brings the SDGs as the alliance's common frame (an unframed alliance's "
          "objectives diverge more); visibility of micro contributions to the macro",
          ("governance",), "impact", +1, STATUS_QUO),
    Lever("shared_objectives", "principles", "Des objectifs traduits en actes",
          "Objectives turned into action",
          "Le partage des objectifs de chacun et la recherche d'un enjeu commun a pour finalité "
          "d'être traduit en actes.",
          "monthly probability that an agreed alliance starts acting, and the means it waits for",
          ("governance",), "impact", +1, STATUS_QUO),
    Lever("complementarity", "principles", "Complémentarité avec l'existant",
          "Complementarity with what exists",
          "Les actions engagées le sont dans un principe de complémentarité avec ce qui existe "
          "déjà.",
          "share of new initiatives that duplicate an active one on the same need",
          ("emergence",), "impact", +1, STATUS_QUO),
    Lever("cross_domain", "principles", "Décloisonner économie, social, environnement",
          "Across economy, society and environment",
          "Les alliances d'intérêt général privilégient une réflexion entre les domaines "
          "économiques, sociaux, environnementaux et sociétaux.",
          "spread of an initiative's impact over the three needs, and its synergy bonus; "
          "partners sought beyond the holder's own type of actor (more types eligible)",
          ("emergence", "partner_search"), "impact", +1, STATUS_QUO),
    Lever("territorial_anchoring", "principles", "Les territoires sont le creuset",
          "Territories are the crucible",
          "Les Territoires sont le creuset des alliances d'intérêt général ; ils permettent "
          "d'incarner la réalité de terrain de l'intérêt général, en tenant compte des "
          "fragilités prioritaires.",
          "targeting of initiatives on the most pressing need and on fragile territories",
          ("emergence",), "equity_gap", -1, STATUS_QUO),
    Lever("public_interest_articulation", "principles", "S'articuler à l'intérêt général des élus",
          "Articulation with elected officials' public interest",
          "La co-construction du bien commun [...] se doit de s'articuler à la gestion de "
          "l'intérêt général, garantie par les élus compétents.",
          "residents' opposition to initiatives with local costs, and arbitration against them, "
          "through a supporting official partner; public co-funding of the initiatives the local "
          "executive supports, from its budget",
          ("conflicts", "funding"), "impact", +1, STATUS_QUO),
    # --- 7 modalités d'Action ------------------------------------------------------
    Lever("dialogue", "modalities", "Dialoguer", "Dialogue",
          "Toute démarche d'alliance est fondée sur un dialogue constructif [...] y compris "
          "contradictoires.",
          "probability that a conflict (internal or with residents) is resolved",
          ("conflicts",), "alliance_survival", +1, STATUS_QUO),
    Lever("sharing", "modalities", "Partager données, outils, méthodes", "Sharing",
          "Le partage de données, d'outils, de méthodes, de ressources contribue à mieux "
          "appréhender les modèles de chacun des partenaires.",
          "share of the partners' tools, data and premises run once for the alliance instead of "
          "by each partner (overhead); cooperative trust built by joint work",
          ("action",), "cost_per_impact", -1, STATUS_QUO),
    # Scored on impact, not survival (session 21): the right to error licenses failures (« le
    # droit d'expérimenter et se tromper »), and its first pathway sets the chance a failed step
    # ends an alliance, so survival is near what it sets; the seed wants from it responses to
    # the needs, path as much as result (« Le chemin est aussi important que le résultat »):
    # impact counts the need reduced while alliances act and the results of their successes.
    Lever("experimentation", "modalities", "Expérimenter, droit à l'erreur",
          "Experimentation, right to error",
          "Les alliances sont basées sur une mutuelle reconnaissance du droit à l'erreur et à "
          "l'expérimentation.",
          "probability that a failed step ends the alliance; risk a holder dares beyond its own "
          "tolerance (riskier, higher-potential projects start)",
          ("action", "emergence"), "impact", +1, STATUS_QUO),
    Lever("capitalisation", "modalities", "Capitaliser le chemin", "Capitalising the path",
          "L'attachement à garder mémoire non seulement des résultats mais aussi du chemin est "
          "un gage d'intérêt général.",
          "share of finished initiatives whose path enters the territory's knowledge stock",
          ("outcomes",), "scaling_rate", +1, STATUS_QUO),
    Lever("evaluation", "modalities", "Évaluer conjointement", "Joint evaluation",
          "La valeur du chemin nécessite d'être évaluée conjointement.",
          "early detection of failing alliances (fix or orderly exit); less noise in funders' "
          "scores of an alliance whose path is evaluated (funders select better)",
          ("action", "funding"), "alliance_survival", +1, STATUS_QUO),
    Lever("innovation", "modalities", "Innover et partager avec l'écosystème",
          "Innovating and sharing with the ecosystem",
          "Les résultats obtenus doivent pouvoir être partagés avec l'écosystème afin "
          "d'envisager avec lui les modalités de déploiement de l'innovation.",
          "chance a capitalised success is shared along its partners' networks, reaching "
          "territories beyond its neighbours (each still adopts it by its own will)",
          ("scaling",), "scaling_rate", +1, STATUS_QUO),
    Lever("mutualisation", "modalities", "Mutualiser les dynamiques apprenantes",
          "Pooling learning dynamics",
          "Les démarches partenariales sont des dynamiques apprenantes qu'il convient "
          "d'apprendre, de partager et de transmettre à tous les niveaux.",
          "spill-over of co-construction skill from partners to every actor of the territory; "
          "slower fading of associations' cooperative trust",
          ("learning",), "impact", +1, STATUS_QUO),
    # --- 7 moyens d'Action ---------------------------------------------------------
    Lever("data", "means", "Données", "Data",
          "Les alliances d'intérêt général ont besoin de données pour se situer et mieux "
          "comprendre l'écosystème.",
          "how much of a project's quality (skill, fit, alignment) funders can see",
          ("funding",), "impact", +1, STATUS_QUO),
    Lever("tools", "means", "Outils, base de capitalisation mutualisée", "Tools",
          "Les alliances d'intérêt général bénéficieront d'une capitalisation déjà riche pour "
          "les aider à amorcer leurs démarches.",
          "staff time the holder needs to set up a new alliance",
          ("governance",), "small_associations_participation", +1, STATUS_QUO),
    Lever("competences", "means", "Compétences reconnues et valorisées", "Recognised skills",
          "Il est important de (re)connaître et de valoriser ces compétences.",
          "growth of partners' skill through each month of alliance work",
          ("learning",), "impact", +1, STATUS_QUO),
    Lever("research", "means", "Contribution à la recherche", "Contribution to research",
          "Les praticiens et les chercheurs veilleront à établir des ponts [...] dans un premier "
          "temps de consolider les connaissances, puis de les transformer en compétences.",
          "slow rise of every alliance's effectiveness over the years",
          ("learning",), "impact", +1, STATUS_QUO),
    Lever("contribution_valuation", "means", "Valorisation des contributions, prime à l'alliance",
          "Valuing contributions, alliance bonus",
          "Les partenaires impliqués dans l'alliance veilleront à « l'équilibre de la maison » "
          "de chacun d'entre eux [...] la juste « prime à l'alliance ».",
          "contributions recorded and credited: less free-riding on pledges, less unfairness "
          "felt by those who pay and by micro partners of macro alliances",
          ("action",), "alliance_survival", +1, STATUS_QUO),
    Lever("animation_governance", "means", "Animation et gouvernance",
          "Facilitation and governance",
          "L'animation et les modes de gouvernance des alliances d'intérêt général restent "
          "[...] à inventer, notamment pour les partenariats asymétriques.",
          "growth of coordination cost (money and engagement) with alliance size",
          ("action",), "engagement", +1, STATUS_QUO),
    Lever("legal_framework", "means", "Contribution à l'évolution du cadre législatif",
          "Contribution to the legal framework",
          "Les partenaires veilleront à transmettre à l'acteur public territorial et national "
          "tous les éléments nécessaires pour lui permettre de qualifier les conditions "
          "juridiques [...] les plus adaptées.",
          "legal and administrative friction that delays the start and the months of action",
          ("learning",), "impact", +1, STATUS_QUO),
    # --- the workshop's proposed additions (off by default) ------------------------
    Lever("exit_clause", "additions", "Clause de sortie", "Exit clause",
          "Le faire alliance, comment on en sort ?",
          "chance a leaving partner follows an exit procedure agreed beforehand (its money stays, "
          "a holder hands its role over, the partners left seek a replacement), so the alliance "
          "and its assets go on",
          ("action",), "alliance_survival", +1, 0.0),
    Lever("engineering_funding", "additions", "Financer l'ingénierie et la participation",
          "Funding alliance engineering and participation",
          "Il est nécessaire de financer des expertises d'ingénierie de l'alliance, au niveau "
          "micro, macro et à l'interaction entre les deux.",
          "share of co-construction (participation) costs paid by the State",
          ("partner_search",), "small_associations_participation", +1, 0.0),
    Lever("hub_platform", "additions", "Plateforme unique (hub)", "Single hub platform",
          "Une plateforme unique répertoriant toutes ces initiatives d'alliances [...] permettrait de "
          "les interconnecter et de les valoriser.",
          "chance a success is listed, where it is looked up under its need and competes for "
          "attention with that need's successes only; chance a holder looks a second candidate "
          "up in the listing and asks the one more likely to accept",
          ("scaling", "partner_search"), "scaling_rate", +1, 0.0),
    Lever("actor_mapping", "additions", "Cartographie des acteurs", "Map of actors",
          "Une cartographie des acteurs, pour que les chemins des porteurs de projets et des "
          "investisseurs puissent se croiser plus facilement.",
          "probability that a holder meets a funder (regional foundation, national actor)",
          ("partner_search",), "national_partnership_share", +1, 0.0),
    Lever("third_places", "additions", "Tiers-lieux", "Third places",
          "Des lieux comme cela, qui réuniraient des structures d'intérêt général, des "
          "structures économiques, des citoyens [...]",
          "probability that local actors of different types meet",
          ("partner_search",), "alliance_diversity", +1, 0.0),
    Lever("training", "additions", "Formation à l'intelligence collective",
          "Training in collective intelligence",
          "Des formations de tous [...] aux enjeux et aux compétences de l'intelligence "
          "collective et du « faire avec ».",
          "monthly probability of an internal conflict",
          ("conflicts",), "alliance_survival", +1, 0.0),
    Lever("celebration", "additions", "Célébrer les victoires", "Celebrating victories",
          "Apprendre à célébrer ses victoires et les étapes franchies. Cela crée du lien et "
          "entretient l'engagement.",
          "engagement gained at each milestone",
          ("action",), "impact", +1, 0.0),
    Lever("accessibility", "additions", "Exemples concrets et lexique",
          "Concrete examples and a lexicon",
          "Des gens se diraient « ce n'est pas pour moi » [...] il pourrait y avoir un lexique "
          "dans la Charte.",
          "small associations' will to join alliances, and the share of their co-construction "
          "time their volunteers carry (a route the staff-time gate does not block)",
          ("partner_search",), "small_associations_participation", +1, 0.0),
)

LEVER_IDS: tuple[str, ...] = tuple(lever.id for lever in LEVERS)
BY_ID: dict[str, Lever] = {lever.id: lever for lever in LEVERS}
CHARTER_IDS: tuple[str, ...] = tuple(lv.id for lv in LEVERS if lv.group != "additions")
ADDITION_IDS: tuple[str, ...] = tuple(lv.id for lv in LEVERS if lv.group == "additions")


def dose(d: float, without: float, with_: float) -> float:
    """The common dose convention: a lever at intensity ``d`` moves its variable linearly
    from ``without`` (d = 0) to ``with_`` (d = 1)."""
    return without + (with_ - without) * d


def fidelity(p, lever_id: str) -> float:
    """How faithfully a lever is practised: a Charter imposed as a norm is followed in the
    letter more than in the spirit (Delevoye: « une contrainte par une charte qui serait
    normative et contraignante »; motivation crowding, Frey & Jegen 2001). Additions are not
    part of the Charter, so the way it is adopted does not touch them."""
    imposed = (p.governance.charter == "imposed" and p.mechanisms.imposed_dose
               and BY_ID[lever_id].group != "additions")
    return p.constants.imposed_fidelity if imposed else 1.0


def pair(p, lever_id: str, variable: str) -> tuple[float, float]:
    """(value without the lever, value at its dose and fidelity) of the ``variable`` the
    lever moves, its two ends read from the table of constants (``constants.lever_<id>_
    <variable>_without`` / ``_with``): the ends between which a kernel places the variable
    by the will of those who practise it (common.practised)."""
    without = getattr(p.constants, f"lever_{lever_id}_{variable}_without")
    with_ = getattr(p.constants, f"lever_{lever_id}_{variable}_with")
    d = getattr(p.levers, lever_id) * fidelity(p, lever_id)
    return without, dose(d, without, with_)
