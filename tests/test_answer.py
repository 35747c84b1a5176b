"""Answers from the learned selector on documents it was never fitted on, refusals, the verifier, answer shape."""
import re
from dataclasses import replace

import pytest

from assistant.answer import MAX_ANSWER_CHARS, shorten, verify_answer, with_context
from assistant.config import Settings
from assistant.evaluation import answer_language
from assistant.pipeline import Engine, ask, understand
from assistant.question import load_cues
from assistant.types import Citation, Language

# The format fixtures (tests/documents.py): an Italian PDF and text, a Korean HWPX and HTML, an English DOCX
# and Markdown act. The packaged selector was fitted on the development corpus only.
ANSWERABLE = [
    ("Qual è la dotazione complessiva del bando?", "it", "3.000.000"),
    ("Entro quando si presentano le domande?", "it", "30 giugno 2025"),
    ("Qual è il contributo massimo per impresa?", "it", "15.000"),
    ("예비창업자의 지원 한도는 얼마인가요?", "ko", "5천만 원"),
    ("신청 기간은 언제까지인가요?", "ko", "3월 31일"),
    ("What is the maximum amount for a prototype award?", "en", "$250,000"),
    ("How many members must a cooperative have to apply?", "en", "20"),
    ("When do applications close?", "en", "30 June 2025"),
]
UNANSWERABLE = [
    ("Qual è il budget del festival musicale?", "it"),
    ("서울시 청년 주택 보증금 대출 금리는 몇 퍼센트인가요?", "ko"),
    ("Who won the 2022 FIFA World Cup?", "en"),
]


@pytest.mark.parametrize("question, lang, fact", ANSWERABLE)
def test_unseen_documents_are_answered_with_the_fact_and_a_resolving_citation(fixture_engine, question, lang, fact):
    answer = ask(fixture_engine, question)
    assert answer.grounded, answer.answer
    assert fact in answer.answer and answer.answer.endswith("[1]")
    assert [c.n for c in answer.citations] == [1] and verify_answer(answer.answer, answer.citations) == []
    assert answer.language.value == lang and answer_language(answer) == lang
    assert len(answer.answer) <= MAX_ANSWER_CHARS + len(" [1]")


def test_with_the_sentence_model_unseen_documents_are_answered_right_or_refused(fixture_engine_e5):
    """The optional sentence model's selector on the same unseen documents: every answer it gives holds the fact
    and cites it; it may refuse where the figures of two table rows compete (README, "Answer quality")."""
    answers = [(ask(fixture_engine_e5, question), fact) for question, _, fact in ANSWERABLE]
    given = [(a, fact) for a, fact in answers if a.grounded]
    assert all(fact in a.answer and verify_answer(a.answer, a.citations) == [] for a, fact in given), given
    assert len(given) >= len(ANSWERABLE) - 1, [a.answer for a, _ in answers]


@pytest.mark.parametrize("which", ["fixture_engine", "fixture_engine_e5"])
@pytest.mark.parametrize("question, lang", UNANSWERABLE)
def test_unseen_documents_refuse_what_they_do_not_say(request, which, question, lang):
    answer = ask(request.getfixturevalue(which), question)
    assert not answer.grounded, answer.answer
    assert answer.language.value == lang and answer_language(answer) == lang
    assert "[" not in answer.answer  # a refusal cites nothing; its passages are "see also"
    assert "documents" in answer.answer or "documenti" in answer.answer or "문서" in answer.answer


def test_refusals_speak_of_the_documents_not_of_one_corpus():
    from assistant.answer import CROSS_LINGUAL, REFUSAL

    for text in [*REFUSAL.values(), *CROSS_LINGUAL.values()]:
        assert "plan" not in text and "piano" not in text and "계획" not in text


def test_translation_citations_are_marked_unofficial(engine):
    answer = ask(replace_threshold(engine, 0.0), "How many AI factories by 2030?")
    data = answer.to_json()
    assert data["citations"][0]["translation_of"] == "motie-2026-work-plan-it"
    assert data["citations"][0]["unofficial_translation"] is True and data["citations"][0]["language"] == "en"


def replace_threshold(engine: Engine, threshold: float) -> Engine:
    """The same engine with another refusal threshold (0 answers with the chooser's best candidate)."""
    settings = Settings(index=engine.settings.index, answer={"threshold": threshold})
    return replace(engine, settings=settings)


def test_cross_lingual_answer_names_the_source_and_quotes_it(xl_engine):
    answer = ask(replace_threshold(xl_engine, 0.0), "2030년까지 AI 공장을 몇 개로 늘릴 계획인가요?")
    assert answer.grounded and "이탈리아어" in answer.answer  # in Korean: the source is in Italian
    quoted = re.findall(r"«(.+?)»", answer.answer)[-1]
    assert quoted.strip("…") in answer.citations[0].quote and answer.citations[0].language is Language.IT
    assert answer_language(answer) == "ko" and verify_answer(answer.answer, answer.citations) == []


