"""Eligibility: operators at their boundaries, place and sector names in three languages, records checked at
index time, drafts from a document, the CLI and the API giving the same object, and the chat's answer."""
import json
import re

import pytest

from assistant.answer import verify_answer
from assistant.cli import main
from assistant.eligibility.facts import profile_from_text
from assistant.eligibility.match import canonical_profile, evaluate, match
from assistant.eligibility.records import Condition
from assistant.eligibility.suggest import suggest
from assistant.eligibility.vocabulary import ProfileError, load_vocabulary
from assistant.pipeline import ask
from assistant.types import Language

from .server import post, running


@pytest.fixture(scope="module")
def vocabulary():
    return load_vocabulary()


def met(vocabulary, field, op, value, profile):
    condition = Condition(field, op, vocabulary.canonical(field, value), "quote")
    return evaluate(condition, canonical_profile(profile, vocabulary), vocabulary)


@pytest.mark.parametrize("field, op, value, have, expected", [
    ("employees", "<", 10, 9, True), ("employees", "<", 10, 10, False),  # "fewer than 10"
    ("age", ">=", 18, 18, True), ("age", ">=", 18, 17, False),  # "18 or older"
    ("income_share", "<=", 200, 180, True), ("income_share", "<=", 200, 200, True),
    ("income_share", "<=", 200, 201, False),  # "at or below 200 %"
    ("age", ">", 64, 64, False), ("age", ">", 64, 65, True),
    ("household_size", "==", 3, 3, True), ("household_size", "!=", 3, 3, False),
])
def test_every_operator_at_its_boundary(vocabulary, field, op, value, have, expected):
    assert met(vocabulary, field, op, value, {field: have}) is expected


def test_a_missing_fact_is_unknown_never_met(vocabulary):
    assert met(vocabulary, "employees", "<", 10, {"age": 30}) is None


@pytest.mark.parametrize("names, region", [
    (["Daegu", "대구광역시", "대구", "daegu"], "KR-27"),
    (["Lombardia", "Lombardy", "롬바르디아"], "IT-25"),
    (["Guam", "괌"], "US-GU"),
    (["Puerto Rico", "Commonwealth of Puerto Rico"], "US-PR"),
])
def test_region_names_in_three_languages_are_one(vocabulary, names, region):
    assert {vocabulary.canonical("region", n) for n in names} == {region}


def test_a_city_names_its_region_but_is_not_one_of_its_names(vocabulary):
    assert {vocabulary.canonical("region", n) for n in ("Milano", "Milan", "밀라노", "Brescia")} == {"IT-25"}
    assert vocabulary.canonical("region", "수원시") == "KR-41" and vocabulary.canonical("region", "강남구") == "KR-11"
    assert vocabulary.canonical("region", "광주시") == "KR-29"  # a region's own name wins over Gyeonggi's 광주시
    assert "Milano" not in vocabulary.names_of("region", "IT-25")  # a condition's quote must name the region
    text = "Ho un'impresa con 8 dipendenti a Milano: posso partecipare?"
    assert profile_from_text(text, vocabulary, Language.IT)["region"] == "IT-25"
    assert profile_from_text("고양이를 키우는데 지원받을 수 있나요?", vocabulary, Language.KO) == {}  # 고양 is no city here
    town = profile_from_text("Siamo un comune lombardo: possiamo partecipare?", vocabulary, Language.IT)
    assert town["region"] == "IT-25" and town["applicant_kind"] == "public_body"  # a region's adjective names it
    farm = profile_from_text("Ho un agriturismo a Brescia: quali bandi posso chiedere?", vocabulary, Language.IT)
    assert farm == {"region": "IT-25", "sector": "agriculture", "applicant_kind": "company"}


def test_a_latin_name_ends_where_a_word_ends(vocabulary):
    """"USA" is not named by "usare"; a Korean name may take a particle ("서울에")."""
    from assistant.eligibility.vocabulary import find_places

    assert find_places("dobbiamo usare la linea di credito", vocabulary) == []
    assert find_places("una filiale negli USA", vocabulary) == [("country", "US")]
    assert find_places("서울에 살아요", vocabulary) == [("region", "KR-11")]


def test_sectors_and_countries_by_any_name(vocabulary):
    assert {vocabulary.canonical("sector", n) for n in ("manufacturing", "제조업", "manifatturiero")} == {"manufacturing"}
    assert met(vocabulary, "country", "in", ["EU"], {"region": "Lombardia"}) is True  # a region implies its country
    assert met(vocabulary, "country", "in", ["EU"], {"country": "대한민국"}) is False


