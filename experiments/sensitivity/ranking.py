"""``ranking.md``: the answer of a sensitivity experiment in plain words, in English and French.

For every outcome: which factors have a detected effect (adjusted for multiplicity), ranked,
with intervals; for every other factor, "not detected at this sample size; the smallest
effect this design detects is X", never "noise". Regression adds R^2 against the ceiling the
seed noise allows and the groups' shares; a design crossed over structural cells adds each
factor's ranks across the cells (where it matters everywhere, where only under some).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from experiments.sensitivity.spec import DUMMY, KEY_INDEX, REST, Spec

INDEX_WORDS = {"SRC": ("standardised regression coefficient (signed; for a categorical factor, the sd of "
                       "its level effects over sd(y))",
                       "coefficient de régression standardisé (signé ; pour un facteur qualitatif, écart-type "
                       "de ses effets de niveau rapporté à celui de y)"),
               "ST": ("total Sobol' index, corrected for seed noise", "indice de Sobol' total, corrigé du bruit des graines"),
               "mu": ("signed mean elementary effect (Morris mu)", "effet élémentaire moyen signé (mu de Morris)")}


def _fr(text: str) -> str:
    """French decimal commas in a number's text."""
    return text.replace(".", ",")


#: The Charter's groups as the French text names them.
GROUP_FR = {"principles": "principes", "modalities": "modalités", "means": "moyens", "additions": "ajouts",
            "structure": "structure", "dummy": "fictif", "lever_strengths": "forces des leviers"}


def _fr_pct(x: float) -> str:
    """A share as French writes it: 80 % (a space before the sign)."""
    return f"{x * 100:.0f} %"


def _n(x: float) -> str:
    return f"{x:.3g}"


def _ci(r: pd.Series, fr: bool = False) -> str:
    text = f"{_n(r.estimate)} [{_n(r.ci_low)}, {_n(r.ci_high)}]"
    return text.replace(", ", " ; ").replace(".", ",") if fr else text


def _labels(spec: Spec) -> dict[str, tuple[str, str]]:
    if not spec.is_simulation:
        return {}
    from simulation import LEVERS

    return {lv.id: (lv.label_en, lv.label_fr) for lv in LEVERS}


