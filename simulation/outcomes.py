"""Summary outcomes of a run: key, unit and definition (docs/ODD.md, "Observation").

An outcome that averages or divides over events that did not happen in a run (no alliance
ended, no success, no application...) is *undefined* in that run: it is NaN, never a made-up 0
(a 0 would read as "no alliance survived"). ``zero`` says when: those whose text starts with
"undefined" may be NaN (:attr:`Outcome.may_be_undefined`); every other outcome is always finite.
Tables and comparisons average the runs where an outcome is defined and say in how many it was not
(experiments/io/results.py ``describe``). The monthly series holds the ``SERIES`` columns.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    key: str
    unit: str
    definition: str
    zero: str  # value when the denominator is 0 ("undefined (NaN) when ...": NaN)
    label_fr: str
    label_en: str

    @property
    def may_be_undefined(self) -> bool:
        """True when a run with nothing to average gives NaN for this outcome."""
        return self.zero.startswith("undefined")


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("impact", "need units", "(one need unit = the whole of one need dimension of one territory, need 1 -> 0) need reduced by acting alliances month by month, plus the lasting result of successes, summed over territories and dimensions (signed)", "0", "Impact sur les besoins", "Impact on needs"),
    Outcome("impact_economic", "need units", "impact on the economic need", "0", "Impact économique", "Economic impact"),
    Outcome("impact_social", "need units", "impact on the social need", "0", "Impact social", "Social impact"),
    Outcome("impact_environmental", "need units", "impact on the environmental need", "0", "Impact environnemental", "Environmental impact"),
    Outcome("equity_gap", "ratio", "impact per unit of initial need, (mean of the least fragile third of territories - of the most fragile third) / mean of all; positive: the least fragile reduced a larger share of their initial need (the gap widens against the fragile), negative: the most fragile gained more relative to their need", "undefined (NaN) when mean impact <= 0 or fewer than 3 territories", "Écart d'équité", "Equity gap"),
    Outcome("alliances_formed", "count", "alliances that reached agreement", "0", "Alliances formées", "Alliances formed"),
    Outcome("alliances_active", "count", "mean number of alliances acting per month", "0", "Alliances actives", "Active alliances"),
    Outcome("alliance_survival", "share", "alliances that started acting and reached the end of their project / alliances that started acting and ended", "undefined (NaN) when none ended", "Survie des alliances", "Alliance survival"),
    Outcome("alliance_diversity", "types", "mean number of distinct actor types per formed alliance", "undefined (NaN) when none formed", "Diversité des alliances", "Alliance diversity"),
    Outcome("path_diversity", "path units", "standard deviation of the paths chosen by formed alliances", "undefined (NaN) when fewer than 2 formed", "Diversité des chemins", "Diversity of paths"),
    Outcome("exits_orderly", "count", "partners that left through an orderly exit", "0", "Sorties ordonnées", "Orderly exits"),
    Outcome("exits_conflictual", "count", "partners that left in conflict", "0", "Sorties conflictuelles", "Conflictual exits"),
    Outcome("scaling_rate", "ratio", "(adoptions elsewhere + national recognitions) / local successes", "undefined (NaN) when no success", "Taux de changement d'échelle", "Scaling rate"),
    Outcome("local_successes", "count", "initiatives that succeeded", "0", "Réussites locales", "Local successes"),
    Outcome("missed_appointments", "count", "agreed alliances abandoned because the money to start never came (rendez-vous manqués)", "0", "Rendez-vous manqués", "Missed appointments"),
    Outcome("admin_burden", "share", "mean over associations that applied of their staff time spent on applications / their staff time", "undefined (NaN) when none applied", "Charge administrative", "Administrative burden"),
    Outcome("application_success_rate", "share", "funded applications / applications, over every allocation round (calls, pooled fund, direct link)", "undefined (NaN) when no application", "Taux de succès des candidatures", "Application success rate"),
    Outcome("small_associations_funded", "count", "distinct small associations (below median size) that received a grant", "0", "Petites associations financées", "Small associations funded"),
    Outcome("small_associations_participation", "share", "small associations that were partners of at least one alliance", "undefined (NaN) when no small association", "Participation des petites associations", "Small associations' participation"),
    Outcome("association_cooperation", "share", "formed alliances with at least two associations", "undefined (NaN) when none formed", "Coopération entre associations", "Cooperation among associations"),
    Outcome("trust_micro_macro", "0-1", "mean trust of local actors at the end (their trust in the macro: it moves with transparency, national recognition and overrides, cross-level conflicts)", "initial trust", "Confiance micro-macro", "Micro-macro trust"),
    Outcome("engagement", "0-1", "mean engagement of partners in acting alliances, over months", "undefined (NaN) when none acting", "Engagement", "Engagement"),
    Outcome("abandonment_rate", "share", "alliances ended by abandonment (delay, lost support, elections) / alliances formed", "undefined (NaN) when none formed", "Taux d'abandon", "Abandonment rate"),
    Outcome("election_abandonments", "count", "alliances abandoned after an election withdrew public support", "0", "Abandons électoraux", "Abandonments after elections"),
    Outcome("blocked_share", "share", "alliances with local costs that were blocked / alliances with local costs that were formed", "undefined (NaN) when none with local costs formed", "Part de projets bloqués", "Blocked share"),
    Outcome("cost_per_impact", "k€ per need unit", "money spent by alliances / positive impact", "undefined (NaN) when no positive impact", "Coût par unité d'impact", "Cost per unit of impact"),
    Outcome("national_partnership_share", "share", "formed alliances with a national actor among the partners", "undefined (NaN) when none formed", "Part de partenariats nationaux", "Share of national partnerships"),
    Outcome("local_authority_share", "share", "associations in partnership whose partners include a local authority", "undefined (NaN) when no association in partnership", "Partenariats avec une collectivité", "Partnerships with a local authority"),
    Outcome("initiatives_unpartnered", "count", "initiatives that found no partner, or whose holder lacked the staff time to set the alliance up, within the holder's patience", "0", "Initiatives sans partenaires", "Initiatives left without partners"),
    Outcome("pool_overflows", "count", "initiatives that could not open because every slot of the initiative pool was taken (should stay 0: the pool holds 6 per territory + 16)", "0", "Débordements du réservoir d'initiatives", "Initiative pool overflows"),
    Outcome("grant_concentration_top2", "share", "share of grant money received by the top 2% of associations", "undefined (NaN) when no grant", "Concentration des subventions (top 2 %)", "Grant concentration (top 2%)"),
    # Calibration patterns (docs/calibration.md says how far each is from its French figure)
    Outcome("grant_concentration_top1", "share", "share of grant money received by the top 1% of associations", "undefined (NaN) when no grant", "Concentration des subventions (top 1 %)", "Grant concentration (top 1%)"),
    Outcome("firm_partnership_share", "share", "local firms that were partners of at least one formed alliance over the run", "undefined (NaN) when no local firm", "Entreprises en partenariat", "Firms in partnerships"),
    Outcome("association_firm_partnership_share", "share", "associations that were partners of at least one formed alliance with a firm", "undefined (NaN) when no association", "Associations en partenariat avec une entreprise", "Associations partnering with firms"),
    Outcome("money_share_state", "share", "money associations received for their alliances from the State (grants and pledges to the pots of alliances an association holds, paid participation of association partners) / that money from every source, the associations' own pledges included", "undefined (NaN) when none", "Part de l'État dans l'argent des projets associatifs", "State's share of associations' project money"),
    Outcome("money_share_local_authority", "share", "the same money from local executives (officials) / that money from every source", "undefined (NaN) when none", "Part des collectivités dans l'argent des projets associatifs", "Local authorities' share of associations' project money"),
    Outcome("state_public_money_share", "share", "the State's part of the public money in associations' project money: from the State / from the State and local executives (the INJEP figures' State / public ratio, comparable although the model counts project money only)", "undefined (NaN) when no public money", "Part de l'État dans l'argent public des projets associatifs", "State's share of public money to associations' projects"),
    Outcome("stable_partnership_share", "share", "actors partnered in at least two formed alliances / actors partnered in at least one (a repeated partnership, the analogue of a stable one)", "undefined (NaN) when none partnered", "Partenariats répétés", "Repeated (stable) partnerships"),
)

OUTCOME_KEYS: tuple[str, ...] = tuple(o.key for o in OUTCOMES)
BY_KEY: dict[str, Outcome] = {o.key: o for o in OUTCOMES}
#: Outcomes that are NaN in a run where they have nothing to average.
MAY_BE_UNDEFINED: frozenset[str] = frozenset(o.key for o in OUTCOMES if o.may_be_undefined)

#: Columns of the monthly series (one row per month).
SERIES: tuple[str, ...] = (
    "month", "impact", "need_mean", "alliances_active", "alliances_searching",
    "alliances_seeking_funds", "engagement", "trust_micro_macro", "applications",
    "grants", "admin_burden", "money_balances", "money_spent", "money_in", "ledger_error",
)