@pytest.mark.parametrize("profile, message", [
    ({"wages": 3}, "Accepted fields: applicant_kind"),
    ({"region": "Atlantis"}, "Accepted regions"),
    ({"sector": "alchemy"}, "Accepted sectors"),
    ({"employees": "many"}, "must be a number"),
    ({"age": -5}, "age must be a number of at least 0"),
    ({"income_share": "nan"}, "must be a number of at least 0"),
])
def test_unknown_fields_and_values_list_what_is_accepted(vocabulary, profile, message):
    with pytest.raises(ProfileError, match=message):
        canonical_profile(profile, vocabulary)


def test_records_are_checked_at_index_time(fixture_engine):
    served = {p.id: p for p in fixture_engine.store.programmes}
    assert set(served) == {"bando-ricerca-2025", "youth-rent"}  # the wrong one and the draft are never served
    manifest = fixture_engine.store.manifest["programmes"]
    rejected = {r["id"]: r["reasons"] for r in manifest["rejected"]}
    assert "wrong-figure" in rejected and "the figure 10 is not in the quote" in rejected["wrong-figure"][0]
    assert manifest["drafts"] == 1
    citation = served["bando-ricerca-2025"].conditions[1].citation
    assert citation.doc_id == "bando" and citation.locator == "p. 1" and "50 dipendenti" in citation.quote


def test_verdicts_with_missing_facts(fixture_engine, vocabulary):
    programmes = fixture_engine.store.programmes
    by_id = lambda results: {r.programme.id: r for r in results}  # noqa: E731
    small = by_id(match({"applicant_kind": "company", "employees": 8, "region": "Lombardy"}, programmes, vocabulary))
    assert small["bando-ricerca-2025"].verdict == "eligible" and small["youth-rent"].verdict == "unknown"
    assert small["youth-rent"].missing == ("age",)
    big = by_id(match({"employees": 80, "region": "롬바르디아"}, programmes, vocabulary))
    assert big["bando-ricerca-2025"].verdict == "not_eligible"
    empty = match({}, programmes, vocabulary)
    assert {r.verdict for r in empty} == {"unknown"} and all(r.missing for r in empty)
    young = by_id(match({"age": 18}, programmes, vocabulary))["youth-rent"]
    assert young.verdict == "not_eligible" and [c.met for c in young.conditions] == [False, True]


def test_a_condition_in_words_is_quoted_cited_and_never_checked(fixture_engine, vocabulary):
    """A condition no field can hold ("field = other") is resolved like the others and shown with its citation,
    but never met: the programme it belongs to is never "eligible", and a fact that fails another condition still
    rules it out."""
    from assistant.eligibility.facts import eligibility_answer
    from assistant.eligibility.match import match_programme
    from assistant.eligibility.records import Rejected, parse_programme, resolve

    store = fixture_engine.store
    record = {"id": "words", "title": "Bando per la ricerca 2025", "doc": "bando", "reviewed": True, "conditions": [
        {"field": "employees", "op": "<", "value": 50, "quote": "le imprese con meno di 50 dipendenti"},
        {"field": "other", "quote": "Sono ammissibili le spese per macchinari e software."}]}
    programme = resolve(parse_programme(record, "words.toml", vocabulary), store.chunks, store.documents, vocabulary)
    assert not isinstance(programme, Rejected)
    words = programme.conditions[1]
    assert words.citation.locator == "p. 2" and words.rule == "other (not checked)"
    profile = canonical_profile({"applicant_kind": "company", "employees": 8}, vocabulary)
    small = match_programme(programme, profile, vocabulary)
    assert small.verdict == "unknown" and small.missing == ("other",) and small.conditions[1].met is None
    big = match_programme(programme, canonical_profile({"employees": 80}, vocabulary), vocabulary)
    assert big.verdict == "not_eligible"
    answer = eligibility_answer("Ho 8 dipendenti: posso partecipare?", Language.IT, [small], store, vocabulary)
    lines = answer.answer.splitlines()
    assert "da verificare (Mancano: altre condizioni, da leggere)" in lines[1]
    assert lines[-1] == "? altre condizioni, da leggere: «Sono ammissibili le spese per macchinari e software.» [2]"
    assert [c.locator for c in answer.citations] == ["p. 1", "p. 2"] and not verify_answer(answer.answer, answer.citations)
    ruled_out = eligibility_answer("Ho 80 dipendenti", Language.EN, [big], store, vocabulary).answer.splitlines()[1]
    assert ruled_out.endswith("— not eligible.")  # no facts asked for once a condition rules it out
    elsewhere = dict(record, conditions=[{"field": "other", "quote": "Il presente bando non esiste."}])
    rejected = resolve(parse_programme(elsewhere, "x.toml", vocabulary), store.chunks, store.documents, vocabulary)
    assert isinstance(rejected, Rejected) and "its quote is in no passage of bando" in rejected.reasons[0]
    with pytest.raises(ProfileError, match="no quote"):
        parse_programme(dict(record, conditions=[{"field": "other", "quote": " "}]), "y.toml", vocabulary)
    with pytest.raises(ProfileError, match="unknown field 'other'"):
        canonical_profile({"other": "yes"}, vocabulary)  # nothing an asker says can meet it


