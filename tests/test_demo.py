"""The demo's logic without a browser: cards, plain-words answers, session log, replay, export."""

from __future__ import annotations

import json
import zipfile

import pytest

from experiments.demo import answer, cards, i18n, session, view
from experiments.io.errors import InputError
from simulation import LEVERS, Params

BASE = Params()


def test_every_card_is_valid_against_the_parameters():
    assert cards.validate() == []


def test_a_card_with_a_renamed_parameter_is_named():
    bad = cards.Card("x", "X", "X", {"governance.macro_presense": 0.2})
    problems = cards.validate((bad,))
    assert len(problems) == 1 and "macro_presense" in problems[0] and "did you mean" in problems[0]


def test_every_knob_exists_and_every_word_has_two_languages():
    for key in session.KNOBS:
        BASE.with_overrides({key: BASE.model_dump()[key.split(".")[0]][key.split(".")[1]]})
        assert key in i18n.WORDS
    for choices in session.KNOBS.values():
        for choice in choices or ():
            assert choice in i18n.WORDS
    assert all(fr and en for fr, en in i18n.WORDS.values())
    for group in ("principles", "modalities", "means", "additions"):
        assert f"group_{group}" in i18n.WORDS
    assert sum(lv.group != "additions" for lv in LEVERS) == 21


def test_a_card_and_the_scenario_file_of_the_same_name_change_the_same_thing():
    from experiments.io import scenarios as scn

    baseline = scn.load("baseline").params
    named = [c for c in cards.CARDS if (scn.LIBRARY / f"{c.id}.toml").exists()]
    assert {c.id for c in named} >= {"pooled_fund", "charter_adopted", "multi_year_grants", "budget_doubled",
                                     "engineering_funded"}
    for card in named:
        assert baseline.with_overrides(card.overrides) == scn.load(card.id).params, card.id


def test_every_card_says_why_the_model_answers_in_both_languages():
    for card in cards.CARDS:
        assert "dans le modèle" in card.why("fr").lower() and "in the model" in card.why("en").lower(), card.id


def test_the_state_steers_less_card_keeps_the_states_money():
    p = BASE.with_overrides(cards.BY_ID["state_steers_less"].overrides)
    assert p.governance.macro_steering < BASE.governance.macro_steering
    assert p.funding.model_dump() == BASE.funding.model_dump()


def _result(values: list[float], key: str = "impact") -> answer.Result:
    summaries = tuple({k.key: 0.0 for k in answer.HEADLINES} | {key: v} for v in values)
    return answer.Result(summaries, None, None)  # type: ignore[arg-type]


def test_relative_difference_is_said_in_percent_of_the_reference():
    ref = _result([10.0, 10.0, 10.0, 10.0])
    other = _result([12.0, 12.5, 11.5, 12.0])  # +2 on a mean of 10: +20 %
    d = answer.difference(answer.Headline("impact", "relative"), ref, other)
    assert d.mean == pytest.approx(20.0) and d.low < 20 < d.high and not d.no_change
    text = answer.sentence(d, "fr")
    main, interval = text.split("\n")  # the interval on a second line
    assert main == "Impact sur les besoins : 12 unités de besoin au lieu de 10 pour la référence, soit 20\u00a0% de plus"
    assert interval.startswith("intervalle à 95\u00a0%")
    assert "12 need units instead of 10 for the reference, 20% higher" in answer.sentence(d, "en")


def test_points_difference_and_no_change_are_said_plainly():
    ref = _result([0.5, 0.6, 0.4, 0.5], "alliance_survival")
    other = _result([0.52, 0.58, 0.43, 0.49], "alliance_survival")  # +0.5 points, noisy
    d = answer.difference(answer.Headline("alliance_survival", "points"), ref, other)
    assert d.kind == "points" and d.no_change
    assert "pas de changement établi" in answer.sentence(d, "fr")
    assert "no established change" in answer.sentence(d, "en")
    assert "(50 sur 100 pour la référence ; écart +0,5 point)" in answer.sentence(d, "fr")
    less = _result([0.4, 0.5, 0.3, 0.4], "alliance_survival")
    d = answer.difference(answer.Headline("alliance_survival", "points"), ref, less)
    assert d.mean == pytest.approx(-10.0)
    assert "Survie des alliances : 40 sur 100 au lieu de 50 pour la référence, soit 10 points de moins\n" in \
        answer.sentence(d, "fr")


