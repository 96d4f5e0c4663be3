"""Figures and tables fit to print: human labels in French and English with units, each
figure as PDF, SVG and 300-dpi PNG, each table as CSV, Markdown and LaTeX.

Axes do not exaggerate: a quantity whose unit is a share or a 0-1 scale is drawn on its
whole range [0, 1]; counts, need units and money start at zero unless the data are
negative; a difference is drawn around zero.
"""

from __future__ import annotations

import base64
import re
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where a table is displayed: `alliance compare` needs none
    import pandas as pd

#: Resolution of every PNG (dots per inch).
DPI = 300

#: Formats every figure is saved in.
FIGURE_FORMATS = ("pdf", "svg", "png")

#: Labels (French / English) and units of the parameters the report varies.
PARAMETERS: dict[str, tuple[str, str, str]] = {
    "time.electoral_cycle_months": ("Durée du mandat municipal", "Municipal mandate", "months"),
    "time.project_duration_months": ("Durée des projets", "Project duration", "months"),
    "funding.application_cost": ("Coût d'une candidature", "Cost of one application", "FTE-months"),
    "funding.budget_scale": ("Budget des financeurs (x défaut)", "Funders' budget (x default)", ""),
    "governance.rule": ("Règle de partage du pouvoir", "Power-sharing rule", ""),
    "funding.regime": ("Régime de financement", "Funding regime", ""),
    "governance.macro_steering": ("Pilotage national", "National steering", "0-1"),
}

#: Labels (French, English) of the shipped scenarios (scenarios/*.toml); a scenario without one
#: shows its name. Tests check that the report's scenarios have one and that no label outlives
#: its file.
SCENARIOS: dict[str, tuple[str, str]] = {
    "arranger": ("Un ensemblier territorial", "A territorial arranger"),
    "baseline": ("Situation actuelle", "Status quo"),
    "budget_doubled": ("Budget doublé", "Budget doubled"),
    "charter_adopted": ("Charte adoptée librement", "Charter adopted freely"),
    "competitive_calls_heavy": ("Appels à projets lourds", "Heavy competitive calls"),
    "direct_link": ("Lien direct local-national", "Direct local-national link"),
    "engineering_funded": ("Ingénierie financée", "Co-construction costs funded"),
    "example_territories": ("Territoires nommés (exemple)", "Named territories (example)"),
    "fragile_territories": ("Territoires fragiles", "Fragile territories"),
    "france_scale": ("La France à l'échelle", "France at scale"),
    "hub_and_capitalisation": ("Plateforme et capitalisation", "Hub and capitalisation"),
    "imposed_charter": ("Charte imposée comme norme", "Charter imposed as a norm"),
    "long_projects": ("Projets longs (8 ans)", "Long projects (8 years)"),
    "macro_absent": ("Le local laissé seul", "Micro left alone"),
    "macro_led": ("Pilotage national", "Macro-led"),
    "mixed_funding": ("Financement mixte", "Mixed funding"),
    "multi_year_grants": ("Subventions sur 3 ans", "Multi-year grants (3 years)"),
    "nimby_conflicts": ("Intérêts généraux contradictoires", "Contradictory general interests"),
    "pooled_fund": ("Fonds territorial mutualisé", "Pooled territorial fund"),
    "short_terms": ("Mandats courts (3 ans)", "Short terms (3 years)"),
    "subsidiarity": ("Subsidiarité", "Subsidiarity"),
    "workshop_additions": ("Ajouts de l'atelier", "The workshop's additions"),
}

#: Labels (French, English) of the values of categorical parameters.
CHOICES: dict[str, tuple[str, str]] = {
    "macro_led": ("pilotée par le national", "macro-led"),
    "proportional": ("proportionnelle aux apports", "proportional"),
    "equal": ("à parts égales", "equal shares"),
    "subsidiarity": ("subsidiarité", "subsidiarity"),
    "arranger": ("avec un ensemblier", "with an arranger"),
    "competitive_calls": ("appels à projets", "competitive calls"),
    "pooled_fund": ("fonds mutualisé", "pooled fund"),
    "direct_link": ("lien direct", "direct link"),
    "mixed": ("mixte", "mixed"),
    "low": ("faible", "low"),
    "middle": ("moyenne", "middle"),
    "high": ("forte", "high"),
}