def test_suggest_drafts_the_criteria_with_their_figures(fixture_engine, vocabulary):
    drafts = suggest("bando", fixture_engine.store, vocabulary)
    found = {(d.field, d.op, json.dumps(d.value)) for d in drafts}
    assert ("employees", "<", "50") in found and ("region", "in", '["IT-25"]') in found
    employees = next(d for d in drafts if d.field == "employees")
    assert "meno di 50 dipendenti" in employees.quote and employees.locator == "p. 1"


def test_cli_and_api_return_the_same_object(fixture_engine, capsys):
    from ui.app import Service, build_app

    profile = {"applicant_kind": "company", "employees": 8, "region": "Daegu", "sector": "manufacturing"}
    index = str(fixture_engine.settings.index)
    assert main(["eligible", "--employees", "8", "--region", "Daegu", "--sector", "manufacturing",
                 "--applicant-kind", "company", "--json", "--index", index]) == 0
    cli = json.loads(capsys.readouterr().out)
    with running(build_app(Service(fixture_engine.settings, fixture_engine))) as base:
        api = post(base, "/api/eligibility", json={"profile": profile, "lang": "en"})
        bad = post(base, "/api/eligibility", json={"profile": {"region": "Atlantis"}})
    assert api.status_code == 200 and api.json() == cli
    assert cli["profile"] == {"applicant_kind": "company", "employees": 8.0, "region": "KR-27",
                              "sector": "manufacturing", "country": "KR"}
    assert main(["eligible", "--employees", "8", "--json", "--index", index]) == 0
    assert json.loads(capsys.readouterr().out)["profile"]["applicant_kind"] == "company"  # staff: an employer
    bando = next(p for p in cli["programmes"] if p["id"] == "bando-ricerca-2025")
    assert bando["verdict"] == "not_eligible"  # Daegu is not Lombardia
    region = next(c for c in bando["conditions"] if c["field"] == "region")
    assert region["met"] is False and region["rule"] == "region in [IT-25]" and region["citation"]["locator"] == "p. 1"
    assert bad.status_code == 422 and "Accepted regions" in bad.json()["detail"]


def test_cli_rejects_an_unknown_sector_with_exit_2(fixture_engine, capsys):
    code = main(["eligible", "--sector", "alchemy", "--index", str(fixture_engine.settings.index)])
    assert code == 2 and "Accepted sectors" in capsys.readouterr().err


def test_chat_answers_an_eligibility_question_that_states_facts(fixture_engine):
    answer = ask(fixture_engine, "Ho un'impresa con 30 dipendenti in Lombardia: posso partecipare al bando?")
    assert answer.grounded and "«Bando per la ricerca 2025»" in answer.answer
    assert "ammissibile" in answer.answer and "[1]" in answer.answer
    assert "30" not in answer.answer  # the asker's figures are not echoed; every figure comes from a citation
    korean = ask(fixture_engine, "저는 만 25세인데 청년 월세 지원을 신청할 수 있나요?")
    assert korean.grounded and "청년 월세 지원" in korean.answer and "해당" in korean.answer