def report(spec: Spec, ind: pd.DataFrame, fit: pd.DataFrame, across: pd.DataFrame | None, pilot: dict,
           reps: int, parts: int, timing: dict, figures: list[str], notes: list[tuple[str, str]] = ()) -> str:
    st = spec.statistics
    conf = int(round(st["confidence"] * 100))
    corr = {"holm": "Holm", "bh": "Benjamini-Hochberg"}[st["correction"]]
    key = KEY_INDEX[spec.method]
    tested = int(ind["p_value"].notna().sum())
    en_i, fr_i = INDEX_WORDS[key]
    lines = [f"# Sensitivity / Sensibilité: {spec.name} ({spec.method})", "", spec.description.strip(), "",
             f"Base: `{spec.base}`; overrides: {spec.overrides or 'none'}; model: `{spec.model}`; "
             f"replications per point: {reps}; {parts} part(s).",
             f"Runs: {timing['runs']} in {timing['wall_seconds']} s ({timing['runs_per_second']} runs/s, "
             f"{timing['executor']}).", "",
             *[line for en, fr in notes for line in (f"**EN.** {en}", "", f"**FR.** {fr}", "")],
             "## How to read / Comment lire", "",
             f"**EN.** Each factor's effect is a {en_i}, with its {conf}% interval and a test against zero; "
             f"the {tested} tests of this experiment (factors x outcomes{' x cells' if parts > 1 else ''}) are "
             f"adjusted together ({corr}); each interval is the effect's own, so an interval that excludes 0 may "
             "still be *not detected* after the adjustment. "
             f"*Detected* = adjusted p < {1 - st['confidence']:.2g}. Where an effect is not detected, the table "
             f"gives the smallest effect this design detects ({st['power']:.0%} power at the Bonferroni level): "
             "a smaller effect may exist. Every run has its own seed. The dummy factor is read by nothing; "
             "its effect should not be detected (a check of the test).",
             "",
             f"**FR.** L'effet de chaque facteur est un {fr_i}, avec son intervalle à {conf} % et un test "
             f"contre zéro ; les {tested} tests de l'expérience (facteurs x résultats{' x cellules' if parts > 1 else ''}) "
             "sont ajustés ensemble ; chaque intervalle est celui de l'effet seul : un intervalle qui exclut 0 peut "
             "donc être *non détecté* après l'ajustement "
             f"({corr}). *Détecté* = p ajusté < {_fr(f'{1 - st["confidence"]:.2g}')}. Quand un effet n'est pas "
             f"détecté, le tableau donne le plus petit effet que ce plan détecte (puissance {_fr_pct(st['power'])} au "
             "seuil de Bonferroni) : un effet plus petit peut exister. Chaque simulation a sa propre graine. "
             "Le facteur fictif n'est lu par rien ; son effet ne doit pas être détecté (contrôle du test)."]
    if spec.is_simulation:
        lines += ["", "**EN.** What this measures: how much each lever moves the outcomes given the model's assumed "
                  "mechanisms, the strengths set in simulation.constants (most marked \"assumed\") and the ranges of "
                  "this spec. A lever's rank is conditional on those assumptions, not a finding about the Charter "
                  "by itself; the strength cells of levers_structural.toml show how far it moves when the strengths "
                  "move within their ranges.", "",
                  "**FR.** Ce que cela mesure : combien chaque levier fait bouger les résultats, étant donnés les "
                  "mécanismes supposés du modèle, les forces fixées dans simulation.constants (pour la plupart "
                  "« supposées ») et les plages de cette spec. Le rang d'un levier dépend de ces hypothèses ; ce n'est "
                  "pas à lui seul un constat sur la Charte ; les cellules de forces de levers_structural.toml montrent "
                  "combien il bouge quand les forces varient dans leurs plages."]
    labels = _labels(spec)
    for o in spec.outcomes:
        lines += ["", f"## {o}", ""]
        sub = ind[(ind["outcome"] == o) & (ind["factor2"] == "")]
        if across is not None:
            lines += _across(spec, o, across[across["outcome"] == o], fit[fit["outcome"] == o], labels)
            continue
        lines += _one(spec, o, sub, fit[fit["outcome"] == o] if len(fit) else fit, labels, key)
    if spec.method == "regression" and across is None:
        lines += _stage2(spec, ind)
    seed = {o: v.get("seed_var") for o, v in pilot.items()}
    lines += ["", "## Seed noise / Bruit des graines", "",
              "Variance of one run across seeds, pooled over the pilot's random points / variance d'une "
              "simulation entre graines, sur les points aléatoires du pilote: "
              + ", ".join(f"{o} {_n(v)}" for o, v in seed.items()) + ".",
              "", "## Files / Fichiers", "", "design.parquet, pilot.parquet, indices.csv, fit.csv, rankings.csv "
              "(when crossed), provenance.json, base_params.json, spec.toml; figures: " + ", ".join(figures), "",
              "References: Saltelli et al. 2008, 2010; Jansen 1999; Owen 1997; Holm 1979; Benjamini & Hochberg "
              "1995; MacKinnon & White 1985; Morris 1991; Herman & Usher 2017 (SALib).", ""]
    return "\n".join(lines)


RETAIN_RULE = ("the levers detected (adjusted p < {alpha:.2g}) on at least one of the outcomes, ordered by their "
               "largest |SRC| over those outcomes, the first {top}",
               "les leviers détectés (p ajusté < {alpha_fr}) sur au moins un des résultats, classés par leur plus "
               "grand |SRC| sur ces résultats, les {top} premiers")