#: Labels (French / English) of the report's table columns; a column not listed is an
#: outcome, a parameter or a lever (labelled from its registry) or kept as it is.
COLUMNS: dict[str, str] = {
    "scenario": "Scénario / Scenario", "outcome": "Résultat / Outcome", "unit": "Unité / Unit",
    "reference_mean": "Moyenne de référence / Reference mean", "scenario_mean": "Moyenne du scénario / Scenario mean",
    "difference": "Différence / Difference", "ci95_low": "IC 95 % bas / 95% CI low",
    "ci95_high": "IC 95 % haut / 95% CI high", "pairs": "Paires / Pairs", "p_value": "p",
    "q_value_bh": "q (BH)", "q_value": "q (BH)", "replications": "Réplications / Replications", "lever": "Levier / Lever",
    "label_fr": "Libellé / Label (FR)", "label_en": "Label (EN)", "months": "Mois / Months",
    "effect": "Effet / Effect", "years": "Années / Years", "territories": "Territoires / Territories",
    "power": "Puissance / Power", "power_low": "Puissance, IC bas / Power, CI low",
    "power_high": "Puissance, IC haut / Power, CI high", "fragility_third": "Tiers de fragilité / Fragility third",
    "fragility": "Fragilité / Fragility", "need_before": "Besoin initial / Need before",
    "need_after": "Besoin final / Need after", "impact": "Impact", "impact_per_need": "Impact par besoin / Impact per need",
    "alliance_seats": "Sièges d'alliance / Alliance seats", "ci95_half_width": "Demi-largeur IC / CI half-width",
    "estimate": "Estimation / Estimate", "ci_low": "IC bas / CI low", "ci_high": "IC haut / CI high",
    "p_adjusted": "p ajustée / adjusted p", "detected": "Détecté / Detected", "factor": "Facteur / Factor",
    "label": "Libellé / Label", "index": "Indice / Index", "part": "Partie / Part", "points": "Points",
    "r2": "R²", "ceiling": "Plafond / Ceiling", "r2_share_of_ceiling": "R² / plafond / ceiling", "q2": "Q²",
    "significant": "Différent de la référence / Differs from reference",
    "uptake": "Adoption des leviers / Lever uptake",
    "predicted_effect": "Effet prédit / Predicted effect",
    "effect_share_of_need_left": "Effet en part du besoin restant / Effect as a share of the need left",
    "difference_ci95_low": "Différence, IC bas / Difference, CI low",
    "difference_ci95_high": "Différence, IC haut / Difference, CI high",
    "mean_estimate": "Estimation moyenne / Mean estimate", "draws": "Tirages / Draws", "draw": "Tirage / Draw",
    "assurance": "Puissance moyenne / Assurance", "rep": "Réplication / Replication",
    "territory": "Territoire / Territory",
    "measurement_noise": "Erreur de mesure (x dispersion) / Measurement error (x spread)",
    "build": "Construction / Build",
    "target": "Cible / Target", "role": "Rôle / Role", "figure": "Chiffre / Figure",
    "band_low": "Bande basse / Band low", "band_high": "Bande haute / Band high",
    "before_median": "Avant, médiane / Before, median", "before_low": "Avant, bas / Before, low",
    "before_high": "Avant, haut / Before, high", "before_in_band": "Avant, part dans la bande / Before, share in band",
    "after_median": "Après, médiane / After, median", "after_low": "Après, bas / After, low",
    "after_high": "Après, haut / After, high", "after_in_band": "Après, part dans la bande / After, share in band",
    "module": "Module", "test": "Test", "reason": "Raison / Reason", "purpose": "Objet / Purpose",
    "tests": "Tests", "marked_slow": "Marqués lents / Marked slow",
}


def scenario_label(key: str, lang: str = "both") -> str:
    """A scenario's label, e.g. ``Charte adoptée librement / Charter adopted freely``."""
    fr, en = SCENARIOS.get(key, (key, key))
    return {"fr": fr, "en": en}.get(lang, f"{fr} / {en}")