@pytest.mark.parametrize("question, lang, expected", [
    ("Who can apply for the Korean citizen panel?", "en", {}),  # the place names the programme, not the asker
    ("Chi può partecipare al bando lombardo?", "it", {}),
    ("한국 국민참여정책단에 누가 지원할 수 있나요?", "ko", {}),
    ("i live in daegu, can i apply", "en", {"region": "KR-27"}),  # the asker is in the sentence
    ("Vivo in Lombardia: posso partecipare?", "it", {"region": "IT-25"}),
    ("Can a company in Daegu apply?", "en", {"region": "KR-27", "applicant_kind": "company"}),  # a kind of applicant
    ("can a vessel on an IUU list get a fishing authorisation", "en", {}),  # the sector names the authorisation
    ("we run a fishing vessel: can we get an authorisation", "en", {"sector": "fishing"}),
    # a place or a sector the asker denies is none of the asker's
    ("La mia srl ha sede a Piacenza e nessuna unità locale in Lombardia: posso partecipare?", "it",
     {"region": "IT-45", "applicant_kind": "company"}),
    ("We are a company based in Daegu, not in Seoul. Can we apply?", "en", {"region": "KR-27", "applicant_kind": "company"}),
    ("저는 서울이 아닌 대구에 살아요. 신청할 수 있나요?", "ko", {"region": "KR-27", "applicant_kind": "person"}),
    ("저는 대구에 있고 공장은 없어요. 신청 가능한가요?", "ko", {"region": "KR-27", "applicant_kind": "person"}),
])
def test_a_place_alone_is_a_fact_only_about_the_asker(vocabulary, question, lang, expected):
    assert profile_from_text(question, vocabulary, Language(lang)) == expected


@pytest.mark.parametrize("question, lang, expected", [
    ("Sono un agricoltore di 65 anni in Lombardia: posso chiedere il contributo?", "it",
     {"age": 65, "region": "IT-25", "sector": "agriculture", "farmer": True, "applicant_kind": "person"}),
    ("Sono una 24enne di Milano: posso partecipare?", "it", {"age": 24, "region": "IT-25", "applicant_kind": "person"}),
    ("I am a farmer in Lombardy: can I apply?", "en",
     {"region": "IT-25", "sector": "agriculture", "farmer": True, "applicant_kind": "person"}),
    ("Abbiamo un mutuo di 10 anni a Milano: possiamo partecipare?", "it", {"region": "IT-25"}),  # a loan has no age
])
def test_an_age_and_a_farmers_sector_in_other_words(vocabulary, question, lang, expected):
    assert profile_from_text(question, vocabulary, Language(lang)) == expected


def test_when_no_programme_found_fits_the_others_that_may_follow(fixture_engine):
    """The passages found are the research call's only (it is for companies); a 25-year-old: the programmes of
    other documents whose conditions a stated fact meets follow it, announced (an age in range); a company with
    80 employees meets none of them, and with documents chosen only theirs are read."""
    from assistant.pipeline import answer_eligibility, ask_traced

    def answered(question, doc_ids=None):
        _, trace = ask_traced(fixture_engine, question, doc_ids={"bando"})  # found: the call's passages only
        return answer_eligibility(fixture_engine, trace.question, trace.hits, doc_ids)

    answer = answered("Ho 25 anni e vivo in Lombardia: posso partecipare al bando per la ricerca?")
    assert answer.grounded and verify_answer(answer.answer, answer.citations) == []
    titles = re.findall(r"^«(.+?)» — (.+?)[.(]", answer.answer, re.MULTILINE)
    assert [t for t, _ in titles] == ["Bando per la ricerca 2025", "청년 월세 지원"], answer.answer
    assert "non ammissibile" in titles[0][1] and "non ammissibile" not in titles[1][1]
    assert answer.answer.index("Altri programmi") > answer.answer.index("«Bando per la ricerca 2025»")  # announced
    company = answered("Ho un'impresa con 80 dipendenti in Lombardia: posso partecipare al bando per la ricerca?")
    assert "«Bando per la ricerca 2025»" in company.answer and "청년" not in company.answer
    assert company.answer.splitlines()[1] == ("«Bando per la ricerca 2025» — non ammissibile. Nessun altro programma "
                                              "dei documenti può fare al caso tuo con i dati che indichi.")
    assert "Nessun altro" not in answer.answer and verify_answer(company.answer, company.citations) == []
    only = answered("Ho 25 anni e vivo in Lombardia: posso partecipare al bando per la ricerca?", {"bando"})
    assert "«Bando per la ricerca 2025»" in only.answer and "청년" not in only.answer
    assert {c.doc_id for c in only.citations} == {"bando"}