def select_retained(ind: pd.DataFrame, candidates: set[str], outcomes: tuple[str, ...] | list[str],
                    top: int) -> list[str]:
    """Stage 2's retained factors from a stage-1 table of indices (the rule is ``RETAIN_RULE``):
    among ``candidates``, those whose SRC is detected on at least one of ``outcomes``, by their
    largest |SRC| over those outcomes (ties by name), the first ``top``."""
    det = ind["detected"]
    if det.dtype == object:
        det = det.map({True: True, False: False, "True": True, "False": False})
    sub = ind[(ind["index"] == "SRC") & det.fillna(False).astype(bool) & ind["factor"].isin(candidates)
              & ind["outcome"].isin(list(outcomes))]
    best = sub.assign(size=sub["estimate"].abs()).groupby("factor")["size"].max()
    best = best.reset_index().sort_values(["size", "factor"], ascending=[False, True], kind="stable")
    return list(best["factor"][:top])


def _stage2(spec: Spec, ind: pd.DataFrame, top: int = 8) -> list[str]:
    """The levers (factors, for a test model) a Sobol' stage would retain from this result."""
    names = {f.name for f in spec.factors if not spec.is_simulation or f.path.startswith("levers.")}
    kept = select_retained(ind, names, spec.outcomes, top)
    alpha = 1 - spec.statistics["confidence"]
    en, fr = (r.format(alpha=alpha, alpha_fr=_fr(f"{alpha:.2g}"), top=top) for r in RETAIN_RULE)
    listed = ", ".join(f'"{f}"' for f in kept)
    return ["", "## Stage 2 / Étape 2", "",
            f"**EN.** `alliance sensitivity SOBOL_SPEC --from THIS_FOLDER` retains {en}: {len(kept)} here.", "",
            f"**FR.** `alliance sensitivity SPEC_SOBOL --from CE_DOSSIER` retient {fr} : {len(kept)} ici.", "",
            f"    retained = [{listed}]"]


def _name(f: str, labels: dict) -> str:
    return f"`{f}`" + (f" ({labels[f][0]} / {labels[f][1]})" if f in labels else "")