def value_label(value: Any, column: str = "") -> Any:
    """A cell's value as a reader sees it: scenario ids (in a scenario column), outcome ids
    and categorical parameter values as their French / English labels, anything else
    unchanged."""
    if not isinstance(value, str):
        return value
    from simulation.outcomes import BY_KEY

    if column in ("scenario", "reference", "treatment") and value in SCENARIOS:
        return scenario_label(value)
    if column == "unit" and value in UNITS_FR:
        return f"{UNITS_FR[value]} / {value}"
    if column == "outcome" and value in BY_KEY:
        return f"{BY_KEY[value].label_fr} / {BY_KEY[value].label_en}"
    if value in CHOICES and column not in ("scenario", "reference", "treatment"):
        return " / ".join(CHOICES[value])
    return value


def column_label(col: str) -> str:
    """A table column's French / English label (the CSV keeps the ids, for scripts)."""
    from simulation.outcomes import BY_KEY

    if col in COLUMNS:
        return COLUMNS[col]
    if m := re.fullmatch(r"constants\.lever_(\w+)_(with|without)", col):  # a lever strength's drawn end
        from simulation.levers import BY_ID

        lever = max((i for i in BY_ID if m[1].startswith(i + "_")), key=len, default=None)
        if lever is not None:
            var = m[1][len(lever) + 1:]
            fr, en = ("avec", "with") if m[2] == "with" else ("sans", "without")
            return f"« {BY_ID[lever].label_fr} » : {var} ({fr}) / '{BY_ID[lever].label_en}': {var} ({en})"
    if m := re.fullmatch(r"needed_(\d+)_years", col):
        return f"Territoires nécessaires, {m[1]} ans / Territories needed, {m[1]} years"
    base, _, stat = col.rpartition("_")
    if stat == "mean" and base in BY_KEY:
        return f"{BY_KEY[base].label_fr} / {BY_KEY[base].label_en}, moyenne / mean"
    if col in BY_KEY:
        return f"{BY_KEY[col].label_fr} / {BY_KEY[col].label_en}"
    if col in PARAMETERS:
        return parameter_label(col)
    return col


def display(table: pd.DataFrame) -> pd.DataFrame:
    """The table as printed (Markdown, LaTeX, HTML): labelled columns and values."""
    import pandas as pd

    shown = table.copy()
    for c in shown.columns:
        if pd.api.types.is_bool_dtype(shown[c]):
            shown[c] = ["oui / yes" if v else "non / no" for v in shown[c]]
        elif not pd.api.types.is_numeric_dtype(shown[c]):
            shown[c] = [value_label(v, c) for v in shown[c]]
    return shown.rename(columns={c: column_label(c) for c in shown.columns})


#: Units in French.
UNITS_FR = {"months": "mois", "FTE-months": "ETP-mois", "need units": "unités de besoin", "count": "nombre",
            "share": "part"}

#: Units drawn on their whole range.
BOUNDED_UNITS = ("share", "0-1")


def outcome_unit(key: str) -> str:
    from simulation.outcomes import BY_KEY

    return BY_KEY[key].unit


def parameter_label(key: str, lang: str = "both") -> str:
    """A parameter's label with its unit; the dotted key itself when it has no label."""
    if key not in PARAMETERS:
        return key
    fr, en, unit = PARAMETERS[key]
    name = {"fr": fr, "en": en}.get(lang, f"{fr} / {en}")
    return f"{name} ({unit})" if unit else name


def honest_limits(values: Any, unit: str, difference: bool = False) -> tuple[float, float]:
    """Axis limits that do not exaggerate (see the module's docstring)."""
    import numpy as np

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 1.0)
    if difference:
        m = max(abs(lo), abs(hi), 1e-12) * 1.1
        return -m, m
    if unit in BOUNDED_UNITS:
        return min(0.0, lo), max(1.0, hi)
    return min(0.0, lo * 1.1), max(hi * 1.1, 1e-12) if hi > 0 else 0.0


#: A mark printed across every figure while it is set (``alliance report --quick``:
#: "QUICK: not for publication"), so that a small build cannot pass for the paper's.
WATERMARK: ContextVar[str | None] = ContextVar("watermark", default=None)


