"""The end-of-run summary: every outcome of simulation/outcomes.py; finite, except the outcomes
that have nothing to average in a run, which are NaN (``outcomes.MAY_BE_UNDEFINED``)."""

from __future__ import annotations

import numpy as np

from .state import (
    A_ABANDONED,
    A_ACTIVE_SUM,
    A_ADOPTION,
    A_ALLIANCE_SPENT,
    A_APPLICATIONS,
    A_BLOCKED,
    A_COMPLETED,
    A_CONTESTED,
    A_ELECTION_ABANDON,
    A_ENDED,
    A_ENG_N,
    A_ENG_SUM,
    A_EXIT_CONFLICT,
    A_EXIT_ORDERLY,
    A_FORMED,
    A_FORMED_NATIONAL,
    A_FORMED_TWO_ASSOC,
    A_FORMED_TYPES,
    A_GRANTS,
    A_IMPACT_ECO,
    A_IMPACT_ENV,
    A_IMPACT_SOC,
    A_LOST,
    A_MISSED,
    A_MONTHS,
    A_PATH_SQ,
    A_PATH_SUM,
    A_POOL_FULL,
    A_POSITIVE_IMPACT,
    A_RECOGNITION,
    A_SUCCESS,
    ASSOCIATION,
    FIRM,
    N_KINDS,
    OFFICIAL,
    STATE,
    State,
)

NAN = float("nan")


def ratio(num: float, den: float, zero: float = 0.0) -> float:
    return float(num / den) if den > 0 else float(zero)


def equity_gap(impact: np.ndarray, fragility: np.ndarray, initial_need: np.ndarray) -> float:
    """Impact per unit of initial need: (mean of the least fragile third - mean of the most
    fragile third) / mean of all. Positive: the least fragile territories reduced a larger
    share of their initial need than the most fragile (the gap widens against the fragile);
    negative: the most fragile gained more, relative to what they needed."""
    n = len(impact)
    relative = impact / np.maximum(initial_need, 1e-9)
    mean = relative.sum() / n if n else 0.0
    if n < 3 or mean <= 0:
        return NAN
    order = np.argsort(fragility, kind="stable")
    third = n // 3
    return float((relative[order[:third]].sum() / third - relative[order[-third:]].sum() / third) / mean)


def admin_burden(app_time: np.ndarray, staff: np.ndarray, applications: np.ndarray, months: float) -> float:
    """Mean share of staff time that associations which applied spent on applications (the
    associations' ``app_time``, ``staff`` and ``applications``)."""
    applied = (applications > 0) & (staff > 0)
    n = np.count_nonzero(applied)
    if n == 0 or months <= 0:
        return NAN
    return float((app_time[applied] / (staff[applied] * months)).sum() / n)


def top_shares(x: np.ndarray, shares: tuple[float, ...]) -> tuple[float, ...]:
    """The share of ``x``'s total held by its largest ``share`` of entries (at least one), for
    each of ``shares``; NaN when the total is not positive."""
    total = x.sum()
    if total <= 0:
        return (NAN,) * len(shares)
    descending = np.sort(x)[::-1]
    return tuple(float(descending[:max(1, int(round(share * len(x))))].sum() / total) for share in shares)