def cut(sentence: str, question_text: str, language: Language, analyzer):
    """The question's record and `shorten`'s cut of a sentence for it."""
    from assistant.question import analyse_question

    cues = load_cues()
    question = analyse_question(question_text, language, analyzer, cues)
    return question, shorten(sentence, question, cues[language])


def test_long_sentences_are_cut_to_the_clause_with_the_fact(analyzer):
    sentence = ("Il bando, approvato dalla Giunta regionale dopo una lunga consultazione con le associazioni di "
                "categoria e con i comuni del territorio, prevede diverse misure di sostegno; il contributo massimo è "
                "pari a € 15.000 per impresa, erogato in un'unica soluzione al termine del progetto, previa "
                "verifica della documentazione di spesa presentata dal beneficiario.")
    _, short = cut(sentence, "Qual è il contributo massimo?", Language.IT, analyzer)
    assert len(short) <= MAX_ANSWER_CHARS and "15.000" in short and short.strip("…") in sentence


def test_a_cut_keeps_the_clause_with_a_figure_when_a_figure_is_asked_for(analyzer):
    # "How long" is answered by a duration, which the date patterns do not find; the clause with the question's
    # words but no figure must not win over the one with the figure.
    sentence = ("Within six (6) months of the date of this notice, every regional office must review and, where "
                "appropriate, revise its existing policies and procedures for data management and publication to "
                "ensure consistency with the requirements of the programme, and report on the following items:")
    _, short = cut(sentence, "how long do regional offices have to review and revise their data management policies",
                   Language.EN, analyzer)
    assert len(sentence) > MAX_ANSWER_CHARS and len(short) <= MAX_ANSWER_CHARS
    assert "six (6) months" in short and short.strip("…") in sentence


def test_a_cut_fills_its_room_with_the_words_around_it(analyzer):
    # The clause after the one with the figure is too long to join whole, but it carries the end of the fact.
    sentence = ("La garanzia, concessa a titolo gratuito dalla Regione alle imprese che ne facciano richiesta tramite "
                "i soggetti finanziatori convenzionati, sarà in ogni caso valida per un periodo massimo di 24 "
                "(ventiquattro) mesi dalla data di sottoscrizione del contratto della linea di credito e non potrà "
                "essere rinnovata oltre tale termine per nessun motivo, neppure su richiesta motivata del beneficiario.")
    _, short = cut(sentence, "per quanto tempo vale la garanzia", Language.IT, analyzer)
    assert len(short) <= MAX_ANSWER_CHARS and "24 (ventiquattro) mesi" in short
    assert short.endswith("…") and short.strip("…") in sentence


@pytest.mark.parametrize("sentence, question_text, form, fact", [
    # "Which e-mail address…": the clause with the address is kept, not the one with the most question words.
    ("Le osservazioni sulla proposta di modifica del regolamento possono essere inviate dagli interessati entro il 12 "
     "dicembre 2025 all'ufficio competente (indirizzo: via Roma 10, 00100 Roma, telefono 06 1234 5678, fax 06 1234 "
     "5679, posta elettronica osservazioni@ufficio.example.it) con oggetto chiaro.",
     "a quale indirizzo email mando le osservazioni sulla proposta di modifica", "email",
     "osservazioni@ufficio.example.it"),
    # One clause, too long to give whole, whose length of time sits past its first 220 characters: cut at its
    # start, the answer would hold none of what "within how many days" asks for; the cut is made around it.
    ("La commissione tecnica nominata con apposito decreto del direttore generale esamina le richieste di contributo "
     "presentate dai comuni e dalle unioni di comuni del territorio regionale secondo l'ordine cronologico di arrivo "
     "delle richieste stesse e conclude la propria valutazione entro 45 (quarantacinque) giorni dalla chiusura dello "
     "sportello telematico.",
     "entro quanti giorni la commissione conclude la valutazione delle richieste", "duration",
     "45 (quarantacinque) giorni"),
])
def test_a_cut_keeps_the_form_of_answer_asked_for(analyzer, sentence, question_text, form, fact):
    question, short = cut(sentence, question_text, Language.IT, analyzer)
    assert form in question.forms
    assert len(sentence) > MAX_ANSWER_CHARS and len(short) <= MAX_ANSWER_CHARS
    assert fact in short and short.strip("…") in sentence


def test_a_short_sentence_is_read_with_the_next_one_when_both_fit(analyzer):
    from tests.test_features import sentence

    cues = load_cues()
    lead = sentence("To receive support, a trainee must be one of the following:", "en", analyzer, cues)
    item = sentence("A person with legal permanent residency.", "en", analyzer, cues, position=1)
    assert with_context(lead, item) == f"{lead.text} {item.text}"
    assert with_context(lead, None) == ""
    too_long = sentence("x" * (MAX_ANSWER_CHARS - len(lead.text)), "en", analyzer, cues, position=1)
    assert with_context(lead, too_long) == ""