def test_plain_words_counts_whole_units_named_and_the_trust_score_not_in_percent():
    """Review 12b, finding 10: a count has no decimals, need units are named, the 0-1 trust score
    is said as a score (not "56 %" nor "points"), the interval is a second line."""
    assert answer.level("alliances_formed", 180.7, "fr") == "181"
    assert answer.level("missed_appointments", 3.44, "fr") == "3,4"
    assert answer.level("impact", 7.08, "fr") == "7,1 unités de besoin"
    assert answer.level("alliance_survival", 0.312, "fr") == "31 sur 100"
    ref = _result([0.56, 0.57, 0.55, 0.56], "trust_micro_macro")
    other = _result([0.50, 0.51, 0.49, 0.50], "trust_micro_macro")
    d = answer.difference(answer.Headline("trust_micro_macro", "score"), ref, other)
    text = answer.sentence(d, "fr")
    assert text.startswith("Confiance micro-macro (score de 0 à 1) : 0,50 au lieu de 0,56 pour la référence, "
                           "soit 0,06 de moins\n")
    assert "%" not in text.split("\n")[0] and "point" not in text
    table = dict(view.headline_table(view.View("fr", (0, 1, 2, 3), (view.Scenario("reference", "R", ref),), {}, {},
                                               {}, (), 0.0, 0.0)))
    assert table["Confiance micro-macro (score de 0 à 1)"] == ["0,56"]
    assert table["Alliances formées"] == ["0"] and table["Impact sur les besoins (unités de besoin)"] == ["0"]


def test_what_a_question_changes_is_said_against_today_without_a_settings_dump():
    said = view.changes({"time.project_duration_months": 60, "governance.charter": "imposed",
                         "funding.budget_scale": 2.0, "levers.dialogue": 0.8}, "fr", BASE)
    was = BASE.time.project_duration_months // 12
    assert f"Durée des projets : 5 ans au lieu de {was} ans" in said
    assert "; la Charte, là où on la pratique, est imposée (aujourd'hui : adoptée librement)" in said
    assert f"« Dialoguer » pratiqué à 0,8 au lieu de {BASE.levers.dialogue:g}".replace(".", ",") in said
    assert __import__("re").search(r"= \d", said) is None and "(mois)" not in said  # no "X = 60"


def test_one_of_nine_indicators_under_5_percent_by_chance_is_not_established():
    """Review 12b, finding 7: a question speaks of answer.FAMILY indicators at once, so its
    intervals are simultaneous; a difference whose own 95% interval just excludes 0 (t = 2.5
    on 20 draws) is said as no established change."""
    from experiments.io.results import describe

    diffs = [1.0 + (1.744 if k % 2 else -1.744) for k in range(20)]
    alone = describe(diffs)
    assert alone["ci95_low"] > 0  # one test alone would call it a change
    d = answer.difference(answer.Headline("impact", "relative"), _result([10.0] * 20),
                          _result([10.0 + x for x in diffs]))
    assert answer.FAMILY == len(answer.HEADLINES) + len(answer.MORE) and d.no_change
    assert f"pour les {answer.FAMILY} indicateurs ensemble" in answer.sentence(d, "fr")


def test_relative_from_a_zero_reference_falls_back_to_absolute():
    d = answer.difference(answer.Headline("impact", "relative"), _result([0, 0, 0]), _result([1, 2, 3]))
    assert d.kind == "absolute" and d.mean == pytest.approx(2.0)


@pytest.mark.slow
def test_an_answer_over_20_common_seeds_is_reproducible():
    state = session.State(cards=("pooled_fund",))
    answer._run_frozen.cache_clear()
    v = view.compute(state, BASE)
    assert len(v.seeds) == 20 and len(v.answers["pooled_fund"]) == len(answer.HEADLINES) + len(answer.MORE)
    answer._run_frozen.cache_clear()
    again = view.compute(state, BASE)
    assert again.answers == v.answers
    assert v.scenarios[0].result.summaries == again.scenarios[0].result.summaries


def test_events_change_the_state_and_bad_events_are_refused_with_a_message():
    s = session.State()
    s = session.apply(s, {"kind": "card", "id": "pooled_fund"}, BASE)
    s = session.apply(s, {"kind": "set", "key": "levers.dialogue", "value": 0.8}, BASE)
    assert s.cards == ("pooled_fund",) and s.settings == {"levers.dialogue": 0.8}
    for bad, words in [({"kind": "set", "key": "levers.dialogue", "value": 7}, "« Dialoguer » : attendu un nombre de 0 à 1"),
                       ({"kind": "set", "key": "levers.dialog", "value": 0.5}, "vouliez-vous dire « Dialoguer »"),
                       ({"kind": "set", "key": "governance.rule", "value": "xx"}, "« subsidiarité »"),
                       ({"kind": "set", "key": "run.seed", "value": 3}, "draws"),
                       ({"kind": "card", "id": "pooled_fnd"}, "vouliez-vous dire « Un fonds territorial"),
                       ({"kind": "lang", "value": "de"}, "fr, en"),
                       ({"kind": "seeds", "n": 1}, "from 2"),
                       ({"kind": "seeds", "n": "many"}, "'many'"),
                       ({"kind": "dance"}, "kind")]:
        with pytest.raises(InputError, match=words):
            session.apply(s, bad, BASE)
    s = session.apply(s, {"kind": "card", "id": "pooled_fund"}, BASE)  # pressing again removes it
    assert s.cards == ()