def summarise(s: State, initial_trust: float) -> dict[str, float]:
    """Every outcome, from the run counters and the final actors (each field read once, as a
    plain array: a mean is its sum over its count, as ``np.mean`` computes it)."""
    acc = s.acc
    act = s.actors
    kind = act["kind"]
    is_assoc = kind == ASSOCIATION
    n_assoc = np.count_nonzero(is_assoc)
    small = act["small"][is_assoc]
    partnered = act["partnered"][is_assoc]
    grants = act["grants"][is_assoc]
    n_small = np.count_nonzero(small)
    n_partnered = np.count_nonzero(partnered)
    is_local = ~act["national"]
    n_local = np.count_nonzero(is_local)
    firms = is_local & (kind == FIRM)
    joined = act["alliances_joined"]
    formed = acc[A_FORMED]
    money = np.bincount(kind, weights=act["to_associations"], minlength=N_KINDS)  # by source
    top2, top1 = top_shares(grants, (0.02, 0.01))
    impact = acc[A_IMPACT_ECO] + acc[A_IMPACT_SOC] + acc[A_IMPACT_ENV]
    n_paths = formed
    path_var = ratio(acc[A_PATH_SQ], n_paths) - ratio(acc[A_PATH_SUM], n_paths) ** 2
    out = {
        "impact": impact,
        "impact_economic": acc[A_IMPACT_ECO],
        "impact_social": acc[A_IMPACT_SOC],
        "impact_environmental": acc[A_IMPACT_ENV],
        "equity_gap": equity_gap(s.territory_impact, s.territories["fragility"],
                                 s.territories["initial_need"]),
        "alliances_formed": formed,
        "alliances_active": ratio(acc[A_ACTIVE_SUM], acc[A_MONTHS]),
        "alliance_survival": ratio(acc[A_COMPLETED], acc[A_ENDED], NAN),
        "alliance_diversity": ratio(acc[A_FORMED_TYPES], formed, NAN),
        "path_diversity": float(np.sqrt(max(path_var, 0.0))) if n_paths >= 2 else NAN,
        "exits_orderly": acc[A_EXIT_ORDERLY],
        "exits_conflictual": acc[A_EXIT_CONFLICT],
        "scaling_rate": ratio(acc[A_ADOPTION] + acc[A_RECOGNITION], acc[A_SUCCESS], NAN),
        "local_successes": acc[A_SUCCESS],
        "missed_appointments": acc[A_MISSED],
        "admin_burden": admin_burden(act["app_time"][is_assoc], act["staff"][is_assoc],
                                     act["applications"][is_assoc], acc[A_MONTHS]),
        "application_success_rate": ratio(acc[A_GRANTS], acc[A_APPLICATIONS], NAN),
        "small_associations_funded": float(np.count_nonzero(grants[small] > 0)),
        "small_associations_participation": ratio(np.count_nonzero(small & partnered), n_small, NAN),
        "association_cooperation": ratio(acc[A_FORMED_TWO_ASSOC], formed, NAN),
        "trust_micro_macro": float(act["trust"][is_local].sum() / n_local) if n_local else initial_trust,
        "engagement": ratio(acc[A_ENG_SUM], acc[A_ENG_N], NAN),
        "abandonment_rate": ratio(acc[A_ABANDONED], formed, NAN),
        "election_abandonments": acc[A_ELECTION_ABANDON],
        "blocked_share": ratio(acc[A_BLOCKED], acc[A_CONTESTED], NAN),
        "cost_per_impact": ratio(acc[A_ALLIANCE_SPENT], acc[A_POSITIVE_IMPACT], NAN),
        "national_partnership_share": ratio(acc[A_FORMED_NATIONAL], formed, NAN),
        "local_authority_share": ratio(np.count_nonzero(act["with_authority"][is_assoc] & partnered), n_partnered,
                                       NAN),
        "grant_concentration_top2": top2,
        "initiatives_unpartnered": acc[A_LOST],
        "pool_overflows": acc[A_POOL_FULL],
        "grant_concentration_top1": top1,
        "firm_partnership_share": ratio(np.count_nonzero(act["partnered"][firms]), np.count_nonzero(firms), NAN),
        "association_firm_partnership_share": ratio(np.count_nonzero(act["with_firm"][is_assoc]), n_assoc, NAN),
        "money_share_state": ratio(money[STATE], money.sum(), NAN),
        "money_share_local_authority": ratio(money[OFFICIAL], money.sum(), NAN),
        "state_public_money_share": ratio(money[STATE], money[STATE] + money[OFFICIAL], NAN),
        "stable_partnership_share": ratio(np.count_nonzero(joined >= 2), np.count_nonzero(joined >= 1), NAN),
    }
    return {k: float(v) for k, v in out.items()}