def _one(spec: Spec, o: str, sub: pd.DataFrame, fit: pd.DataFrame, labels: dict, key: str) -> list[str]:
    main = sub[sub["index"] == key].copy()
    main["order"] = main["rank"] if main["rank"].notna().all() else -main["estimate"].abs()
    if spec.method == "morris":
        star = sub[sub["index"] == "mu_star"].set_index("factor")
        main["order"] = main["factor"].map(star["rank"])
        main["rank_low"] = main["factor"].map(star["rank_low"])
        main["rank_high"] = main["factor"].map(star["rank_high"])
    main = main.sort_values("order", kind="stable")
    real = main[main["factor"] != DUMMY]
    found = real[real["detected"].fillna(False).astype(bool)]
    missing = real[~real["detected"].fillna(False).astype(bool)]
    top = ", ".join(f"{_name(r.factor, {})} {_ci(r)}" for r in found.head(5).itertuples())
    top_fr = ", ".join(f"{_name(r.factor, {})} {_ci(r, True)}" for r in found.head(5).itertuples())
    mde = float(missing["mde"].max()) if len(missing) else float("nan")
    en = [f"**EN.** {len(found)} of {len(real)} factors {'has' if len(found) == 1 else 'have'} a detected effect on {o}"
          + (f"; the strongest: {top}." if len(found) else ".")]
    fr = [f"**FR.** {len(found)} facteur{'s' if len(found) > 1 else ''} sur {len(real)} "
          f"{'ont' if len(found) > 1 else 'a'} un effet détecté sur {o}"
          + (f" ; les plus forts : {top_fr}." if len(found) else ".")]
    if len(missing):
        en.append(f"Not detected at this sample size: {len(missing)} factors; the smallest effect this design "
                  f"detects is {_n(mde)} ({key}).")
        fr.append(f"Non détectés à cette taille d'échantillon : {len(missing)} facteurs ; le plus petit effet "
                  f"que ce plan détecte est {_fr(_n(mde))} ({key}).")
    if len(fit):
        f = fit.iloc[0]
        band = band_fr = ""
        if np.isfinite(getattr(f, "ceiling_low", np.nan)):
            band = f" [{f.ceiling_low:.2f}, {f.ceiling_high:.2f}] (bootstrap over the pilot's points)"
            band_fr = f" [{_fr(f'{f.ceiling_low:.2f}')} ; {_fr(f'{f.ceiling_high:.2f}')}] (bootstrap sur les points du pilote)"
        if np.isfinite(f.ceiling) and f.ceiling <= 0:  # a small design: its spread is no larger than the noise
            en.append(f"The linear fit explains R² = {f.r2:.2f} of the variance, but the pilot's seed noise is as large "
                      f"as the whole variance across this design's points (1 - noise / variance = {f.ceiling:.2f}): "
                      "no part of it can be called explainable; use more points or replications.")
            fr.append(f"L'ajustement linéaire explique R² = {_fr(f'{f.r2:.2f}')} de la variance, mais le bruit des "
                      "graines du pilote est aussi grand que toute la variance entre les points de ce plan : rien "
                      "n'y est explicable ; plus de points ou de répétitions.")
        else:
            en.append(f"The linear fit explains R² = {f.r2:.2f} of the variance; the seed noise allows at most "
                      f"{f.ceiling:.2f}{band} ({f.r2_share_of_ceiling:.0%} of what is explainable).")
            fr.append(f"L'ajustement linéaire explique R² = {_fr(f'{f.r2:.2f}')} de la variance ; le bruit des graines "
                      f"permet au plus {_fr(f'{f.ceiling:.2f}')}{band_fr} ({_fr_pct(f.r2_share_of_ceiling)} de "
                      "l'explicable).")
        below = spec.regression["emulator_below"]
        if band and f.ceiling_low > 0 and (f.r2 / f.ceiling_high < below <= f.r2 / f.ceiling_low):
            en.append(f"Whether the linear fit is below the emulator's threshold ({below:.0%}) is uncertain: "
                      f"R²/ceiling is between {f.r2 / f.ceiling_high:.2f} and {f.r2 / f.ceiling_low:.2f}.")
            fr.append(f"Savoir si l'ajustement linéaire est sous le seuil de l'émulateur ({_fr_pct(below)}) est "
                      f"incertain : R²/plafond est entre {_fr(f'{f.r2 / f.ceiling_high:.2f}')} et "
                      f"{_fr(f'{f.r2 / f.ceiling_low:.2f}')}.")
        if np.isfinite(f.q2):
            en.append(f"Below the {spec.regression['emulator_below']:.0%} threshold, a Gaussian-process emulator "
                      f"was fitted: Q² = {f.q2:.2f} on {int(f.emulator_test)} held-out runs (indices `ST_emulator`).")
            fr.append(f"Sous le seuil de {_fr_pct(spec.regression['emulator_below'])}, un émulateur (processus gaussien) "
                      f"a été ajusté : Q² = {_fr(f'{f.q2:.2f}')} sur {int(f.emulator_test)} simulations tenues à "
                      "l'écart (indices `ST_emulator`).")
        shares = sub[sub["index"] == "group_share"]
        txt = ", ".join(f"{r.factor} {r.estimate:.0%} [{r.ci_low:.0%}, {r.ci_high:.0%}]" for r in shares.itertuples())
        txt_fr = " ; ".join(f"{GROUP_FR.get(r.factor, r.factor)} {_fr_pct(r.estimate)} [{_fr_pct(r.ci_low)} ; {_fr_pct(r.ci_high)}]"
                            for r in shares.itertuples())
        en.append(f"Shares of the explained variance by group: {txt}.")
        fr.append(f"Parts de la variance expliquée par groupe : {txt_fr}.")
    if spec.method == "sobol" and not len(found[found["factor"] != REST]):
        en.append("Stage 2 is inconclusive at this sample size for this outcome: no retained lever is detected, so "
                  "the order below is not a ranking (ranks are given for detected factors only).")
        fr.append("L'étape 2 ne conclut pas à cette taille d'échantillon pour ce résultat : aucun levier retenu n'est "
                  "détecté, l'ordre ci-dessous n'est donc pas un classement (les rangs ne sont donnés que pour les "
                  "facteurs détectés).")
    if spec.method == "sobol":
        nz = sub[sub["index"] == "noise_part"]
        if len(nz):
            r = nz.iloc[0]
            en.append(f"Seed noise is {_ci(r)} of the variance of the averaged output (removed from every index).")
            fr.append(f"Le bruit des graines fait {_ci(r, True)} de la variance de la sortie moyennée (retiré de "
                      "chaque indice).")
            if r.ci_high > 0.5:
                en.append("The noise may be most of the variance here: the corrected indices divide by a small "
                          "difference and can leave [0, 1]; read none of them as an estimate, raise the runs per "
                          "point (`--precision`).")
                fr.append("Le bruit peut faire l'essentiel de la variance ici : les indices corrigés divisent par une "
                          "petite différence et peuvent sortir de [0, 1] ; n'en lire aucun comme une estimation, "
                          "augmenter les simulations par point (`--precision`).")
        rest = main[main["factor"] == REST]
        kept = main[~main["factor"].isin([REST, DUMMY])]
        if len(rest) and len(kept) and rest["estimate"].iloc[0] > kept["estimate"].max():
            en.append("The group of levers not retained (`other_factors`) has a larger total index than every "
                      "retained lever: retain more (`sobol.retain_top`) or split the group.")
            fr.append("Le groupe des leviers non retenus (`other_factors`) a un indice total plus grand que chaque "
                      "levier retenu : en retenir davantage (`sobol.retain_top`) ou scinder le groupe.")
    lines = [" ".join(en), "", " ".join(fr), "",
             f"| rank / rang | rank {spec.statistics['confidence']:.0%} | factor / facteur | group / groupe | "
             f"{key} [{spec.statistics['confidence']:.0%}] | p adj. | verdict |", "|---|---|---|---|---|---|---|"]
    for i, r in enumerate(main.itertuples(), 1):
        rank = f"{int(r.rank_low)}–{int(r.rank_high)}" if pd.notna(r.rank_low) else ""
        order = str(i)
        if spec.method == "sobol" and not (pd.notna(r.detected) and bool(r.detected)):
            rank = order = "–"  # an undetected index has no rank worth reading
        lines.append(f"| {order} | {rank} | {_name(r.factor, labels)} | {r.group} | {_ci(r)} | {r.p_adjusted:.2g} | "
                     f"{_verdict(r, key)} |")
    return lines