def test_verifier_rejects_invented_figures_names_and_dangling_citations():
    citation = Citation(1, "d", "T", Language.EN, "¶1", "Up to 500 AI factories by 2030.", "s", 1.0, "d#p1")
    assert verify_answer("500 AI factories by 2030 [1]", [citation]) == []
    assert any("600" in p for p in verify_answer("600 AI factories by 2030 [1]", [citation]))
    assert any("FIFA" in p for p in verify_answer("FIFA builds 500 AI factories [1]", [citation]))
    assert any("[2]" in p for p in verify_answer("500 AI factories [2]", [citation]))
    assert any("no citation" in p for p in verify_answer("500 AI factories.", [citation]))
    # A bracket of the quoted text is no citation: the claim runs on to its [n].
    bracketed = replace(citation, quote="Write to the office at [email] about the 500 AI factories.")
    assert verify_answer("Write to the office at [email] about the 500 AI factories. [1]", [bracketed]) == []
    assert any("no citation" in p for p in verify_answer("500 AI factories [1] and 600 more [x]", [citation]))
    # A figure of the passage's heading path is the document's text ("Article 5"), not an invented one.
    headed = replace(citation, heading="Chapter I > Article 5 Eligibility")
    assert verify_answer("Article 5: 500 AI factories [1]", [headed]) == []
    assert any("5" in p for p in verify_answer("Article 5: 500 AI factories [1]", [citation]))


def test_question_is_understood_once_and_embedded_once(engine, monkeypatch):
    calls = []
    original = engine.embedder.embed_queries
    monkeypatch.setattr(engine.embedder, "embed_queries", lambda texts: calls.append(texts) or original(texts))
    ask(engine, "How many AI factories by 2030?")
    assert len(calls) == 1
    assert understand(engine, "How many AI factories by 2030?", Language.EN).counted == ("facto",)


def test_a_question_about_one_year_is_not_answered_with_another(fixture_engine):
    from assistant.answer import other_year

    question = understand(fixture_engine, "How much was invested in 2016?", Language.EN)
    assert other_year(question, "In 2015 the investment was about $1.1 billion.")
    assert not other_year(question, "Investment grew from $1.1 billion in 2015 to $1.2 billion in 2016.")
    assert not other_year(question, "The investment was about $1.1 billion.")  # no year said: the selector decides
    assert not other_year(understand(fixture_engine, "How much was invested?", Language.EN), "In 2015, $1.1 billion.")
    # A year of the document's title names the document; an eligibility question's year is the asker's.
    decree = understand(fixture_engine, "Da quale decreto è stato abrogato il decreto-legge 8 del 2000?", Language.IT)
    assert other_year(decree, "Abrogato dal D.L. 28 marzo 2003, n. 49.")
    assert not other_year(decree, "Abrogato dal D.L. 28 marzo 2003, n. 49.", "DECRETO-LEGGE 4 febbraio 2000, n. 8")
    asker = understand(fixture_engine, "Ho aperto la partita IVA nel 2022: posso presentare domanda?", Language.IT)
    assert asker.asks.value == "eligibility" and not other_year(asker, "Possono partecipare le imprese attive dal 2024.")
    # End to end: the fixture call closes on 30 June 2025; asked about 2026, the assistant does not give that date.
    assert "30 giugno 2025" in ask(fixture_engine, "Entro quando si presentano le domande?").answer
    answer = ask(fixture_engine, "Entro quando si presentano le domande per il 2027?")
    assert not answer.grounded and "2025" not in answer.answer, answer.answer


def test_a_refusal_is_explained_by_the_gate_that_refused(fixture_engine):
    """Asked about 2027, the pick is the deadline sentence of another year: `ask --explain` names that gate, and
    the same pick asked without the year is answered."""
    from assistant.explain import explain
    from assistant.pipeline import ask_traced

    answer, trace = ask_traced(fixture_engine, "Entro quando si presentano le domande per il 2027?")
    report = explain(fixture_engine, answer, trace)
    assert report["decision"] == "refused" and report["question"]["figures"] == ["2027"]
    assert "the question asks about a year the sentence does not speak of" in report["reasons"], report
    picked = next(c for c in report["candidates"] if c["picked"])
    assert "2025" in picked["text"]
    answer, trace = ask_traced(fixture_engine, "Entro quando si presentano le domande?")
    report = explain(fixture_engine, answer, trace)
    assert answer.grounded and report["decision"] == "answered" and report["reasons"] == []