def save_figure(fig: Any, folder: Path, name: str) -> list[str]:
    """``figures/<name>.pdf``, ``.svg`` and ``.png`` (300 dpi); returns the relative names.
    Metadata that would change between two builds (creation dates, SVG element ids) are
    fixed or left out, so the same figure gives the same bytes."""
    import matplotlib

    (folder / "figures").mkdir(parents=True, exist_ok=True)
    if (mark := WATERMARK.get()) is not None:
        fig.text(0.5, 0.5, mark, ha="center", va="center", rotation=25, fontsize=26, color="#c00",
                 alpha=0.25, zorder=100)
    written = []
    with matplotlib.rc_context({"svg.hashsalt": name}):
        for fmt in FIGURE_FORMATS:
            rel = f"figures/{name}.{fmt}"
            meta = {"pdf": {"CreationDate": None}, "svg": {"Date": None}, "png": {}}[fmt]
            fig.savefig(folder / rel, dpi=DPI, metadata=meta)
            written.append(rel)
    return written


def embedded_png(folder: Path, name: str) -> str:
    """The PNG of a saved figure as a ``data:`` URI, for the self-contained HTML."""
    data = (folder / f"figures/{name}.png").read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def save_table(table: pd.DataFrame, folder: Path, name: str, caption: str) -> list[str]:
    """``tables/<name>.csv`` (ids and full-precision numbers, for scripts), ``.md`` and
    ``.tex`` (labelled for print, :func:`display`); returns the relative names."""
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    table.to_csv(folder / f"tables/{name}.csv", index=False)
    shown = display(table)
    (folder / f"tables/{name}.md").write_text(f"**{caption}**\n\n{markdown(shown)}\n", encoding="utf-8")
    if (mark := WATERMARK.get()) is not None:  # a quick build's CSV says so in a column of its own
        table = table.assign(build=mark)
        table.to_csv(folder / f"tables/{name}.csv", index=False)
    (folder / f"tables/{name}.tex").write_text(latex(shown, caption, name), encoding="utf-8")
    return [f"tables/{name}.{ext}" for ext in ("csv", "md", "tex")]


#: Columns holding p- or q-values: printed down to "< 0.001" (a simulation's p-value mostly
#: says how many runs were made; White et al. 2014), never as 1e-23.
P_COLUMNS = ("p_value", "q_value", "q_value_bh", "p_adjusted", "p", "q (BH)", "p ajustée / adjusted p")


def p_text(value: Any) -> str:
    """A p- or q-value as printed: ``< 0.001``, three decimals, or ``n/a`` (not tested)."""
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    v = float(value)
    return "< 0.001" if v < 0.001 else f"{v:.3f}"


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "n/a" if value != value else f"{value:.4g}"
    return str(value)


def p_columns(table: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in table.columns if c in P_COLUMNS]
    if not cols:
        return table
    table = table.copy()
    for c in cols:
        table[c] = [p_text(v) for v in table[c]]
    return table


def markdown(table: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table (numbers with 4 significant digits)."""
    table = p_columns(table)
    head = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    rows = ["| " + " | ".join(_cell(v).replace("|", "\\|") for v in row) + " |"
            for row in table.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


_TEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
        "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "€": r"\euro{}"}


def _tex(text: Any) -> str:
    return "".join(_TEX.get(c, c) for c in _cell(text)).replace("< 0.001", "$<$ 0.001")


def latex(table: pd.DataFrame, caption: str, label: str) -> str:
    """A ``table`` environment with booktabs rules (``\\usepackage{booktabs}``)."""
    table = p_columns(table)
    return latex_rows(list(table.columns), table.itertuples(index=False), caption, label)


def latex_rows(columns: list[str], rows: Any, caption: str, label: str) -> str:
    """:func:`latex` of a table given as its column names and rows (values as displayed)."""
    cols = "l" * len(columns)
    lines = [r"\begin{table}[htbp]", r"\centering", f"\\caption{{{_tex(caption)}}}",
             f"\\label{{tab:{label}}}", f"\\begin{{tabular}}{{{cols}}}", r"\toprule",
             " & ".join(_tex(c) for c in columns) + r" \\", r"\midrule"]
    lines += [" & ".join(_tex(v) for v in row) + r" \\" for row in rows]
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return "\n".join(lines)