def _verdict(r: pd.Series, key: str) -> str:
    hit = bool(r.detected) if pd.notna(r.detected) else False
    if r.factor == DUMMY and r.index in ("ST", "S1") and pd.isna(r.p_value):  # R = 1: the noise estimator
        return ("measures the seed noise (one run per point): zero by construction, not a check / mesure le bruit "
                "des graines (une simulation par point) : nul par construction, pas un contrôle")
    if r.factor == DUMMY:
        return ("check failed: the dummy is detected / contrôle en échec : le fictif est détecté" if hit
                else "check passed / contrôle réussi")
    if hit:
        return "detected / détecté"
    return (f"not detected at this sample size; the smallest effect this design detects is {_n(r.mde)} / "
            f"non détecté à cette taille d'échantillon ; le plus petit effet que ce plan détecte est {_fr(_n(r.mde))}")


def _family_words(spec: Spec) -> dict[str, tuple[str, str]]:
    """How each family of cells is named in a sentence, in English and French."""
    from experiments.sensitivity.spec import STRENGTHS

    by = " x ".join(f"`{f.name}`" for f in spec.by)
    k = spec.regression.get("draw_cells", 0)
    if STRENGTHS in spec.regression.get("draws", []):
        drawn = (f"the {k} cells where the lever strengths (each lever's \"with\" end) are drawn within their "
                 "plausible ranges",
                 f"les {k} cellules où les forces des leviers (l'extrémité « avec » de chacun) sont tirées dans leurs "
                 "plages plausibles")
    else:
        names = ", ".join(f"`{f.name}`" for f in spec.drawn)
        drawn = (f"the {k} cells where {names} are drawn within their ranges",
                 f"les {k} cellules où {names} sont tirés dans leurs plages")
    n_by = math.prod(len(f.levels) for f in spec.by) if spec.by else 0
    cells = (f"the {n_by} cells {by}", f"les {n_by} cellules {by}")
    if spec.by and spec.drawn:
        cells = (cells[0] + " (strengths at their standard values)" if STRENGTHS in spec.regression["draws"]
                 else cells[0] + " (drawn factors at the base's values)",
                 cells[1] + " (forces à leur valeur standard)" if STRENGTHS in spec.regression["draws"]
                 else cells[1] + " (facteurs tirés à leur valeur de base)")
        drawn = (drawn[0] + " (the base's " + ", ".join(f.name for f in spec.by) + ")",
                 drawn[1] + " (" + ", ".join(f.name for f in spec.by) + " du scénario de base)")
    short = {"by": ("the rule x regime cells" if spec.by and {f.name for f in spec.by} == {"governance.rule", "funding.regime"}
                    else f"the {by} cells", "les cellules règle x régime" if spec.by and {f.name for f in spec.by} ==
                    {"governance.rule", "funding.regime"} else f"les cellules {by}"),
             "draws": (("the strength cells", "les cellules de forces") if STRENGTHS in spec.regression.get("draws", [])
                       else ("the drawn cells", "les cellules tirées"))}
    return {"by": cells, "draws": drawn, "short": short}