def test_a_programme_the_question_names_is_the_answer(fixture_engine):
    """A code a title holds names its programme; so do two of a title's words, whole; one shared word names none.
    A named programme is answered even when the search found none of its passages."""
    from assistant.eligibility.facts import named
    from assistant.eligibility.match import ProgrammeResult
    from assistant.eligibility.records import Programme
    from assistant.pipeline import answer_eligibility, understand

    results = [ProgrammeResult(Programme(i, title, "doc", aliases=aliases), "unknown", (), ()) for i, title, aliases in (
        ("a", "Intervento SRD03 – Investimenti nelle aziende agricole", ()), ("b", "Bando Nuova Impresa 2025", ()),
        ("c", "Bando impianti sportivi 2025", ()), ("d", "서울시 청년 월세 지원", ("청년월세", "youth rent support")))]
    ids = lambda names, text="": [r.programme.id for r in named(frozenset(names), results, {}, text)]  # noqa: E731
    assert ids({"SRD03", "Bando"}) == ["a"]  # a code wins
    assert ids({"Bando", "Nuova", "Impresa"}) == ["b"] and ids({"nuova", "IMPRESA"}) == ["b"]
    assert ids({"Bando"}) == [] and ids({"SRD0"}) == [] and ids({"Impres", "Nuov"}) == []  # whole words only
    assert ids(set(), "siamo un comune, rientriamo nel bando impianti sportivi") == ["c"]  # a pair of its words
    assert ids(set(), "impianti e attività sportive") == [] and ids(set(), "il bando 2025") == []
    assert ids({"Bando", "Nuova"}, "la nuova impresa del bando impianti sportivi") == ["c"]  # the most pairs, then names
    assert ids(set(), "청년월세를 받을 수 있나요") == ["d"] and ids(set(), "Can I get youth rent support?") == ["d"]
    assert ids(set(), "youth rent supporters") == [] and ids(set(), "청년 월세") == []  # an alias whole, or a pair
    from assistant.eligibility.records import from_record, to_record
    assert from_record(to_record(results[3].programme)).aliases == ("청년월세", "youth rent support")
    question = understand(fixture_engine, "Ho 25 anni e vivo in Lombardia: posso chiedere il Bando per la Ricerca?",
                          Language.IT)
    answer = answer_eligibility(fixture_engine, question, hits=[])  # nothing found: the name alone answers
    assert answer is not None and answer.answer.splitlines()[1].startswith("«Bando per la ricerca 2025»"), answer
    unnamed = answer_eligibility(fixture_engine, understand(fixture_engine, "Ho 25 anni e vivo in Lombardia: posso "
                                                            "partecipare?", Language.IT), hits=[])
    assert "«Bando per la ricerca 2025»" not in unnamed.answer  # only the programmes that may fit, announced


def test_programmes_suggest_never_overwrites_a_draft_under_review(fixture_engine, tmp_path, capsys):
    out = tmp_path / "bando-draft.toml"
    argv = ["programmes", "suggest", "bando", "--index", str(fixture_engine.settings.index), "--out", str(out)]
    assert main(argv) == 0 and "reviewed = false" in out.read_text(encoding="utf-8")
    reviewed = out.read_text(encoding="utf-8") + "# checked up to here\n"
    out.write_text(reviewed, encoding="utf-8")
    capsys.readouterr()
    assert main(argv) == 2
    assert "already exists" in capsys.readouterr().err and out.read_text(encoding="utf-8") == reviewed
    assert main([*argv, "--force"]) == 0 and "# checked up to here" not in out.read_text(encoding="utf-8")


def test_a_programme_no_stated_fact_bears_on_is_left_out(fixture_engine):
    """Both documents are found; the asker's region decides a condition of the research call and none of the rent
    support (by age): the rent support, "to be checked" on every condition, tells this asker nothing."""
    from assistant.pipeline import answer_eligibility, ask_traced

    _, trace = ask_traced(fixture_engine, "Vivo in Lombardia: posso chiedere il contributo?", doc_ids={"bando", "youth-rent"})
    assert {h.chunk.doc_id for h in trace.hits} == {"bando", "youth-rent"}
    answer = answer_eligibility(fixture_engine, trace.question, trace.hits)
    assert answer.grounded and verify_answer(answer.answer, answer.citations) == []
    assert re.findall(r"^«(.+?)» — ", answer.answer, re.MULTILINE) == ["Bando per la ricerca 2025"], answer.answer