def test_at_most_four_scenarios_side_by_side():
    s = session.State()
    for cid in ("pooled_fund", "elections_3y", "projects_5y"):
        s = session.apply(s, {"kind": "card", "id": cid}, BASE)
    with pytest.raises(InputError, match="Trois questions au plus"):
        session.apply(s, {"kind": "card", "id": "budget_doubled"}, BASE)


def test_replay_of_a_logged_session_gives_the_same_state(tmp_path):
    log = session.Log()
    s = session.State()
    for ev in [{"kind": "lang", "value": "en"}, {"kind": "card", "id": "charter_adopted"},
               {"kind": "set", "key": "funding.regime", "value": "mixed"}, {"kind": "seeds", "n": 25}]:
        s = session.apply(s, ev, BASE)
        log.add(ev)
    path = tmp_path / "session.json"
    path.write_text(log.to_json("baseline"), encoding="utf-8")
    scenario, events = session.read_session(path)
    assert scenario == "baseline" and session.replay(events, BASE) == s
    assert all("t" in e for e in events)


def test_reading_a_bad_session_says_what_is_wrong(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        session.read_session(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "other"}')
    with pytest.raises(InputError, match="format"):
        session.read_session(bad)
    bad.write_text(json.dumps({"format": session.FORMAT, "events": [{"kind": "card", "id": "zz"}]}))
    with pytest.raises(InputError, match="event 1: question 'zz' inconnue"):
        session.replay(session.read_session(bad)[1], BASE)


def test_the_address_is_read_without_trusting_it():
    events, problems = session.events_from_query("?lang=en&card=pooled_fund,zz&set=levers.dialogue=0.9"
                                                 "&seeds=abc&set=novalue&foo=1")
    assert {"kind": "lang", "value": "en"} in events
    assert {"kind": "set", "key": "levers.dialogue", "value": 0.9} in events
    assert {"kind": "card", "id": "zz"} in events  # refused later, by apply
    assert len(problems) == 3


@pytest.mark.slow
def test_export_holds_a_replayable_log_series_figure_and_summary(tmp_path):
    log = session.Log()
    state = session.State()
    for ev in [{"kind": "card", "id": "pooled_fund"}, {"kind": "seeds", "n": 4}]:
        state = session.apply(state, ev, BASE)
        log.add(ev)
    v = view.compute(state, BASE)
    data = session.export_zip(log.to_json("baseline"), view.series_csv(v), {"side_by_side.png": view.figure_png(v)},
                              (view.HANDOUT["fr"], view.handout_html(log.events, v, BASE)))
    path = tmp_path / "export.zip"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert names == {"session.json", "series.csv", "figures/side_by_side.png", "resume-de-la-seance.html"}
        assert zf.read("figures/side_by_side.png").startswith(b"\x89PNG")
        csv = zf.read("series.csv").decode("utf-8-sig")  # French: French headings, ';' and decimal commas
        assert csv.splitlines()[0] == "scénario;tirage;mois;" + ";".join(i18n.t(f"series.{c}", "fr")
                                                                          for c in answer.PLOTTED)
        assert len(csv.splitlines()) == 1 + 2 * 4 * 120
        assert "Un fonds territorial mutualisé" in csv and "." not in csv.splitlines()[-1].split(";", 1)[1]
        assert "," in csv.splitlines()[-1]  # a decimal comma in the last row's values
        summary = zf.read("resume-de-la-seance.html").decode()
        assert "fonds territorial mutualisé" in summary and "(95\u00a0% : " in summary
    assert session.replay(session.read_session(path)[1], BASE) == state
    english = view.series_csv(view.compute(session.apply(state, {"kind": "lang", "value": "en"}, BASE), BASE))
    assert english.splitlines()[0] == "scenario,seed,month," + ",".join(answer.PLOTTED)


def test_the_address_follows_the_session_and_reopens_it():
    s = session.State()
    for ev in [{"kind": "lang", "value": "en"}, {"kind": "card", "id": "elections_3y"},
               {"kind": "card", "id": "pooled_fund"}, {"kind": "set", "key": "levers.dialogue", "value": 0.8},
               {"kind": "set", "key": "governance.rule", "value": "equal"},
               {"kind": "set", "key": "time.electoral_cycle_months", "value": 84},
               {"kind": "seeds", "n": 25, "first": 7}]:
        s = session.apply(s, ev, BASE)
    query = session.to_query(s, "fr", seance="seance-2026-12-01-18h20m05-0042")
    assert "seance=seance-2026-12-01-18h20m05-0042" in query and "card=elections_3y,pooled_fund" in query
    events, problems = session.events_from_query("?" + query)
    assert problems == [] and session.replay(events, BASE) == s
    assert session.to_query(session.State(), "fr") == ""


def test_the_french_words_hold_no_english_label():
    english = i18n.english_only_labels()
    french = " ".join(fr for fr, _ in i18n.WORDS.values())
    assert "Alliance survival" in english
    assert [w for w in english if w in french] == []


def test_refusals_are_said_in_french_in_the_french_view():
    english = ("expected", "found", "unknown", "key", "value", "did you mean", " or ", " and ")
    for event in [{"kind": "set", "key": "levers.dialogue", "value": 7},
                  {"kind": "set", "key": "levers.dialog", "value": 0.5},
                  {"kind": "set", "key": "governance.rule", "value": "equl"},
                  {"kind": "card", "id": "zz"}, {"kind": "seeds", "n": "many"}]:
        with pytest.raises(InputError) as err:
            session.apply(session.State(), event, BASE)
        fr = i18n.message(str(err.value), "fr")
        outside_quotes = " ".join(fr.split("'")[::2])
        assert not [w for w in english if w in outside_quotes], fr
        assert i18n.message(str(err.value), "en") == str(err.value)
    assert i18n.message("settings: key 'levers.dialogue': expected a value <= 1.0; found 7", "fr") == \
        "réglages : clé 'levers.dialogue' : attendu une valeur <= 1.0 ; reçu 7"


@pytest.mark.slow
def test_the_charts_draw_one_line_per_scenario_in_the_pages_language():
    state = session.State(cards=("pooled_fund", "elections_3y"), seeds=3)
    v = view.compute(state, BASE)
    charts = view.chart_options(v)
    assert [c["title"]["text"] for c in charts] == [i18n.t(f"series.{k}", "fr") for k in answer.PLOTTED]
    assert all(c["xAxis"]["name"] == "mois" and len(c["series"]) == 3 for c in charts)
    assert charts[0]["series"][1]["name"] == cards.BY_ID["pooled_fund"].title_fr
    assert len(charts[0]["series"][0]["data"]) == BASE.run.months
    counted = charts[answer.PLOTTED.index("alliances_active")]
    assert counted["yAxis"]["minInterval"] == 1 and "minInterval" not in charts[0]["yAxis"]  # whole counts
    v_en = view.compute(session.State(lang="en", seeds=3), BASE)
    assert view.chart_options(v_en)[0]["xAxis"]["name"] == "month"


def test_a_replayed_event_keeps_its_time_and_the_clock_goes_on():
    log = session.Log()
    log.add({"kind": "card", "id": "pooled_fund", "t": 100.0})
    later = log.add({"kind": "lang", "value": "en"})
    assert log.events[0]["t"] == 100.0 and 100.0 <= later["t"] < 110.0


def test_alliance_demo_refuses_bad_input_in_one_line(tmp_path, capsys):
    from experiments.cli import main

    assert main(["demo", "--replay", str(tmp_path / "nope.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope.json" in err[0] and "no such file" in err[0]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": session.FORMAT, "events": [{"kind": "set", "key": "levers.x", "value": 1}]}))
    assert main(["demo", "--replay", str(bad)]) == 2
    assert "event 1" in capsys.readouterr().err
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["demo", "--save-dir", str(blocker / "sub")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--save-dir" in err[0] and "a-file" in err[0]
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--port", "80"])
    assert exc.value.code == 2 and "1024" in capsys.readouterr().err


def test_the_demo_module_does_not_import_solara_until_it_starts():
    import subprocess
    import sys

    code = "import sys, experiments.cli as c; c.build_parser(); print('solara' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_log_says_each_action_in_plain_words():
    assert session.describe({"kind": "card", "id": "pooled_fund"}, "fr") == \
        "Et si ? Un fonds territorial mutualisé au lieu des appels à projets"
    assert session.describe({"kind": "set", "key": "levers.dialogue", "value": 0.8}, "fr") == "Dialoguer = 0,8"
    assert session.describe({"kind": "set", "key": "funding.regime", "value": "pooled_fund"}, "en") == \
        "Funding regime = pooled territorial fund"
    assert session.describe({"kind": "reset"}, "fr") == "Tout remettre à zéro"


# --- the territories' map and stories ------------------------------------------------------

@pytest.fixture(scope="module")
def record():
    from experiments.demo import territories

    return territories.record(BASE.with_overrides({"time.electoral_cycle_months": 36}))


def test_the_recorded_run_is_the_batch_run_of_its_seed(record):
    from simulation import run

    summary, series = run(BASE.with_overrides({"time.electoral_cycle_months": 36}))
    fates = [a.fate for a in record.alliances]
    # every completion the model counts is found, with its success, in the right alliance's story
    assert fates.count("success") == summary["local_successes"] > 0
    assert record.needs.shape == (BASE.run.months + 1, BASE.territories.count, 3)
    mean_need = record.needs[1:].mean(axis=(1, 2))
    assert mean_need == pytest.approx(series["need_mean"].to_numpy())
    assert sum(a.stage >= 2 for a in record.alliances) >= summary["alliances_formed"]


def test_elections_and_their_withdrawals_are_recorded(record):
    votes = record.elections
    assert {e.month for e in votes} == {36, 72, 108}  # every territory votes every 3 years
    assert len(votes) == 3 * BASE.territories.count
    assert 0 < sum(e.changed for e in votes) < len(votes)
    stopped = sum(e.stopped for e in votes)
    assert stopped == sum(a.fate == "election" for a in record.alliances)
    assert all(a.end in {36, 72, 108} for a in record.alliances if a.fate == "election")


def test_a_territory_story_is_said_in_plain_french_and_english(record):
    from experiments.demo import territories

    t = max(range(record.n_territories), key=lambda k: sum(a.territory == k for a in record.alliances))
    fr = territories.story(record, t, "fr")
    text = " ".join([fr["title"], *fr["facts"], *fr["alliances"], *fr["elections"]])
    assert fr["title"] == f"Territoire {t + 1}"
    assert "Besoins non couverts" in text and "élection municipale" in text and "portée par" in text
    english = [w for w in i18n.english_only_labels() if w in text]
    assert english == [], english
    en = territories.story(record, t, "en")
    assert "Unmet needs" in " ".join(en["facts"]) and "municipal election" in " ".join(en["elections"])
    assert len(en["alliances"]) == len(fr["alliances"]) > 0
    assert "<script" not in territories.story_html(fr, "fr")


def test_the_map_draws_every_territory_and_actor_and_a_click_names_a_territory(record):
    from experiments.demo import territories

    option = territories.map_option(record, "fr", selected=2)
    graph = option["series"][0]
    assert len(graph["data"]) == record.n_territories + len(record.kinds)
    assert graph["data"][2]["itemStyle"]["borderWidth"] > graph["data"][1]["itemStyle"]["borderWidth"]
    assert {c["name"] for c in graph["categories"]} >= {"Associations", "Entreprises", "Élus locaux", "Fondations"}
    assert len(graph["links"]) > 0
    assert territories.clicked_territory({"data": graph["data"][4]}) == 4
    assert territories.clicked_territory({"data": {"source": 1, "target": 2}}) is None
    assert territories.clicked_territory("nonsense") is None
    assert territories.clicked_territory({"data": {"territory": True}}) is None


def test_choosing_a_territory_is_an_event_checked_and_logged():
    s = session.apply(session.State(), {"kind": "territory", "n": 3}, BASE)
    assert s.territory == 2 and s.story_of == "reference"
    s = session.apply(s, {"kind": "card", "id": "pooled_fund"}, BASE)
    s = session.apply(s, {"kind": "territory", "n": 5, "of": "pooled_fund"}, BASE)
    assert s.story_params(BASE).funding.regime == "pooled_fund"
    for bad, words in [({"kind": "territory", "n": 0}, "from 1 to 20"), ({"kind": "territory", "n": "x"}, "'x'"),
                       ({"kind": "territory", "n": 1, "of": "elections_3y"}, "question shown")]:
        with pytest.raises(InputError, match=words) as err:
            session.apply(s, bad, BASE)
        assert "expected" not in i18n.message(str(err.value), "fr").split("'")[0]
    s = session.apply(s, {"kind": "card", "id": "pooled_fund"}, BASE)  # the card put away
    assert s.story_params(BASE).funding.regime == BASE.funding.regime  # back to the reference
    assert session.describe({"kind": "territory", "n": 5, "of": "pooled_fund"}, "fr") == \
        "Histoire du territoire 5 (Un fonds territorial mutualisé au lieu des appels à projets)"


def test_moved_levers_are_answered_against_today_and_the_reference_says_so():
    state = session.State(settings={"levers.dialogue": 1.0}, cards=("pooled_fund",), seeds=3)
    v = view.compute(state, BASE)
    assert v.scenarios[0].label == "Référence (vos réglages)"
    assert len(v.answers["settings"]) == len(answer.HEADLINES) + len(answer.MORE)
    assert 0 <= v.established["settings"] <= len(answer.HEADLINES)
    assert v.elections == (72,)  # the reference's municipal elections, drawn on the charts
    marks = view.chart_options(v)[1]["series"][0]["markLine"]["data"]
    assert marks == [{"xAxis": 72}]
    events = [{"kind": "seeds", "n": 3}, {"kind": "set", "key": "levers.dialogue", "value": 1.0},
              {"kind": "card", "id": "pooled_fund"}]
    assert "Vos réglages, comparés à aujourd&#x27;hui" in view.handout_html(events, v, BASE)
    assert v.why["settings"] and "Dialoguer" in v.why["settings"][0]
    assert all("référence" not in x for x in v.answers["settings"])
    assert any("aujourd'hui" in x for x in v.answers["settings"])
    plain = view.compute(session.State(seeds=3), BASE)
    assert plain.scenarios[0].label == "Référence (aujourd'hui)" and "settings" not in plain.answers


@pytest.mark.slow  # measured: 10-17 s wall at load 11 on 2 cores (pytest --durations), session 22
def test_a_reload_reopens_the_saved_session(tmp_path, monkeypatch):
    from experiments.demo import app

    monkeypatch.setattr(app, "SAVE_DIR", str(tmp_path))
    ctl = app.Controller()
    ctl.do({"kind": "seeds", "n": 3})
    for cid in ("pooled_fund", "pooled_fund", "elections_3y"):
        ctl.do({"kind": "card", "id": cid})
    assert ctl.cards.value == ("elections_3y",)
    ctl.do({"kind": "set", "key": "levers.dialogue", "value": 0.6})
    assert ctl.saved_to is not None and f"seance={ctl.saved_to.stem}" in ctl.query.value
    # a reload: a new page opens the address; the session, its log and its file go on
    again = app.Controller()
    again.start("?" + ctl.query.value)
    assert again.now == ctl.now and again.log.events == ctl.log.events and again.saved_to == ctl.saved_to
    assert again.message.value == ""
    # a name that is not a saved session (or a path) is ignored; the address's words still apply
    other = app.Controller()
    other.start("?card=elections_3y&seance=../../etc/passwd")
    assert other.now.cards == ("elections_3y",) and other.saved_to != ctl.saved_to


def test_a_territorys_alliances_of_these_add_up_to_those_that_found_partners(record):
    import re

    from experiments.demo import territories

    for t in range(record.n_territories):
        facts = " ".join(territories.story(record, t, "fr")["facts"])
        found = re.search(r"; (\d+) (?:a|ont) réuni", facts)
        if found and "Parmi elles" in facts:
            listed = facts.split("Parmi elles :", 1)[1]
            assert sum(int(k) for k in re.findall(r"(\d+) ", listed)) == int(found.group(1)), facts


def test_no_why_line_says_odd_for_the_model_documentation():
    # "ODD" on the page means the UN's goals (a lever, the glossary): the model's documentation is named in full
    assert not [c.id for c in cards.CARDS if "ODD" in c.why("fr") + c.why("en")]


# --- session 18: review 12b's findings 7, 9, 12-19 -------------------------------------------

def test_a_moved_lever_says_why_from_the_registry_and_what_the_answer_shows():
    """Review 12b, finding 7: a lever move gets a "why" line like a card's, from the lever's
    registry entry and the model documentation, and says whether the answer shows the effect the
    lever is meant to have, read from the same numbers as the answer (so it cannot contradict it)."""
    from experiments.demo import why
    from simulation.levers import LEVERS

    lv = next(x for x in LEVERS if x.outcome == "alliance_survival" and x.direction > 0)
    today = _result([0.30, 0.31, 0.29, 0.30] * 5, "alliance_survival")
    cases = {"se voit": [0.40, 0.41, 0.39, 0.40] * 5, "ne se voit pas": [0.30, 0.33, 0.27, 0.31] * 5,
             "l'autre sens": [0.20, 0.21, 0.19, 0.20] * 5}
    for said, values in cases.items():
        now = _result(values, "alliance_survival")
        line = why.lever_line(lv.id, 1.0, BASE, today, now, "fr", alone=True)
        d = answer.difference(answer.Headline("alliance_survival", "points"), today, now)
        assert f"Sur ces {d.n} tirages, " in line and said in line, line
        assert ("ne se voit pas" in line) == d.no_change
        assert line.startswith(f"Dans le modèle, pratiquer « {i18n.lever_label(lv.id, 'fr')} » fait")
        assert "hypothèse, pas une mesure" in line and f"§ {why.SECTION[lv.submodel]}" in line
        english = why.lever_line(lv.id, 1.0, BASE, today, now, "en", alone=True)
        assert english.startswith("In the model, practising") and "assumption" in english
    several = why.settings_lines({f"levers.{lv.id}": 1.0, "funding.regime": "mixed"}, BASE, today, today, "fr")
    assert len(several) == 2 and "Plusieurs réglages bougent ensemble" in several[0]
    many = why.settings_lines({f"levers.{x.id}": 1.0 for x in LEVERS[:5]}, BASE, today, today, "fr")
    assert len(many) == why.MAX_LINES + 1 and many[-1].startswith("(Et 2 autre(s) réglage(s)")
    lowered = why.lever_line(lv.id, 0.0, BASE, today, today, "fr", alone=True)
    assert "Vous l'avez baissé" in lowered and "devrait baisser" in lowered


def test_every_lever_and_rule_has_its_why_and_the_sections_are_the_documentations():
    import re
    from pathlib import Path

    from experiments.demo import why
    from simulation.levers import LEVERS

    assert set(why.ACTS_ON) == {lv.id for lv in LEVERS}
    assert set(why.KNOBS) == set(session.KNOBS)
    odd = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"
    headings = dict(re.findall(r"^### (7\.\d+) (\w+)", odd.read_text(encoding="utf-8"), re.M))
    assert {name: number for number, name in headings.items()} == why.SECTION
    assert {lv.submodel for lv in LEVERS} <= set(why.SECTION)
    for fr, en in why.KNOBS.values():
        assert fr.startswith("Dans le modèle") and en.startswith("In the model") and "ODD" not in fr + en
    assert not [k for k, (fr, _) in why.ACTS_ON.items() if "ODD" in fr and k != "sdg_frame"]


def test_two_questions_are_compared_with_each_other_on_the_same_draws():
    """Review 12b, finding 14: "adopt or impose the Charter?" is the difference between two
    questions with its interval, not two answers against the reference."""
    s = session.State()
    for cid in ("charter_adopted", "charter_imposed", "pooled_fund"):
        s = session.apply(s, {"kind": "card", "id": cid}, BASE)
    assert s.pair() == ("charter_adopted", "charter_imposed")  # the first two pressed
    s = session.apply(s, {"kind": "compare", "a": "pooled_fund", "b": "charter_imposed"}, BASE)
    assert s.pair() == ("pooled_fund", "charter_imposed")
    for bad in ({"kind": "compare", "a": "pooled_fund", "b": "pooled_fund"},
                {"kind": "compare", "a": "elections_3y", "b": "pooled_fund"}, {"kind": "compare"}):
        with pytest.raises(InputError, match="two different questions shown"):
            session.apply(s, bad, BASE)
    query = session.to_query(s)
    events, problems = session.events_from_query("?" + "&".join(sorted(query.split("&"))))  # compare first
    assert problems == [] and session.replay(events, BASE) == s
    gone = session.apply(s, {"kind": "card", "id": "pooled_fund"}, BASE)
    assert gone.compare == () and gone.pair() == ("charter_adopted", "charter_imposed")
    assert session.describe({"kind": "compare", "a": "charter_adopted", "b": "charter_imposed"}, "fr") == \
        "Comparer « On impose la Charte » à « On adopte la Charte »"


@pytest.mark.slow
def test_the_comparison_is_the_paired_difference_of_the_two_questions():
    s = session.State(cards=("charter_adopted", "charter_imposed"), seeds=4)
    v = view.compute(s, BASE)
    adopted, imposed = v.scenarios[1].result, v.scenarios[2].result
    assert v.answers["compare"] == answer.answer(adopted, imposed, "fr", against="On adopte la Charte") + \
        answer.answer(adopted, imposed, "fr", answer.MORE, against="On adopte la Charte")
    assert "avec « On adopte la Charte »" in v.answers["compare"][0]


def test_the_schema_of_territories_has_no_overlapping_disc_and_fates_have_their_own_colours(record):
    """Review 12b, finding 9: fates are told by colour only (actors by shape, in one colour),
    each fate its own colour; no two territories' discs (with their ring of actors) overlap."""
    import numpy as np

    from experiments.demo import territories

    colours = list(territories.FATE_COLOURS.values())
    assert len(set(colours)) == len(colours) and territories.ACTOR_COLOUR not in colours
    where = territories.layout(record)
    diff = where[:, None, :] - where[None, :, :]
    dist = np.sqrt((diff ** 2).sum(axis=2)) + np.eye(len(where)) * 9
    assert dist.min() >= 2 * territories.FOOTPRINT * 0.99
    assert np.abs(where[: record.n_territories] - record.xy).max() < 0.25  # near its place in the model
    option = territories.map_option(record, "fr")
    graph = option["series"][0]
    assert {c["itemStyle"]["color"] for c in graph["categories"][:-1]} == {territories.ACTOR_COLOUR}
    assert len({c["symbol"] for c in graph["categories"][:-1]}) == len(territories.KINDS)
    assert graph["data"][0]["value"] == [float(where[0, 0]), float(where[0, 1])]
    assert "schéma" in i18n.t("map_title", "fr") and "pas une carte" in i18n.t("map_help", "fr")


def test_the_hand_out_holds_every_question_asked_and_no_path_or_command(tmp_path):
    """Review 12b, finding 15: one HTML page of every question asked (not only the last state),
    without file paths or command lines."""
    events = [{"kind": "seeds", "n": 3}, {"kind": "card", "id": "charter_adopted"},
              {"kind": "card", "id": "charter_imposed"}, {"kind": "card", "id": "charter_adopted"},
              {"kind": "card", "id": "charter_imposed"}, {"kind": "card", "id": "pooled_fund"},
              {"kind": "card", "id": "zz"}, {"kind": "lang", "value": "en"}, {"kind": "lang", "value": "fr"}]
    state = session.replay([e for e in events if e.get("id") != "zz"], BASE)
    v = view.compute(state, BASE)
    page = view.handout_html(events, v, BASE, b"\x89PNG")
    titles = [q[0] for q in view.asked(events, BASE, "fr")]
    assert titles == ["Et si ? On adopte la Charte", "Et si ? On impose la Charte",
                      "Entre deux questions : « On impose la Charte » comparée à « On adopte la Charte »",
                      "Et si ? Un fonds territorial mutualisé au lieu des appels à projets"]
    import html
    from pathlib import Path

    for cid in ("charter_adopted", "charter_imposed", "pooled_fund"):
        assert html.escape(cards.BY_ID[cid].title_fr) in page and html.escape(cards.BY_ID[cid].why_fr[:60]) in page
    assert "alliance demo" not in page and "/tmp/" not in page and str(Path.home()) not in page
    assert "seance-" not in page and ".json" not in page
    assert page.startswith("<!doctype html>") and "data:image/png;base64," in page
    assert "4 questions posées au modèle" in page
    steps = [{"kind": "set", "key": "levers.dialogue", "value": v} for v in (0.3, 0.4, 0.5)]
    assert [q[0] for q in view.asked(steps + [{"kind": "lang", "value": "en"}], BASE, "fr")] == \
        ["Vos réglages, comparés à aujourd'hui"]  # arrow-key steps on one lever: one question


def test_the_elections_card_says_todays_mandate_and_the_sessions_go_to_documents():
    from experiments.demo import app, command

    years = BASE.time.electoral_cycle_months // 12
    assert app.card_label(cards.BY_ID["elections_3y"], "fr") == f"Des élections tous les 3 ans (aujourd'hui : {years} ans)"
    assert app.card_label(cards.BY_ID["pooled_fund"], "fr") == cards.BY_ID["pooled_fund"].title_fr
    assert command.SAVE_DIR == __import__("pathlib").Path.home() / "Documents" / "alliance-seances"


def test_solaras_loader_is_replaced_by_one_in_the_pages_language(monkeypatch):
    import os

    from experiments.demo import command

    monkeypatch.setattr(os, "environ", {})  # _offline_settings writes the environment: not this process's

    for lang, words in (("fr", "Ouverture de la page"), ("en", "Opening the workshop")):
        text = (command.TEMPLATES / f"loader-alliance-{lang}.html").read_text(encoding="utf-8")
        assert words in text and "mount-id=\"solara-main\"" in text and "Loading" not in text
        assert (command.TEMPLATES / f"loader-alliance-{lang}.css").is_file()
        command._offline_settings(lang)
        assert os.environ.pop("SOLARA_THEME_LOADER") == f"alliance-{lang}"


@pytest.mark.slow
def test_what_each_cards_why_sentence_claims_is_what_its_answer_shows():
    """A card's "why" sentence says what the model does (cards.Card.claims); over the page's 20
    draws, with the page's simultaneous intervals, each claim holds: a rise or a fall is an
    established change of that sign, "little / uncertain" is no established change. When a
    mechanism changes, this test names the sentence to rewrite."""
    from experiments.io import scenarios as scn
    from simulation import OUTCOMES

    base = scn.load("baseline").params
    seeds = answer.seeds_from(0, 20)
    run = {"reference": answer.run_scenario(base.model_dump(), seeds)}
    unit = {o.key: o.unit for o in OUTCOMES}
    wrong = []
    assert all(c.claims for c in cards.CARDS)
    for card in cards.CARDS:
        run[card.id] = answer.run_scenario(base.with_overrides(card.overrides).model_dump(), seeds)
    for card in cards.CARDS:
        for key, sign, against in card.claims:
            kind = "points" if unit[key] == "share" else "score" if unit[key] == "0-1" else "relative"
            d = answer.difference(answer.Headline(key, kind), run[against], run[card.id])
            shown = 0 if d.no_change else (1 if d.mean > 0 else -1)
            if shown != sign:
                wrong.append(f"{card.id}: {key} against {against}: claimed {sign:+d}, the answer shows "
                             f"{d.mean:+.3g} [{d.low:+.3g}, {d.high:+.3g}]")
    assert wrong == []


def test_a_negligible_change_is_not_said_as_a_result():
    """Review 12c, finding 8: "0,56 au lieu de 0,56, soit 0,003 de moins" was listed as a change."""
    ref = _result([0.560, 0.561, 0.559, 0.560] * 5, "trust_micro_macro")
    other = _result([0.557, 0.558, 0.556, 0.557] * 5, "trust_micro_macro")
    d = answer.difference(answer.Headline("trust_micro_macro", "score"), ref, other)
    assert not d.no_change and d.negligible and not d.shown  # established, but under 0.02
    assert "changement négligeable (0,56 pour la référence ; écart −0,003)" in answer.sentence(d, "fr")
    assert answer.established(ref, other, (answer.Headline("trust_micro_macro", "score"),)) == 0
    big = _result([0.50, 0.51, 0.49, 0.50] * 5, "trust_micro_macro")
    assert answer.difference(answer.Headline("trust_micro_macro", "score"), ref, big).shown


@pytest.mark.slow
def test_a_card_shows_the_indicators_its_why_sentence_speaks_of():
    """Review 12c, finding 9: the pooled fund's sentence speaks of small associations funded and of
    missed appointments; they are shown with the headlines, not folded away."""
    v = view.compute(session.State(cards=("pooled_fund",), seeds=3), BASE)
    n = v.shown("pooled_fund")
    assert n == len(answer.HEADLINES) + 2
    shown = " ".join(v.answers["pooled_fund"][:n])
    assert "Petites associations financées" in shown and "Rendez-vous manqués" in shown
    assert "Rendez-vous manqués" not in " ".join(v.answers["pooled_fund"][n:])
    assert v.shown("settings") == len(answer.HEADLINES)