def _across(spec: Spec, o: str, acr: pd.DataFrame, fit: pd.DataFrame, labels: dict) -> list[str]:
    fams = [f for f in ("by", "draws") if f in set(acr["family"])]
    words = _family_words(spec)
    every_fam = "all" if len(fams) > 1 else fams[0]
    allc = acr[(acr["family"] == every_fam) & (acr["factor"] != DUMMY)].set_index("factor")
    c = int(allc["cells"].max())
    every = allc[allc["detected_cells"] == c]
    none = allc[allc["detected_cells"] == 0]

    def names(idx: pd.Index, fr: bool = False) -> str:
        return ", ".join(f"`{f}`" for f in idx) or ("aucun" if fr else "none")

    r2 = f"{fit['r2'].min():.2f}–{fit['r2'].max():.2f}" if len(fit) else "n/a"
    known = len(fit) and fit["ceiling"].notna().all()
    ceil = f"{fit['ceiling'].min():.2f}–{fit['ceiling'].max():.2f}" if known else "n/a: needs replications >= 2 in each cell"
    ceil_fr = _fr(ceil) if known else "n/d : il faut au moins 2 répétitions par cellule"
    mde = _n(float(none["mde_max"].max())) if len(none) else ""
    en_w = " and ".join(words[f][0] for f in fams)
    fr_w = " et ".join(words[f][1] for f in fams)
    en = [f"**EN.** Across {en_w}: detected in every cell: {names(every.index)}."]
    fr = [f"**FR.** Sur {fr_w} : détectés dans toutes les cellules : {names(every.index, True)}."]
    short = words["short"]
    for f in fams if len(fams) > 1 else []:
        sub = acr[(acr["family"] == f) & (acr["factor"] != DUMMY)].set_index("factor")
        k = int(sub["cells"].max())
        full = sub[sub["detected_cells"] == k]
        en.append(f"In every one of {short[f][0]}: {names(full.index)}.")
        fr.append(f"Dans chacune de{short[f][1][2:]} : {names(full.index, True)}.")
    for f in fams:
        sub = acr[(acr["family"] == f) & (acr["factor"] != DUMMY)].set_index("factor")
        k = int(sub["cells"].max())
        some = sub[(sub["detected_cells"] > 0) & (sub["detected_cells"] < k)]
        listed = ", ".join(f"`{x}` ({int(r.detected_cells)}/{k})" for x, r in some.iterrows())
        en.append(f"In some of {short[f][0]} only: {listed or 'none'}.")
        fr.append(f"Dans certaines seulement de{short[f][1][2:]} : {listed or 'aucun'}.")
    for f in fams:
        sub = acr[(acr["family"] == f) & (acr["factor"] != DUMMY)].set_index("factor")
        het = sub[sub["heterogeneous"].fillna(False).astype(bool)].sort_values("tau", ascending=False)
        listed = ", ".join(f"`{x}` (τ = {_n(r.tau)})" for x, r in het.iterrows())
        en.append(f"Effect differs between {short[f][0]} (Cochran's Q, adjusted; τ = between-cell sd of the SRC): "
                  f"{listed or 'no lever'}; for the others no difference is detected, and a count such as "
                  "\"detected in 8 cells\" alone is no evidence of one (a constant effect near the detectable "
                  "size is detected in some cells only).")
        fr.append(f"L'effet diffère entre {short[f][1]} (Q de Cochran, ajusté ; τ = écart-type du SRC entre "
                  f"cellules) : {_fr(listed) if listed else 'aucun levier'} ; pour les autres aucune différence n'est "
                  "détectée, et un décompte comme « détecté dans 8 cellules » n'en est pas une preuve (un effet "
                  "constant proche du seuil de détection n'est détecté que dans certaines cellules).")
    if len(none):
        en.append(f"Not detected in any cell at this sample size: {len(none)} factors; in the least precise cell, "
                  f"the smallest effect this design detects is {mde} (SRC).")
        fr.append(f"Non détectés, dans aucune cellule, à cette taille d'échantillon : {len(none)} facteurs ; dans la "
                  f"cellule la moins précise, le plus petit effet que ce plan détecte est {_fr(mde)} (SRC).")
    en.append(f"R² per cell {r2} (noise ceiling {ceil}).")
    fr.append(f"R² par cellule {_fr(r2)} (plafond du bruit {ceil_fr}).")
    head = {"by": ("rule x regime" if spec.by else "cells", "règle x régime" if spec.by else "cellules"),
            "draws": ("strengths", "forces")}
    cols = " | ".join(f"{head[f][0]} / {head[f][1]}: median rank (best–worst) / rang médian (meilleur–pire) | "
                      f"rank interval / intervalle | detected / détecté | differs (τ) / diffère (τ)" for f in fams)
    lines = [" ".join(en), "", " ".join(fr), "", f"| factor / facteur | group / groupe | {cols} |",
             "|---|---|" + "---|---|---|---|" * len(fams)]
    order = acr[acr["family"] == every_fam].sort_values("rank_median", kind="stable")["factor"]
    by_fam = {f: acr[acr["family"] == f].set_index("factor") for f in fams}
    for x in order:
        cells = []
        for f in fams:
            r = by_fam[f].loc[x]
            differs = ("yes / oui" if bool(r.heterogeneous) else "no / non") + f" ({_n(r.tau)})"
            cells.append(f"{r.rank_median:g} ({r.rank_best}–{r.rank_worst}) | {r.rank_low}–{r.rank_high} | "
                         f"{r.detected_cells}/{r.cells} | {differs}")
        lines.append(f"| {_name(x, labels)} | {by_fam[fams[0]].loc[x, 'group']} | " + " | ".join(cells) + " |")
    return lines