def test_a_forms_blank_line_is_never_a_candidate(fixture_engine):
    # "Il sottoscritto ______ chiede il contributo" is a line of a form to fill in: it states nothing, however close
    # its words are to the question; the sentence before it, in the same passage, is a candidate.
    from assistant.pipeline import ask_traced

    _, trace = ask_traced(fixture_engine, "Chi firma la domanda per il contributo?")
    texts = [c.sentence.text for c in trace.candidates]
    assert any("firmata dal legale rappresentante" in t for t in texts), texts
    assert not any("____" in t for t in texts), texts


@pytest.mark.parametrize("line, blank", [
    ("Il sottoscritto ______________ nato a ________", True),
    ("Alla Regione Lombardia ………………………………….. …………………………………..", True),
    ("B.2 Progetti finanziabili ........................................ 8", True),  # contents' dot leaders
    ("Il contributo (…) è concesso fino al 31/12/2025...", False),
    ("Le domande si presentano entro il 30 giugno 2025.", False),
])
def test_a_blank_to_fill_or_a_contents_entry_is_told_from_a_statement(line, blank):
    from assistant.answer import BLANK_TO_FILL

    assert bool(BLANK_TO_FILL.search(line)) is blank


def test_a_refusal_offers_the_best_candidates_passage_first(engine):
    """Refused, the chooser's best candidate is still the likeliest place of the answer: its passage leads the
    "see also" list, then the others in retrieval order, one per alignment group."""
    from assistant.answer import answer_from, best_candidate, closest_passages, passages_for
    from assistant.pipeline import ask_traced

    answer, trace = ask_traced(replace_threshold(engine, 1.0), "How many AI factories by 2030?")
    assert not answer.grounded and trace.candidates
    best, _ = best_candidate(trace.candidates, engine.selector, trace.question.figures)
    pick = trace.candidates[best].chunk
    store = engine.store
    group = {c.chunk_id for c in store.aligned(pick).values()}
    assert answer.citations[0].chunk_id in group
    # Even when retrieval ranks the pick's passage last, the refusal offers it first.
    backwards = list(reversed(trace.hits))
    assert passages_for(backwards, Language.EN, store.aligned, store.documents)[0].chunk_id not in group
    refused = answer_from(trace.question, backwards, trace.candidates, store, engine.selector, engine.cues, 1.0)
    assert not refused.grounded and refused.citations[0].chunk_id in group

    # The ordering itself: a later hit moved to the front, the rest in order, nothing repeated or lost.
    hits = trace.hits
    retrieved = passages_for(hits, Language.EN, store.aligned, store.documents)
    last = hits[-1].chunk
    moved = closest_passages(hits, last, Language.EN, store.aligned, store.documents)
    assert moved[0].align_key == last.align_key
    assert [c.chunk_id for c in moved[1:]] == [c.chunk_id for c in retrieved if c.align_key != last.align_key]
    assert closest_passages(hits, None, Language.EN, store.aligned, store.documents) == retrieved


def test_an_answer_carries_the_confidence_it_was_given_with(engine):
    """The selector's probability for its pick travels with the answer: at or above the threshold when it
    answers, under it when it refuses with candidates to offer."""
    from assistant.pipeline import ask

    answered = ask(engine, "How many AI factories will there be by 2030?", Language.EN)
    refused = ask(engine, "Who won the 2022 FIFA World Cup?", Language.EN)
    assert answered.grounded and answered.confidence >= engine.selector.threshold
    assert not refused.grounded and (refused.confidence is None or refused.confidence < engine.selector.threshold)


def test_citations_carry_the_sentence_shown_first(engine):
    """An answer's citation names the sentence of its passage the answer rests on; a refusal's "see also"
    passages each name the sentence the chooser ranks closest to the question. Each is the passage's own text,
    and the first holds the fact the refusal did not dare give."""
    from assistant.answer import closest_sentences
    from assistant.pipeline import ask_traced

    answered = ask(engine, "How many AI factories will there be by 2030?", Language.EN)
    cited = answered.citations[0]
    assert answered.grounded and "500" in cited.sentence and cited.sentence in cited.quote
    assert len(cited.sentence) < len(cited.quote)

    refused, trace = ask_traced(replace_threshold(engine, 1.0), "How many AI factories by 2030?")
    assert not refused.grounded and all(c.sentence and c.sentence in c.quote for c in refused.citations)
    assert "500" in refused.citations[0].sentence
    # The closest sentence of a passage is its best-scored candidate, whatever order the candidates come in.
    closest = closest_sentences(trace.candidates, engine.selector.chooser)
    assert closest == closest_sentences(list(reversed(trace.candidates)), engine.selector.chooser)
    assert {c.chunk_id: c.sentence for c in refused.citations}.items() <= closest.items()
    assert refused.to_json()["citations"][0]["sentence"] == refused.citations[0].sentence
