"""Learning: skills, knowledge, research, the legal framework and national attention evolve.

Seed: « il est nécessaire de muscler les compétences des acteurs »; the Charter's
« compétences : [...] croisent des compétences multiples... et en créent »; « mutualiser :
les démarches partenariales sont des dynamiques apprenantes [...] à tous les niveaux »;
« contribution à la recherche [...] consolider les connaissances, puis de les transformer en
compétences »; « contribution à l'évolution du cadre législatif » and, in the workshop,
inaction « renforcé par des questions juridiques (aspects légaux à vérifier, voire à faire
évoluer) ».

Each month: partners of acting alliances gain skill ``competences_rate * (1 - skill)``;
where alliances act, every local actor gains ``mutualisation_rate * (1 - skill)``; the
national research stock grows by ``research_rate`` (it raises every alliance's
effectiveness, so it shows only on long horizons); the national legal and administrative
friction, which slows the start of action, falls by ``legal_rate * friction``. Knowledge
stocks slowly fade (memory is not free), and so does the cooperative trust among a
territory's associations, less where learning dynamics are pooled and passed on
(mutualisation: the Charter asks to pass learning dynamics on « à tous les niveaux des
organisations publiques et privées engagées dans une démarche d'alliance »; the model reads
the organisations engaged as the territory's actors, an assumption: so the habit of
cooperating outlives the alliance that built it). National attention for
recognitions is renewed at each national review.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..constants import value
from ..levers import pair
from ..params import Params
from ..state import ACTING, K
from .common import (
    N_FRICTION,
    N_RECOGNITION_LEFT,
    N_RESEARCH,
    N_SHARED_KNOWLEDGE,
    N_WILL,
    practice,
    practised,
    record,
)

KNOWLEDGE_DECAY = value("knowledge_decay")

(C_COMPETENCES, C_MUTUALISATION, C_RESEARCH, C_LEGAL, C_NAT_TEMPO, C_COMPETENCES0,
 C_MUTUALISATION0, C_RESEARCH0, C_LEGAL0, C_BY_WILL, C_FADE, C_FADE0, C_RECOGNITIONS,
 C_CROWD_OUT) = range(14)
Coefficients = namedtuple("Coefficients", (
    "competences mutualisation research legal nat_tempo competences0 mutualisation0 "
    "research0 legal0 by_will fade fade0 recognitions crowd_out"
))


def coefficients(p: Params) -> Coefficients:
    competences = pair(p, "competences", "skill")
    mutualisation = pair(p, "mutualisation", "spill")
    research = pair(p, "research", "stock")
    legal = pair(p, "legal_framework", "friction")
    fade = pair(p, "mutualisation", "fade")
    m = p.mechanisms
    imposed = p.governance.charter == "imposed" and m.will_dynamics and m.crowding_out
    return record(
        Coefficients,
        competences=competences[1], mutualisation=mutualisation[1], research=research[1],
        legal=legal[1],
        nat_tempo=p.time.national_tempo_months,
        competences0=competences[0], mutualisation0=mutualisation[0], research0=research[0],
        legal0=legal[0],
        by_will=p.constants.will_full if p.mechanisms.practice_by_will else 0.0,
        fade=fade[1], fade0=fade[0], recognitions=p.constants.recognition_capacity,
        crowd_out=p.constants.crowd_out if imposed else 0.0,
    )


@njit(cache=True)
def step(c, month, state):
    territories, actors, ini = state.territories, state.actors, state.initiatives
    members, nat = state.members, state.nat
    seated = np.zeros(actors.shape[0], np.bool_)  # in at least one acting alliance this month
    for i in range(state.live[0]):  # the slots beyond were never opened (State.live)
        if ini[i].status != ACTING:
            continue
        rate = practised(c[C_COMPETENCES0], c[C_COMPETENCES], ini[i].practice)
        for k in range(K):
            a = members[i, k]
            if a >= 0:
                actors[a].skill += rate * (1.0 - actors[a].skill)
                seated[a] = True
    if c[C_CROWD_OUT] > 0.0:  # an imposed Charter crowds out the will of whoever must practise it
        for a in range(actors.shape[0]):
            if seated[a] and not actors[a].national:
                actors[a].will -= c[C_CROWD_OUT] * actors[a].will
    for t in range(territories.shape[0]):
        territories[t].knowledge *= 1.0 - KNOWLEDGE_DECAY
        qt = practice(territories[t].will, c[C_BY_WILL])
        territories[t].coop_trust *= 1.0 - practised(c[C_FADE0], c[C_FADE], qt)
        if territories[t].active > 0:
            rate = practised(c[C_MUTUALISATION0], c[C_MUTUALISATION], qt)
            a0 = territories[t].first_actor
            for a in range(a0, a0 + territories[t].n_actors):
                actors[a].skill += rate * (1.0 - actors[a].skill)
    q = practice(nat[N_WILL], c[C_BY_WILL])  # research and the law: practised by the whole field
    nat[N_SHARED_KNOWLEDGE] *= 1.0 - KNOWLEDGE_DECAY
    nat[N_RESEARCH] += practised(c[C_RESEARCH0], c[C_RESEARCH], q)
    nat[N_FRICTION] -= practised(c[C_LEGAL0], c[C_LEGAL], q) * nat[N_FRICTION]
    if month % int(c[C_NAT_TEMPO]) == 0:
        nat[N_RECOGNITION_LEFT] = c[C_RECOGNITIONS]


