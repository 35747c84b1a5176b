"""The answer selector's features on hand-made questions and sentences, and the question record."""
import re

import numpy as np
import pytest

from assistant.features import (FEATURES, PassageContext, candidate_features, clause_coverage, counted_elsewhere,
                                beyond_title_coverage, defines_asked_term, evidence, held_terms, no_date,
                                no_figure, no_quantity)
from assistant.question import Asks, analyse_question, load_cues
from assistant.sentences import Sentence, analyse_sentences
from assistant.text import numbers
from assistant.types import Chunk, Language


@pytest.fixture(scope="module")
def cues():
    return load_cues()


def question(text, language, analyzer, cues):
    return analyse_question(text, Language(language), analyzer, cues)


def sentence(text, language, analyzer, cues, position=0):
    lang = Language(language)
    return Sentence(0, position, text, lang, frozenset(analyzer.terms(text, lang)), frozenset(numbers(text)),
                    cues[lang].evidence_kinds(text), np.zeros(4, np.float32))


def features(q, s, idf=None, passage_text="", cues=None):
    context = PassageContext(rank=1, score=0.0, vector_score=0.5, keyword_score=1.0, coverage=0.5, heading_coverage=0.0,
                             figures=s.figures, text=(passage_text or s.text).casefold())
    patterns = cues[s.language].evidence.get(q.asks, ()) if cues else ()
    forms = cues[s.language].held_forms(s.text) if cues else frozenset()
    vector = candidate_features(q, s, context, idf or {}, 0.5, 0.5, 0.5, 0.5, 0.0, patterns, held_forms=forms)
    return dict(zip(FEATURES, vector))


@pytest.mark.parametrize("text, language, asks", [
    ("When do applications close?", "en", Asks.DATE),
    ("How much is the maximum award per grant?", "en", Asks.AMOUNT),
    ("quante imprese saranno finanziate", "it", Asks.COUNT),
    ("posso partecipare se la mia impresa ha sede a Bergamo?", "it", Asks.ELIGIBILITY),
    ("신청 마감일은 언제인가요", "ko", Asks.DATE),
    ("지원금은 얼마인가요?", "ko", Asks.AMOUNT),
    ("공무원인데 지원할 수 있나요?", "ko", Asks.ELIGIBILITY),
    ("Who is the project officer?", "en", Asks.PERSON),
    ("cosa si intende per sede operativa", "it", Asks.DEFINITION),
    # permission asked without "apply": "is that allowed", "è possibile", "-도 되나요"
    ("We want to share the grant with a partner university. Is that allowed?", "en", Asks.ELIGIBILITY),
    ("My company moved abroad last year. Are we still allowed to take part?", "en", Asks.ELIGIBILITY),
    ("con un altro comune è possibile una domanda congiunta", "it", Asks.ELIGIBILITY),
    ("ho chiuso la partita IVA a marzo, faccio ancora in tempo per il contributo", "it", Asks.ELIGIBILITY),
    ("심사 서류를 대리인이 대신 제출해도 되나요?", "ko", Asks.ELIGIBILITY),
    ("come definisce il decreto una piccola impresa", "it", Asks.DEFINITION),
    ("which activities count as research under this call", "en", Asks.DEFINITION),
    ("in quale territorio vale l'agevolazione", "it", Asks.PLACE),
    ("On which website are the results published?", "en", Asks.PLACE),
    # an age is a count of years; a ceiling or a minimum investment is an amount, also in a keyword query
    ("보조금을 받으려면 몇 살이어야 하나요", "ko", Asks.COUNT),
    ("How old must an applicant be?", "en", Asks.COUNT),
    ("grant award ceiling", "en", Asks.AMOUNT),
    ("investimento minimo per il contributo", "it", Asks.AMOUNT),
    # a phone number, or the number of an act, counts nothing; the number of awards does
    ("What is the phone number of the program officer?", "en", Asks.PERSON),
    ("What is the number of the executive order?", "en", Asks.OTHER),
    ("what is the number of awards expected", "en", Asks.COUNT),
    ("qual è il numero di telefono dell'help desk", "it", Asks.OTHER),
    ("numero massimo di partecipanti", "it", Asks.COUNT),
    # a penalty need not be money; "fine" is also "all right"; a chair seat is no person; "quanto può durare" asks
    # how long, not how much
    ("What penalty applies to agencies that do not comply?", "en", Asks.OTHER),
    ("We missed the webinar. Is that fine?", "en", Asks.ELIGIBILITY),
    ("how high above the chair seat should the desk be", "en", Asks.OTHER),
    ("who is the chair of the committee", "en", Asks.PERSON),
    ("Quanto può durare un accordo?", "it", Asks.DATE),
    # seconds and minutes are lengths of time too
    ("AI 서비스는 몇 초 안에 응답을 시작해야 하나요?", "ko", Asks.DATE),
    ("entro quanti minuti va confermata la prenotazione", "it", Asks.DATE),
    ("how many seconds may a page take to load", "en", Asks.DATE),
    ("in quale sala si riunisce la commissione", "it", Asks.PLACE),
    # which costs are eligible is not how much they are
    ("Quali spese sono ammissibili?", "it", Asks.ELIGIBILITY),
    ("oltre quale costo totale serve la verifica", "it", Asks.AMOUNT),
    ("Which costs are eligible?", "en", Asks.ELIGIBILITY),
    ("어떤 비용이 지원 대상인가요?", "ko", Asks.ELIGIBILITY),
    ("사업 비용은 얼마인가요", "ko", Asks.AMOUNT),
    # sums or dates in the situation told before it do not make "may we?" a "how much"; a question word does
    ("저희 회사는 매출이 10억 원입니다. 이번 공모에 참여할 수 있을까요?", "ko", Asks.ELIGIBILITY),
    ("총사업비가 300억원이 넘는 도로 사업도 심사를 받아야 하나요?", "ko", Asks.ELIGIBILITY),
    ("몇 명까지 신청할 수 있나요?", "ko", Asks.COUNT),
    ("지원 금액은 얼마까지 받을 수 있나요?", "ko", Asks.AMOUNT),
    ("We spent 2,000 euros on software. Is that an eligible expense?", "en", Asks.ELIGIBILITY),
    ("How much can we receive if we are eligible?", "en", Asks.AMOUNT),
    ("Abbiamo un budget di 50.000 euro: possiamo partecipare al bando?", "it", Asks.ELIGIBILITY),
    ("Quanto possiamo ottenere se partecipiamo?", "it", Asks.AMOUNT),
])
def test_what_a_question_asks_for(analyzer, cues, text, language, asks):
    assert question(text, language, analyzer, cues).asks is asks


def test_question_record_holds_figures_names_and_cross_language_anchors(analyzer, cues):
    q = question("HRSA-24-019 공고의 2024년 최대 지원액은 얼마인가요?", "ko", analyzer, cues)
    assert q.figures >= {"2024"} and "HRSA-24-019" in q.names and q.asks is Asks.AMOUNT
    assert any(t.startswith("hrsa") for t in q.anchors)  # the Latin code is shared with the English document
    count = question("How many new grants are expected?", "en", analyzer, cues)
    assert count.counted == ("grant",)


@pytest.mark.parametrize("text, language, frame", [
    ("Vorrei sapere il numero totale dei comuni ammessi", "it", {"vorre", "saper", "numer", "total"}),
    ("Please tell me the total amount of the documents' grants", "en", {"pleas", "total", "amoun", "docum"}),
])
def test_the_words_that_frame_a_question_are_not_its_topic(analyzer, cues, text, language, frame):
    # The cue table writes "numero", "please"; the question's terms are cut to their first letters ("numer", "pleas").
    q = question(text, language, analyzer, cues)
    assert not frame & set(q.focus) and frame <= set(q.terms) and q.focus


def test_a_date_does_not_answer_how_many(analyzer, cues):
    q = question("How many schools joined the programme?", "en", analyzer, cues)
    dated = sentence("The programme started in 2021 with schools from the region.", "en", analyzer, cues)
    counted = sentence("Twelve schools joined, 14 schools in all by the end.", "en", analyzer, cues)
    assert not evidence(q, dated) and evidence(q, counted)
    assert features(q, dated)["counted_with_figure"] == 0.0 and features(q, counted)["counted_with_figure"] == 1.0


@pytest.mark.parametrize("text, language, other, counting", [
    ("How many regulation-free zones will there be?", "en",
     "The ministry will expand regulation-free zones, and train staff through 9 national universities.",
     "The ministry will open 9 regulation-free zones, and train staff through national universities."),
    ("quante zone franche ci saranno", "it",
     "Il ministero amplierà le zone franche, e formerà personale in 9 università.",
     "Il ministero aprirà 9 zone franche, e formerà personale nelle università."),
    ("규제자유특구는 몇 개인가요", "ko",
     "산업부는 규제자유특구를 확대하고, 9개 국립대학을 통해 인재를 공급한다.",
     "산업부는 규제자유특구 9개를 지정하고, 국립대학을 통해 인재를 공급한다."),
    # One long clause: the figure counts what stands a few words from it.
    ("How many regulation-free zones will there be?", "en",
     "The ministry will expand regulation-free zones to offer exceptions for the city driving of future cars and "
     "supply talent through nine national universities.",
     "The ministry will expand the regulation-free zones to nine and supply talent through national universities."),
    ("quante zone di libero regolamento ci saranno", "it",
     "Il ministero prevede di espandere le zone di libero regolamento per offrire eccezioni normative per la guida "
     "urbana delle auto del futuro e di supportare la fornitura di talenti attraverso nove università nazionali.",
     "Il ministero prevede di portare a nove le zone di libero regolamento e di formare talenti nelle università."),
])
def test_a_figure_in_another_clause_counts_something_else(analyzer, cues, text, language, other, counting):
    q = question(text, language, analyzer, cues)
    assert q.asks is Asks.COUNT and q.counted
    elsewhere, counted = sentence(other, language, analyzer, cues), sentence(counting, language, analyzer, cues)
    assert counted_elsewhere(q, elsewhere) and not counted_elsewhere(q, counted)
    other_kind = question(text.replace("How many", "Which").replace("quante", "quali").replace("몇 개인가요", "어디인가요"),
                          language, analyzer, cues)
    assert not counted_elsewhere(other_kind, elsewhere)


@pytest.mark.parametrize("text, language, unnamed, named", [
    ("How many companies will receive support from the growth packages?", "en",
     "The ministry selected the 5 poles and 3 growth engines to receive support.",
     "Support will reach 1,200 companies in the growth packages."),
    ("Quante aziende riceveranno supporto dai pacchetti di crescita?", "it",
     "Il Ministero ha selezionato 5 poli e 3 motori di crescita per il supporto.",
     "Il supporto raggiungerà 1.200 aziende nei pacchetti di crescita."),
    ("성장 패키지로 지원받는 기업은 몇 곳인가요?", "ko", "산업부는 5극 3특 성장엔진을 선정해 집중 지원한다.",
     "성장 패키지로 기업 1,200곳을 지원한다."),
])
def test_a_count_from_a_sentence_that_never_names_the_counted_thing_is_refused(analyzer, cues, text, language,
                                                                                 unnamed, named):
    from assistant.features import counted_unnamed

    q = question(text, language, analyzer, cues)
    assert q.asks is Asks.COUNT and q.counted
    assert counted_unnamed(q, sentence(unnamed, language, analyzer, cues))
    assert not counted_unnamed(q, sentence(named, language, analyzer, cues))
    if language == "ko":  # a figure with the counter asked with ("몇 곳") counts what is asked
        assert q.counter == "곳" and not counted_unnamed(q, sentence("지원 대상: 약 1,200곳", language, analyzer, cues))
        assert counted_unnamed(q, sentence("지원 대상: 약 1,200명", language, analyzer, cues))
    other = "ko" if language != "ko" else "en"  # across languages the counted word cannot be looked for
    assert not counted_unnamed(q, sentence("산업부는 5극 3특을 선정했다." if other == "ko" else "The 5 poles.", other,
                                           analyzer, cues))


def test_a_figure_in_the_only_clause_is_left_to_the_selector(analyzer, cues):
    q = question("How many regulation-free zones will there be?", "en", analyzer, cues)
    one = sentence("The ministry will expand regulation-free zones with 9 national universities.", "en", analyzer, cues)
    assert not counted_elsewhere(q, one) and evidence(q, one)


@pytest.mark.parametrize("text, language, numbering, counting", [
    ("quante filiere sono ammesse", "it", "La D.G.R. n. 2995 del 9 settembre 2024 sostiene le filiere riconosciute.",
     "Sono ammesse 12 filiere riconosciute."),
    ("How many regions take part?", "en", "Decree No. 45 of 9 September 2024 names the regions that take part.",
     "Twelve regions take part, 12 regions in all."),
    ("참여 지역은 몇 곳인가요", "ko", "제5조제1호에 따라 참여 지역을 선정한다.", "12개 참여 지역을 선정한다."),
])
def test_a_decree_number_or_a_day_is_no_count(analyzer, cues, text, language, numbering, counting):
    q = question(text, language, analyzer, cues)
    table = cues[Language(language)].not_counts
    named, counted = sentence(numbering, language, analyzer, cues), sentence(counting, language, analyzer, cues)
    assert counted_elsewhere(q, named, table) and not counted_elsewhere(q, counted, table)
    assert not counted_elsewhere(q, named)  # without the language's table, the figures look like counts


@pytest.mark.parametrize("text, language, title, restating, answering", [
    ("what is the budget of the green schools programme", "en", "Green Schools Programme 2025",
     "The Green Schools Programme supports schools that cut their energy use.", "Its budget is 3 million euro."),
    ("생성형 AI 서비스 시범 도입 사업비는 얼마인가요", "ko", "생성형 AI 서비스 시범 도입 제안요청서",
     "가. 사 업 명: 생성형 AI 서비스 시범 도입", "다. 사 업 비: 672,300,000원"),
])
def test_what_a_question_asks_beyond_its_documents_title(analyzer, cues, text, language, title, restating, answering):
    # A sentence that restates the document's subject ("사업명: …" where the title names the service) covers the
    # question's terms as well as the one that answers it; the terms the title does not hold tell them apart.
    q = question(text, language, analyzer, cues)
    title_terms = frozenset(analyzer.terms(title, Language(language)))
    said, answered = sentence(restating, language, analyzer, cues), sentence(answering, language, analyzer, cues)
    assert beyond_title_coverage(q, said.terms, title_terms, {}) == 0.0
    assert beyond_title_coverage(q, answered.terms, title_terms, {}) > 0.3
    assert beyond_title_coverage(q, answered.terms, frozenset(), {}) < 1.0  # without a title: plain coverage
    assert beyond_title_coverage(q, answered.terms, frozenset(q.focus), {}) == 0.0  # the title holds them all


@pytest.mark.parametrize("text, language, title, definition, other", [
    ("국가재정법에서 말하는 '독립기관'은 어디 어디인가요?", "ko", "국가재정법",
     '① 이 법에서 "독립기관"이라 함은 국회ㆍ대법원ㆍ헌법재판소 및 중앙선거관리위원회를 말한다.',
     '① 정부는 독립기관의 예산을 편성할 때 해당 독립기관의 장의 의견을 최대한 존중하여야 한다.'),
    ("chi è il referente interno nel processo del lavoro agile", "it", "Lavoro agile: informativa",
     "Il Referente interno è una figura presente in ciascuna struttura, per fare da raccordo.",
     "Lavoro agile: si intende la modalità di esecuzione del rapporto di lavoro."),
    ("how does the memo define machine readable", "en", "Open Data Policy memo",
     "Machine Readable: Refers to information in a format that can be processed without human intervention.",
     'Open data: the term "open data" refers to publicly available data.'),
])
def test_a_definition_of_the_term_asked_about(analyzer, cues, text, language, title, definition, other):
    # Whatever the question asks for (where, who, what), a sentence that defines the term it asks about is told
    # from one that only uses the term, and from the definition of another term.
    q = question(text, language, analyzer, cues)
    table, title_terms = cues[Language(language)], frozenset(analyzer.terms(title, Language(language)))
    defined = table.defined_terms(definition)
    assert defined and defines_asked_term(q, defined, title_terms, {}) > 0.3
    assert defines_asked_term(q, table.defined_terms(other), title_terms, {}) == 0.0
    assert table.defined_terms("The plan was adopted in 2019 by the ministry.") == []


def test_a_korean_compound_written_solid_holds_the_words_a_question_writes_apart(analyzer, cues):
    q = question("생성형 AI 시범 도입 사업 기간은 얼마나 되나요?", "ko", analyzer, cues)
    s = sentence("나. 사업기간: 계약일로부터 6개월", "ko", analyzer, cues)
    assert {"사업", "기간"} <= set(q.focus) and not {"사업", "기간"} & s.terms  # the analyzer cannot split "사업기간"
    assert {"사업", "기간"} <= held_terms(q, s.terms, s.language)
    english = question("how long is the project period", "en", analyzer, cues)
    solid = sentence("The projectperiod lasts six months.", "en", analyzer, cues)
    assert held_terms(english, solid.terms, solid.language) == solid.terms  # Korean only


@pytest.mark.parametrize("text, language, bare, numbered", [
    ("what is the notice number of the call", "en", "The call is run by the Ministry of Labour.", "Notice No. 311 of the Ministry."),
    ("공고문 번호 좀 알려주세요", "ko", "인사혁신처는 정책단을 모집합니다.", "인사혁신처 공고 제2023-311호"),
    ("qual è la percentuale di cofinanziamento", "it", "Il cofinanziamento è a carico del beneficiario.", "Il cofinanziamento è del 20%."),
    ("what is the programme code", "en", "The programme is run by the region.", "Programme code: XY03."),  # a code
])
def test_a_figure_asked_for_needs_a_figure(analyzer, cues, text, language, bare, numbered):
    q = question(text, language, analyzer, cues)
    assert q.wants_figure
    assert no_figure(q, bare) and not no_figure(q, numbered)
    assert not no_figure(question("who runs the call", "en", analyzer, cues), bare)  # only a figure asked for is gated


@pytest.mark.parametrize("text, language, dated, quantity", [
    ("a quanto ammonta il budget del piano", "it", "Piano nazionale per l'innovazione, 29 ottobre 2019",
     "Il piano dispone di 300 milioni di euro."),
    ("How many meetings were held in 2019?", "en", "Innovation plan, adopted on 29 October 2019.",
     "Nine meetings were held in 2019."),
    ("디지털 혁신 계획의 총 예산은 얼마인가요", "ko", "디지털 혁신 추진계획 2019. 10. 29.", "총 예산은 3,000억원이다."),
])
def test_an_amount_or_a_count_needs_a_figure_that_is_no_date(analyzer, cues, text, language, dated, quantity):
    q = question(text, language, analyzer, cues)
    table = cues[Language(language)].not_counts
    assert q.asks in (Asks.AMOUNT, Asks.COUNT)
    assert no_quantity(q, dated, table) and not no_quantity(q, quantity, table)
    assert no_quantity(q, "The plan was adopted in 2019.", table)  # a year alone, or the question's own figure
    when = question({"it": "quando è stato adottato il piano", "en": "When was the plan adopted?",
                     "ko": "계획은 언제 수립되었나요"}[language], language, analyzer, cues)
    assert not no_quantity(when, dated, table)  # only amounts and counts are gated


@pytest.mark.parametrize("text, language, timed", [
    ("quante domande sono arrivate", "it", "Termine per la presentazione delle domande: 31 marzo 2025, ore 16:00:00."),
    ("How many people attend the webinar?", "en", "The webinar runs from 2:30 pm to 4 p.m."),
    ("설명회에는 몇 명이 참석하나요", "ko", "설명회는 오후 2시 30분부터 16:00까지 열린다."),
    # An ordinal numbers something: the 6th edition, the 3rd window, the 2nd round.
    ("quante imprese partecipano", "it", "È aperta la 6ª edizione del bando per le imprese, il 3° sportello."),
    ("How many fellows are recruited?", "en", "We are recruiting the 6th cohort of fellows for the 2nd round."),
    ("위원은 몇 명을 모집하나요", "ko", "제6기 국민위원을 제2회 공모로 모집합니다."),
    # A list item's number numbers the item.
    ("How many members does the committee have?", "en", "5. A coastal Member State shall record all infringements."),
    ("quanti membri ha il comitato", "it", "3) I membri del comitato sono nominati dal Presidente."),
    ("위원회 위원은 몇 명인가요", "ko", "2. 위원회의 위원은 대통령이 위촉한다."),
    # "One of the following" introduces a list: it counts nothing.
    ("How many trainees must the program support?", "en", "To receive support, a trainee must be one of the following:"),
    ("quanti requisiti servono", "it", "L’impresa deve possedere uno dei seguenti requisiti:"),
])
def test_a_time_of_day_an_ordinal_or_a_list_number_is_no_count(analyzer, cues, text, language, timed):
    q = question(text, language, analyzer, cues)
    table = cues[Language(language)].not_counts
    assert q.asks is Asks.COUNT
    assert no_quantity(q, timed, table) and not no_quantity(q, timed + " 12", table)
    assert not no_quantity(q, timed)  # without the language's table, the hours and ordinals look like counts


@pytest.mark.parametrize("text, language, undated, dated", [
    ("when is the information session for applicants", "en", "We will hold an information session for applicants.",
     "The information session is on 12 March 2024 at 2 pm."),
    ("da quando si applica il decreto", "it", "Il decreto si applica alle imprese agricole.",
     "Il decreto entra in vigore il giorno successivo alla sua pubblicazione."),
    ("이 규정은 언제부터 시행되나요", "ko", "이 규정은 모든 공공기관에 적용된다.", "이 규정은 공포한 날부터 시행한다."),
])
def test_a_when_needs_a_date_day_or_period(analyzer, cues, text, language, undated, dated):
    q = question(text, language, analyzer, cues)
    kinds = cues[Language(language)].evidence_kinds
    assert q.asks is Asks.DATE
    assert no_date(q, kinds(undated)) and not no_date(q, kinds(dated))  # a day named by an act is a date too
    what = question({"en": "what is the session about", "it": "a chi si applica il decreto",
                     "ko": "이 규정은 누구에게 적용되나요"}[language], language, analyzer, cues)
    assert not no_date(what, kinds(undated))  # only "when" questions are gated
    lasting = {"en": "The rotation lasts at least three months.", "it": "La sessione dura 5 minuti ogni ora.",
               "ko": "사업기간은 계약일로부터 6개월이다."}[language]
    forms = cues[Language(language)].held_forms
    assert not no_date(q, kinds(lasting), forms(lasting)) and no_date(q, kinds(undated), forms(undated))  # a length


@pytest.mark.parametrize("text, language, figure_only, sum_, share", [
    ("What is the budget of the 5 growth packages?", "en", "The 3 regions receive support through 5 growth packages.",
     "The packages have a budget of 1.2 billion dollars.", "Each package covers up to 40% of the costs."),
    ("Qual è il budget dei 5 pacchetti di crescita?", "it", "Le 3 regioni ricevono supporto con 5 pacchetti di crescita.",
     "La dotazione è di 4.976.027,00 euro.", "Il contributo copre il 50 % delle spese."),
    ("5대 성장 패키지의 예산은 얼마인가요?", "ko", "3개 지역이 5대 성장 패키지로 지원을 받는다.", "예산은 1조 2천억 원이다.",
     "일반회계 예산총액의 100분의 1 이내의 금액을 계상할 수 있다."),
])
def test_a_how_much_needs_a_sum_or_a_share(analyzer, cues, text, language, figure_only, sum_, share):
    """A figure is not a sum: "the 5 growth packages" does not answer what their budget is."""
    from assistant.features import no_amount

    q = question(text, language, analyzer, cues)
    table = cues[Language(language)]
    gated = lambda t: no_amount(q, table.evidence_kinds(t), table.held_forms(t))  # noqa: E731
    assert q.asks is Asks.AMOUNT
    assert gated(figure_only) and not gated(sum_) and not gated(share)
    count = question({"en": "how many packages are there", "it": "quanti pacchetti ci sono",
                      "ko": "패키지는 몇 개인가요"}[language], language, analyzer, cues)
    assert not no_amount(count, table.evidence_kinds(figure_only), table.held_forms(figure_only))  # only "how much"


@pytest.mark.parametrize("text, language, currency_first, nothing_to_pay, figure_only", [
    ("quanto costa la copia di un documento", "it", "La copia costa euro 0,50 per pagina.",
     "Il rilascio della copia è gratuito.", "La copia si chiede con il modulo 3."),
    ("how much is the fee for the certificate", "en", "The fee is USD 40 per certificate.",
     "The certificate is issued free of charge.", "Apply with form 3."),
    ("증명서 발급 수수료는 얼마인가요", "ko", "발급 수수료는 1천 원이다.", "증명서 발급: 수수료 없음",
     "증명서는 별지 제3호서식으로 신청한다."),
])
def test_a_how_much_is_answered_by_a_sum_written_either_way_or_by_nothing_to_pay(
        analyzer, cues, text, language, currency_first, nothing_to_pay, figure_only):
    """"euro 0,50" is a sum as "0,50 euro" is, and "free of charge" answers "how much": neither the amount gate nor
    the figure gate refuses them, while a text with only a form's number is still refused."""
    from assistant.answer import Candidate, refusal_reasons
    from assistant.types import Chunk

    q = question(text, language, analyzer, cues)
    assert q.asks is Asks.AMOUNT

    def reasons(text_given: str) -> list[str]:
        s = sentence(text_given, language, analyzer, cues)
        chunk = Chunk("d#p1", "d", text_given, "¶1", Language(language), "d")
        return refusal_reasons(q, Candidate(s, chunk, 1, np.zeros(1)), 0.9, 0.6, cues)

    assert Asks.AMOUNT in cues[Language(language)].evidence_kinds(currency_first)
    assert reasons(currency_first) == [] and reasons(nothing_to_pay) == []
    assert "it holds no sum of money or share, and the question asks how much" in reasons(figure_only)
    count = question({"it": "quante copie posso chiedere", "en": "how many certificates can I ask for",
                      "ko": "증명서는 몇 장 받을 수 있나요"}[language], language, analyzer, cues)
    assert count.asks is Asks.COUNT
    s = sentence(nothing_to_pay, language, analyzer, cues)
    assert refusal_reasons(count, Candidate(s, Chunk("d#p1", "d", nothing_to_pay, "¶1", Language(language), "d"), 1,
                                            np.zeros(1)), 0.9, 0.6, cues)  # nothing to pay counts nothing


@pytest.mark.parametrize("language, numbered, sum_, counted", [
    ("ko", "개인정보보호법 제15조, 제17조 및 제24조에 근거하여 동의를 받는다.", "사업비는 3조 원이다.", "위원은 45명 이내로 구성한다."),
    ("it", "Ai sensi dell'art. 7 della D.G.R. n. 2995 del 9 settembre.", "La dotazione è di 3 milioni di euro.",
     "Sono ammessi 10 progetti."),
    ("en", "Under Section 3 of Decree No. 2995 of 9 September.", "The budget is 3 million dollars.",
     "The committee has 45 members."),
])
def test_a_figure_that_numbers_or_dates_something_is_no_sum_and_no_count(cues, language, numbered, sum_, counted):
    """An article's "제15조" (조 is also "trillion"), "n. 2995" or "9 September" holds no sum and no count, while a
    sum and a count still do."""
    kinds = cues[Language(language)].evidence_kinds
    assert not {Asks.AMOUNT, Asks.COUNT} & kinds(numbered)
    assert Asks.AMOUNT in kinds(sum_) and Asks.COUNT in kinds(counted)


def test_a_figure_of_the_wrong_kind_is_no_amount(analyzer, cues):
    q = question("How much funding does each award receive?", "en", analyzer, cues)
    grants = sentence("We expect to make 12 new grants this year.", "en", analyzer, cues)
    money = sentence("Each award receives up to $415,000 per year.", "en", analyzer, cues)
    assert features(q, grants)["evidence"] == 0.0 and features(q, grants)["sentence_has_figure"] == 1.0
    assert features(q, money)["evidence"] == 1.0 and features(q, money)["evidence_amount"] == 1.0


def test_the_fact_sits_in_the_clause_about_what_is_asked(analyzer, cues):
    q = question("How much is each award per year?", "en", analyzer, cues)
    s = sentence("Total funding is $5,000,000; each award receives up to $415,000 per year.", "en", analyzer, cues)
    total = sentence("Total funding for the programme is $5,000,000.", "en", analyzer, cues)
    patterns = cues[Language.EN].evidence[Asks.AMOUNT]
    assert clause_coverage(q, s, patterns, {}) > clause_coverage(q, total, patterns, {})


def test_near_miss_passage_lacks_the_named_code(analyzer, cues):
    q = question("What is the budget of HRSA-24-020?", "en", analyzer, cues)
    s = sentence("The budget of HRSA-24-019 is $5,000,000.", "en", analyzer, cues)
    assert features(q, s)["names_in_passage"] == 0.0
    same = question("What is the budget of HRSA-24-019?", "en", analyzer, cues)
    assert features(same, s)["names_in_passage"] == 1.0


def test_cross_lingual_and_korean_date_evidence(analyzer, cues):
    q = question("Quando scade la domanda?", "it", analyzer, cues)
    s = sentence("신청 기간은 2025년 3월 31일까지입니다.", "ko", analyzer, cues)
    row = features(q, s)
    assert row["cross_lingual"] == 1.0 and row["evidence_date"] == 1.0


def test_editorial_notes_are_not_facts_and_sums_need_no_currency_sign():
    from assistant.question import Asks, load_cues
    from assistant.types import Chunk, Language

    cues = load_cues()
    # A statute's amendment history is not a date the text states.
    assert Asks.DATE not in cues[Language.KO].evidence_kinds("예비비는 별도로 세입세출예산에 계상할 수 있다. <개정 2020.6.9>")
    assert Asks.DATE in cues[Language.KO].evidence_kinds("회계연도는 매년 1월 1일에 시작한다. [본조신설 2010.5.17]")
    # A sum written with thousands and cents is an amount even without "euro" or "$".
    assert Asks.AMOUNT in cues[Language.IT].evidence_kinds("un massimo pari a 300.000,00 ed un minimo pari a 70.000,00")
    assert Asks.AMOUNT in cues[Language.EN].evidence_kinds("a maximum of 300,000.00 per award")
    assert Asks.AMOUNT not in cues[Language.IT].evidence_kinds("Sono ammessi 300 progetti nel 2025.")
    # Seconds and minutes are lengths of time; "초과" (more than) is none.
    assert Asks.DATE in cues[Language.KO].evidence_kinds("일반적인 질의 시 5초 이내 응답을 시작할 것")
    assert "duration" in cues[Language.KO].held_forms("5초 이내") and "duration" not in cues[Language.KO].held_forms("100초과")
    assert Asks.DATE in cues[Language.IT].evidence_kinds("aprire le finestre per 5 minuti ogni 2 ore")
    assert Asks.DATE in cues[Language.EN].evidence_kinds("the response must start within 5 seconds")
    # "esclusivamente" (only) says how, not who is excluded.
    assert Asks.ELIGIBILITY not in cues[Language.IT].evidence_kinds("La domanda va trasmessa esclusivamente tramite il portale.")
    assert Asks.ELIGIBILITY in cues[Language.IT].evidence_kinds("Sono escluse le società partecipate dai Comuni.")


@pytest.mark.parametrize("text, language, dated", [
    ("La documentazione presentata dal soggetto richiedente è valutata dagli uffici.", "it", False),
    ("Le domande si presentano dal 3/6, alle ore dieci.", "it", True),
    ("L'integrazione va trasmessa entro 15 (quindici) giorni dalla richiesta.", "it", True),
    ("The recipient reports within six (6) months of the award.", "en", True),
    ("The award is subject to a three (3) percent cap.", "en", False),
])
def test_what_reads_as_a_date_or_a_duration(cues, text, language, dated):
    # "dal" is a date's start only before a figure; a duration may spell its figure out beside the digits.
    assert (Asks.DATE in cues[Language(language)].evidence_kinds(text)) is dated


def test_a_sentence_that_only_restates_the_question_tells_nothing_new(analyzer, cues):
    q = question("How many members may the national committee have?", "en", analyzer, cues)
    title = sentence("Members of the National Committee", "en", analyzer, cues)
    fact = sentence("The Committee shall consist of up to 45 members, including one chairperson.", "en", analyzer, cues)
    assert features(q, title)["restates"] > features(q, fact)["restates"]
    assert features(q, title)["novel_figure"] == 0.0 and features(q, fact)["novel_figure"] == 1.0
    # A figure the question already gives is nothing new.
    again = question("What happens under regulation 2017/2403?", "en", analyzer, cues)
    assert features(again, sentence("Regulation 2017/2403 applies.", "en", analyzer, cues))["novel_figure"] == 0.0


def test_a_lead_in_is_read_with_the_item_that_holds_the_fact(analyzer, cues):
    q = question("How many days does the applicant have to reply?", "en", analyzer, cues)
    lead = sentence("The applicant shall, upon request:", "en", analyzer, cues)
    item = sentence("reply within 10 days of the request.", "en", analyzer, cues, position=1)
    context = PassageContext(1, 0.0, 0.5, 1.0, 0.5, 0.0, item.figures, item.text.casefold())
    vector = dict(zip(FEATURES, candidate_features(q, lead, context, {}, 0.5, 0.5, 0.5, 0.5, 0.0, (), item)))
    alone = dict(zip(FEATURES, candidate_features(q, lead, context, {}, 0.5, 0.5, 0.5, 0.5, 0.0, (), None)))
    assert vector["lead_in"] == 1.0 and vector["next_holds"] == 1.0 and alone["next_holds"] == 0.0
    long_item = sentence("reply within 10 days " + "and more words " * 20, "en", analyzer, cues, position=1)
    assert candidate_features(q, lead, context, {}, 0.5, 0.5, 0.5, 0.5, 0.0, (), long_item)[FEATURES.index("next_holds")] == 0.0


@pytest.mark.parametrize("text, language, head", [
    ("max number of members on the national committee", "en", "membe"),
    ("number of new grants HRSA plans to make", "en", "grant"),
    ("how many people sit on the panel", "en", "peopl"),
    ("위원은 최대 몇 명까지 둘 수 있나요", "ko", "위원"),
])
def test_what_a_how_many_question_counts(analyzer, cues, text, language, head):
    assert question(text, language, analyzer, cues).counted[:1] == (head,)


def test_italian_and_english_cognates_meet_across_languages(analyzer, cues):
    q = question("quale regolamento nazionale disciplina le autorizzazioni di pesca", "it", analyzer, cues)
    english = sentence("The national regulation sets the rules for fishing authorisations.", "en", analyzer, cues)
    korean = sentence("국가 규정은 어업 허가 규칙을 정한다.", "ko", analyzer, cues)
    unrelated = sentence("The weather was fine on Tuesday afternoon.", "en", analyzer, cues)
    assert features(q, english)["cognate_coverage"] > features(q, unrelated)["cognate_coverage"] == 0.0
    assert features(q, korean)["cognate_coverage"] == 0.0  # no shared script: nothing to compare
    same = sentence("Il regolamento nazionale disciplina le autorizzazioni.", "it", analyzer, cues)
    assert features(q, same)["cognate_coverage"] == features(q, same)["sentence_coverage"]


@pytest.mark.parametrize("text, language, form, holds, lacks", [
    ("which email address do I write to with questions", "en", "email",
     "Questions may be sent to grants@agency.gov by the deadline.", "Questions may be sent by phone at 202-555-0143."),
    ("문의할 전화번호가 뭔가요", "ko", "phone", "문의: 정책과 044-203-3129", "문의는 이메일 help@agency.go.kr 로 보내 주세요."),
    ("che percentuale del costo copre il contributo", "it", "percent",
     "Il contributo copre fino all’80% delle spese ammissibili.", "Il contributo massimo è di € 30.000,00 per progetto."),
    ("on which website are the data published", "en", "web",
     "The data are published at data.example.gov every quarter.", "The data are published every quarter by the office."),
])
def test_the_form_of_answer_asked_for(analyzer, cues, text, language, form, holds, lacks):
    """A question that asks for an e-mail, a phone number, a percentage or a web address is answered by a
    sentence that holds one: money is no percentage, a phone number no e-mail."""
    q = question(text, language, analyzer, cues)
    assert form in q.forms
    right, wrong = (features(q, sentence(t, language, analyzer, cues), cues=cues) for t in (holds, lacks))
    assert (right["form_held"], right["form_missing"]) == (1.0, 0.0)
    assert (wrong["form_held"], wrong["form_missing"]) == (0.0, 1.0)
    plain = question("who signed the memorandum", "en", analyzer, cues)
    assert not plain.forms and features(plain, sentence(holds, language, analyzer, cues), cues=cues)["form_missing"] == 0.0


def test_the_chooser_learns_which_candidate_of_a_question_is_right():
    """The chooser compares a question's candidates with each other: a signal that only tells the right
    candidate from its rivals (every question has its own level) is learned; what is the same for all of a
    question's candidates (here: whether the question has a right answer at all) cannot pick one and weighs
    nothing; the fit is deterministic."""
    from types import SimpleNamespace

    from assistant.calibrate import fit_chooser

    rng = np.random.default_rng(0)
    signal, level = FEATURES.index("sentence_similarity"), FEATURES.index("passage_similarity")

    def questions(n, answerable=True):
        made = []
        for _ in range(n):
            rows = np.zeros((6, len(FEATURES)), np.float32)
            rows[:, signal] = rng.normal(0, 5) + rng.normal(0, 0.3, 6)  # the question's own level, and noise
            rows[:, level] = float(answerable) + rng.normal(0, 0.1)
            labels = np.zeros(6, np.int8)
            if answerable:
                labels[rng.integers(6)] = 1
                rows[labels == 1, signal] += 1.0
            made.append(SimpleNamespace(candidates=[SimpleNamespace(features=r) for r in rows], labels=labels))
        return made

    training = questions(200) + questions(50, answerable=False)
    chooser = fit_chooser(training)
    assert np.array_equal(chooser.coef, fit_chooser(training).coef)
    assert chooser.coef[signal] > 0 and abs(chooser.coef[level]) < 1e-6
    held = questions(100)
    picked = [c.labels[int(np.argmax(chooser.score(np.stack([k.features for k in c.candidates]))))] for c in held]
    assert np.mean(picked) >= 0.8


def test_a_missing_feature_counts_as_the_training_mean():
    """An index without sentence vectors leaves the second opinion NaN: scored as if it were the mean, and a
    fit on rows where it is missing gives it no weight."""
    from assistant.calibrate import fit_linear
    from assistant.selector import LinearModel

    model = LinearModel(("a", "b"), np.array([0.2, 0.5], np.float32), np.ones(2, np.float32),
                        np.array([1.0, 2.0], np.float32), 0.1)
    assert np.allclose(model.score(np.array([[0.7, np.nan]])), model.score(np.array([[0.7, 0.5]])))
    rng = np.random.default_rng(0)
    rows = np.column_stack([rng.normal(size=200), np.full(200, np.nan)])
    fitted = fit_linear(rows, (rows[:, 0] > 0).astype(int), ("a", "b"))
    assert fitted.coef[0] > 0 and fitted.coef[1] == 0 and np.isfinite(fitted.mean).all()


def test_the_sentence_model_gives_each_candidate_its_cosine(e5_engine):
    """With sentence vectors, every candidate carries the sentence model's cosine with the question (and its
    lead over the best); without them, NaN."""
    from dataclasses import replace

    from assistant.answer import gather_candidates
    from assistant.pipeline import understand
    from assistant.retrieve import retrieve

    q = understand(e5_engine, "How many AI factories by 2030?", Language.EN)
    hits = retrieve(q, e5_engine.store, e5_engine.settings.retrieve, e5_engine.selector.ranker, idf=e5_engine.idf)
    candidates = gather_candidates(q, hits, e5_engine.store, e5_engine.idf, 2, e5_engine.cues)
    at, margin = FEATURES.index("second_similarity"), FEATURES.index("second_similarity_margin")
    values = np.array([c.features[at] for c in candidates])
    expected = np.array([float(e5_engine.sentence_model.embed_passages([c.sentence.text])[0] @ q.sentence_vector)
                         for c in candidates])
    assert np.allclose(values, expected, atol=0.01)
    assert np.allclose([c.features[margin] for c in candidates], values - values.max())
    blind = gather_candidates(replace(q, sentence_vector=None), hits, e5_engine.store, e5_engine.idf, 2, e5_engine.cues)
    assert all(np.isnan(c.features[at]) for c in blind)


def test_a_cross_lingual_answer_names_only_the_fact_asked_for(analyzer, cues):
    """The fact a cross-lingual answer names is the form asked for, or a figure of the kind asked for; a question
    that asks for neither, or a sentence with several candidate figures, gets the quote alone, not the sentence's
    first number."""
    from assistant.answer import key_fact

    source = "GPU 개발 서버: CPU Intel Gold 3.9GHz, GPU NVIDIA L40S 2EA, 문의 datause@agency.go.kr"
    email = question("which email address answers questions about the servers", "en", analyzer, cues)
    gpu = question("which GPU does the development server use", "en", analyzer, cues)
    count = question("how many GPUs does the development server have", "en", analyzer, cues)
    assert key_fact(source, email, cues[Language.KO]) == "datause@agency.go.kr"
    assert key_fact(source, gpu, cues[Language.KO]) == ""
    # Several figures (3.9, 40, 2), none of them clearly the count: the quote speaks, no figure is named.
    assert key_fact(source, count, cues[Language.KO]) == ""
    assert key_fact("개발 서버용 GPU 2대를 도입한다.", count, cues[Language.KO]) == "2대"  # its particle dropped
    # A place is named by a proper name, not by the common noun that marks a sentence as speaking of one.
    where = question("그 시스템은 어디에 배치되었나요", "ko", analyzer, cues)
    assert where.asks is Asks.PLACE
    assert key_fact("The system has led to building decision aids for security agencies.", where, cues[Language.EN]) == ""
    assert key_fact("The system has been deployed in Boston since 2007.", where, cues[Language.EN]) == "in Boston"
    # A figure spelled out and repeated in digits is named whole, not from its bracket.
    share = question("그 비율은 몇 퍼센트인가요", "ko", analyzer, cues)
    assert key_fact("Placement must be greater than or equal to fifty (50) percent of all graduates.", share,
                    cues[Language.EN]) == "fifty (50) percent"


def test_the_fact_an_answer_names_is_whole_unique_and_not_an_editorial_note(analyzer, cues):
    """A cross-lingual answer names a figure only when the sentence holds exactly one of the kind asked for, whole
    (an address with its dots, a date with its day), and never a statute's amendment note."""
    from assistant.answer import key_fact

    deadline = question("how many days before the fiscal year must the budget bill be submitted", "en", analyzer, cues)
    statute = "정부는 예산안을 회계연도 개시 120일 전까지 국회에 제출하여야 한다. <개정 2013.5.28>"
    assert key_fact(statute, deadline, cues[Language.KO]) == "120일 전까지"
    web = question("what is the web address of the application", "en", analyzer, cues)
    assert key_fact("Si accede digitando l'indirizzo http://lavoro.example.it, poi si entra.", web,
                    cues[Language.IT]) == "http://lavoro.example.it"
    phones = "문의: 043-719-3750 또는 043-719-3764로 연락하십시오."
    phone = question("which phone number can I call", "en", analyzer, cues)
    assert key_fact(phones, phone, cues[Language.KO]) == ""
    assert key_fact("문의: 043-719-3750로 연락하십시오.", phone, cues[Language.KO]) == "043-719-3750"
    amount = question("how much support does each farm get", "en", analyzer, cues)
    assert key_fact("농가당 100만 원을 지원한다.", amount, cues[Language.KO]) == "100만 원"  # "만" is a figure's


def test_the_confidence_reads_how_far_the_pick_stands_out():
    """The chooser is a softmax over a question's candidates: shifting all its scores by a constant changes only
    the raw score among the confidence features. The first of them is the log of the probability the chooser
    gives its pick; a close rival lowers it, a candidate that states the pick's figure again does not."""
    from assistant.features import CONFIDENCE_FEATURES, agreeing, confidence_features

    scores = np.array([1.5, 0.2, -0.7, 1.1])
    features = np.random.default_rng(0).normal(size=(4, len(FEATURES))).astype(np.float32)
    features[:, FEATURES.index("evidence")] = 1.0

    def confidence(scores, agree=None):
        return dict(zip(CONFIDENCE_FEATURES, confidence_features(scores, 0, features, agree)))

    base, shifted = confidence(scores), confidence(scores + 7.0)
    assert len(base) == len(CONFIDENCE_FEATURES)
    assert {k: v for k, v in base.items() if k != "chooser_score"} == pytest.approx(
        {k: v for k, v in shifted.items() if k != "chooser_score"})
    assert shifted["chooser_score"] == pytest.approx(base["chooser_score"] + 7.0)
    assert base["chooser_log_share"] == pytest.approx(np.log(np.exp(1.5) / np.exp(scores).sum()), abs=1e-6)
    close = np.array([1.5, 1.45, -0.7, 1.1])
    rival = confidence(close)
    assert rival["chooser_log_share"] < base["chooser_log_share"] and rival["close_rivals"] > base["close_rivals"]
    # The close candidate says "500" again (2030 is the question's own figure): it supports the pick.
    figures = [frozenset({"500", "2030", "102"}), frozenset({"500", "2030", "15"}), frozenset({"2030"}), frozenset({"7"})]
    agree = agreeing(figures, features, 0, frozenset({"2030"}))
    assert agree.tolist() == [True, True, False, False]
    again = confidence(close, agree)
    assert again["chooser_log_share"] > rival["chooser_log_share"] and again["close_rivals"] < rival["close_rivals"]
    features[1, FEATURES.index("evidence")] = 0.0  # a sentence without the kind of fact asked for agrees with nothing
    assert agreeing(figures, features, 0, frozenset({"2030"})).tolist() == [True, False, False, False]
    # Whether the pick names what the question names (its codes, its cross-language terms) is read from the pick.
    for name in ("names_in_sentence", "anchors_in_sentence", "names_in_passage"):
        assert base[name] == pytest.approx(features[0, FEATURES.index(name)])


def test_a_sentence_said_again_in_nearly_the_same_words_is_no_rival(embedder):
    """A sentence a document says twice in nearly the same words (a summary and the body, a lead-in repeated over
    a list's second passage) is no rival of the pick; one that states another fact in similar words stays one."""
    from assistant.features import restating

    texts = ["Il contributo massimo è pari a 50.000 euro per ciascun progetto ammesso.",
             "Il contributo massimo è pari a euro 50.000 per ciascun progetto ammesso.",
             "Il contributo minimo è pari a 5.000 euro per ciascun progetto ammesso.",
             "La domanda si presenta online entro il 30 giugno sul portale della Regione."]
    vectors = np.asarray(embedder.embed_passages(texts), dtype=np.float32)
    assert restating(vectors, 0).tolist() == [True, True, False, False]
    assert restating(vectors, 3).tolist() == [False, False, False, True]


def test_a_when_or_how_many_is_refused_when_the_cut_shown_lacks_the_date_or_figure(analyzer, cues):
    """The hard gates read the text the asker is given: a long sentence whose only date lies beyond the cut
    does not answer "when", though the sentence as a whole holds one."""
    from assistant.answer import Candidate, refusal_reasons, shorten
    from assistant.types import Chunk

    form = ("al sig. (cognome e nome) " + "_" * 50 + " in qualità di (denominazione) " + "_" * 50 + " PROCURA "
            "SPECIALE per la sottoscrizione digitale e presentazione telematica della domanda ai fini della "
            "partecipazione al bando Contributi per lo sport 2025 quale assolvimento di tutti gli adempimenti "
            "amministrativi previsti dal bando.")  # a form to fill in, whose only "date" is the year in a name
    q = question("entro quando si presenta la domanda per il bando", "it", analyzer, cues)
    s = sentence(form, "it", analyzer, cues)
    assert q.asks is Asks.DATE and Asks.DATE in s.kinds  # the whole sentence holds a date…
    assert "2025" not in shorten(form, q, cues[Language.IT])  # …the text given would not
    chunk = Chunk("d#p1", "d", form, "¶1", Language.IT, "d")
    reasons = refusal_reasons(q, Candidate(s, chunk, 1, np.zeros(1)), 0.9, 0.6, cues)
    assert reasons == ["it holds no date, day or period, and the question asks when"]
    dated = sentence("La domanda si presenta entro il 30 giugno 2025.", "it", analyzer, cues)
    assert refusal_reasons(q, Candidate(dated, replace_text(chunk, dated.text), 1, np.zeros(1)), 0.9, 0.6, cues) == []


def replace_text(chunk, text):
    from dataclasses import replace

    return replace(chunk, text=text)


@pytest.mark.parametrize("text, language, without, with_form", [
    ("qual è la percentuale di contributo", "it", "Il contributo massimo è di 300.000,00 euro.",
     "Il contributo è pari al 40% delle spese."),
    ("What percentage of the costs is covered?", "en", "The award covers eligible costs up to $250,000.",
     "The award covers 80 percent of eligible costs."),
    ("what share of graduates must work in underserved areas", "en", "Graduates must work in underserved areas.",
     "The share must be greater than or equal to fifty (50) percent of all graduates."),  # spelled out, then digits
    ("출연 비율은 몇 퍼센트인가요", "ko", "잉여금은 기금에 우선 출연하여야 한다.",
     "잉여금은 100분의 30 이상을 기금에 우선 출연하여야 한다."),  # a statute's way of writing 30 %
    ("a quale indirizzo e-mail si scrive", "it", "Le domande si inviano alla Regione.",
     "Le domande si inviano a bandi@regione.example.it."),
    # a duration: a figure of time, not a percentage, nor "from the day after … until the day …"
    ("지원 기간은 몇 년인가요", "ko", "지급한 다음 날부터 환수하는 날까지의 기간에 대하여 연 10퍼센트의 이율로 가산한다.",
     "지원 기간은 3년 이내로 한다."),
    ("per quanto tempo resta valida la garanzia", "it", "La garanzia copre l’80% del finanziamento concesso.",
     "La garanzia resta valida per 24 (ventiquattro) mesi."),
    ("How long is the period of performance?", "en", "The period of performance starts on the date of the award.",
     "The period of performance is five (5) years."),
])
def test_a_form_asked_for_must_be_in_the_text(analyzer, cues, text, language, without, with_form):
    from assistant.features import no_form

    q = question(text, language, analyzer, cues)
    table = cues[Language(language)]
    assert no_form(q, table.held_forms(without)) in ("percent", "email", "duration")
    assert no_form(q, table.held_forms(with_form)) == ""
    other = question({"it": "quando scade il bando", "en": "When does the call close?", "ko": "신청 기한은 언제인가요"}[language],
                     language, analyzer, cues)
    assert no_form(other, table.held_forms(without)) == ""  # no form asked: nothing to lack


@pytest.mark.parametrize("text, language, asks_duration", [
    ("지원 기간은 몇 년인가요", "ko", True),
    ("며칠 이내에 신고해야 하나요", "ko", True),
    ("최근 몇 년간 수행한 실적도 인정되나요", "ko", False),  # the asker's past, not what is asked
    ("개막일이 며칠이에요", "ko", False),  # "what day", not "how many days"
    ("quanto dura il finanziamento", "it", True),
    ("per quanto riguarda le spese, chi decide", "it", False),
    ("for how many months is the licence valid", "en", True),
    ("when does the licence expire", "en", False),
])
def test_which_questions_ask_for_a_duration(cues, text, language, asks_duration):
    assert ("duration" in cues[Language(language)].asked_forms(text)) is asks_duration


@pytest.mark.parametrize("language, who, costs, applicants, eligible_costs", [
    ("it", "Chi può presentare domanda per il bando?", "Si può usare il contributo per comprare un furgone?",
     "Possono presentare domanda le micro e piccole imprese con sede in Lombardia.",
     "Sono ammissibili esclusivamente le spese sostenute dopo l’apertura della partita IVA."),
    ("en", "Who can apply for the grant?", "Can we use the award to buy equipment?",
     "Only accredited training programs may apply.", "Eligible costs include salaries and travel."),
    ("ko", "누가 신청할 수 있나요?", "지원금으로 장비를 구입할 수 있나요?",
     "공고일 현재 중소기업만 신청할 수 있다.", "인건비 등 직접 비용은 지원 대상으로 인정한다."),
])
def test_which_costs_are_eligible_does_not_say_who_may_apply(analyzer, cues, language, who, costs, applicants,
                                                            eligible_costs):
    from assistant.answer import costs_for_whom

    table = cues[Language(language)]
    asked_who, asked_costs = (question(t, language, analyzer, cues) for t in (who, costs))
    assert asked_who.asks is Asks.ELIGIBILITY and not asked_who.about_costs and asked_costs.about_costs
    assert costs_for_whom(asked_who, eligible_costs, table)
    assert not costs_for_whom(asked_who, applicants, table)
    assert not costs_for_whom(asked_costs, eligible_costs, table)  # a question about spending: the costs answer it


def test_until_when_to_apply_is_not_until_when_costs_count(analyzer, cues):
    from assistant.answer import costs_for_whom

    table = cues[Language.IT]
    when = question("Entro quando si presenta la domanda?", "it", analyzer, cues)
    costs = question("Entro quando devono essere sostenute le spese?", "it", analyzer, cues)
    sentence = "Sono ammissibili le spese sostenute dal 1° giugno 2024 e fino alla data di presentazione della domanda."
    assert when.asks is Asks.DATE and costs.asks is Asks.DATE
    assert costs_for_whom(when, sentence, table) and not costs_for_whom(costs, sentence, table)
    assert not costs_for_whom(when, "Le domande si presentano dal 14 gennaio 2025 alle ore 10:30.", table)


@pytest.mark.parametrize("text, language, asks_phone", [
    ("Who do I call with questions about the proposal?", "en", True),
    ("What number should I call?", "en", True),
    ("When can farms apply under the agritourism call?", "en", False),  # a call for applications
    ("how many call centres are to be merged", "en", False),
    ("통합 대상 콜센터는 몇 곳인가요", "ko", False),
    ("콜센터 전화번호가 뭔가요", "ko", True),
])
def test_which_questions_ask_for_a_phone_number(cues, text, language, asks_phone):
    assert ("phone" in cues[Language(language)].asked_forms(text)) is asks_phone


def test_an_answer_from_a_document_that_names_none_of_the_codes_asked_is_refused(analyzer, cues):
    """"How long is the KEPCO KPS warranty?" answered by another document's "12 mesi": codes stay as written in
    every language, so a source that names none of the question's codes speaks of something else."""
    from assistant.answer import named_elsewhere

    q = question("how long is the warranty period for the KEPCO KPS software", "en", analyzer, cues)
    assert named_elsewhere(q, "La garanzia ha una durata di 12 (dodici) mesi. Allegato A – Avviso") == ["KEPCO", "KPS"]
    assert named_elsewhere(q, "하자보수 기간은 1년으로 한다. 제안요청서 (한전KPS)") == []  # one code named is enough
    plain = question("how long is the warranty period", "en", analyzer, cues)
    assert named_elsewhere(plain, "La garanzia ha una durata di 12 (dodici) mesi.") == []  # no code asked
    ai = question("How much funding will each AI factory receive?", "en", analyzer, cues)
    assert named_elsewhere(ai, "Expected total funding for training grants: $5,000,000") == ["AI"]  # "trAIning"
    assert named_elsewhere(ai, "Ogni fabbrica AI riceverà fino a 2 milioni di euro.") == []
    assert named_elsewhere(ai, "Each Artificial Intelligence factory receives up to $2 million.") == []  # spelled out
    pcm = question("qual è l'url dell'applicativo della PCM per il lavoro agile", "it", analyzer, cues)
    assert named_elsewhere(pcm, "Presidenza del Consiglio dei Ministri – portale del lavoro agile") == []
    assert named_elsewhere(pcm, "Regione Lombardia – portale dei bandi") == ["PCM"]


def test_a_code_is_named_by_its_other_languages_initials_and_a_korean_text_is_not_asked_for_english_ones(
        analyzer, cues):
    """"l'IA generativa" is named by a call that writes "AI"; a Korean notice never writes the ministry's English
    initials ("MFDS"), so there only a code with a figure is looked for."""
    from assistant.answer import named_elsewhere

    same = [group for table in cues.values() for group in table.same_codes]
    ia = question("nella gara sull'IA generativa, quanti utenti sono previsti", "it", analyzer, cues)
    assert named_elsewhere(ia, "생성형 AI 서비스 시범 도입: 사용자 1,000명", same=same) == []
    assert named_elsewhere(ia, "생성형 AI 서비스 시범 도입: 사용자 1,000명") == ["IA"]  # without the table
    mfds = question("What fax number takes comments on the MFDS draft amendment?", "en", analyzer, cues)
    assert named_elsewhere(mfds, "의견 제출: 팩스 043-719-3750", same=same, korean=True) == []
    assert named_elsewhere(mfds, "Fax comments to 301-443-8818.", same=same) == ["MFDS"]
    assert named_elsewhere(mfds, "Fax comments to 301-443-8818.", "MFDS notice on devices", same) == []  # elsewhere
    srd = question("qual è l'aliquota dell'intervento SRD03", "it", analyzer, cues)
    assert named_elsewhere(srd, "보조율은 50%이다.", same=same, korean=True) == ["SRD03"]  # a figure stays as written
    ai = question("How much funding will each AI factory receive?", "en", analyzer, cues)
    assert named_elsewhere(ai, "Total funding: $5,000,000", "Total funding: $5,000,000. AI/AN students", same) == [
        "AI"]  # two letters: only the passage counts
    assert named_elsewhere(ai, "In Adobe Reader, press Alt + Backspace.", same=same) == ["AI"]  # not "IA" spelled out



def test_an_answer_from_a_document_about_other_countries_is_refused(analyzer, cues):
    """"Korea's budget ministry" is not answered by a Lombardy call's "60%"; a document that names no country, or
    names Korea, may answer; an eligibility question's country is the asker's own."""
    from dataclasses import replace

    from assistant.eligibility.vocabulary import countries_named, load_vocabulary
    from assistant.features import about_other_countries

    vocabulary = load_vocabulary()

    def asked(text, language):
        q = question(text, language, analyzer, cues)
        return replace(q, countries=countries_named(text, vocabulary, regions=False))

    lombardy = countries_named("Bando di Regione Lombardia: il 60% delle spese ammissibili", vocabulary)
    q = asked("By what percentage must the total cost grow before Korea's budget ministry re-examines it?", "en")
    assert q.countries == {"KR"} and lombardy >= {"IT", "EU"}
    assert about_other_countries(q, lombardy)
    assert not about_other_countries(q, countries_named("총사업비가 100분의 20 이상 증가한 사업", vocabulary))  # none named
    assert not about_other_countries(q, countries_named("대한민국 정부는 서울에서 회의를 연다", vocabulary))
    assert asked("ogni quanti anni il ministero coreano valuta i fondi", "it").countries == {"KR"}  # an adjective
    company = asked("We are a Korean company with 30 staff: can we apply for the Lombardy call?", "en")
    assert company.asks is Asks.ELIGIBILITY and not about_other_countries(company, lombardy)


def test_a_bare_lead_in_or_a_sentence_without_a_condition_does_not_answer_who_may_apply(analyzer, cues):
    """"… only if:" without its items answers nothing; "who can apply" needs a sentence that states a condition."""
    from assistant.answer import Candidate, refusal_reasons
    from assistant.types import Chunk

    def reasons(q, text):
        s = sentence(text, "en", analyzer, cues)
        return refusal_reasons(q, Candidate(s, Chunk("d#p1", "d", text, "¶1", Language.EN, "d"), 1, np.zeros(1)),
                               0.9, 0.6, cues)

    what = question("what must a vessel have to get a fishing authorisation", "en", analyzer, cues)
    assert reasons(what, "A flag Member State may only issue a fishing authorisation if:") == [
        "it only introduces a list it does not give"]
    assert reasons(what, "The vessel must have a valid fishing licence.") == []
    # A lead-in that itself holds the figure asked for answers; one that holds none does not.
    many = question("how many strategic priorities does the plan set out", "en", analyzer, cues)
    assert reasons(many, "The Government can support the seven strategic priorities of this Plan by the following:") == []
    assert "it only introduces a list it does not give" in reasons(many, "The 2016 Plan sets priorities as follows:")
    who = question("who can apply for the training grant", "en", analyzer, cues)
    assert who.asks is Asks.ELIGIBILITY
    assert reasons(who, "Describe the systems you will use to train students.") == [
        "it states no condition, and the question asks who may apply"]
    assert reasons(who, "Only accredited training programs may apply.") == []
    # A prohibition or an item of a list of criteria states a condition too, in any language.
    assert reasons(who, "A Union fishing vessel shall not engage in sub-chartering.") == []
    assert reasons(who, "a) individual farming enterprises;") == []
    for language, said in (("it", "Non si considera nuova impresa l’attivazione di una nuova sede operativa."),
                           ("ko", "본 과업은 하도급을 불허한다."), ("it", "a) imprese agricole individuali;")):
        assert cues[Language(language)].states_condition(said), said
    assert not cues[Language.KO].states_condition("현장 사진은 별도로 배포한다.")


def test_what_a_term_means_is_answered_by_a_definition(analyzer, cues):
    """"How does M-13-13 define open data" is not answered by "This attachment provides definitions…"; "what is X"
    (a list, a figure, a theme) is not held to a definition."""
    from assistant.answer import Candidate, refusal_reasons
    from assistant.types import Chunk

    def reasons(q, text):
        s = sentence(text, "en", analyzer, cues)
        return refusal_reasons(q, Candidate(s, Chunk("d#p1", "d", text, "¶1", Language.EN, "d"), 1, np.zeros(1)),
                               0.9, 0.6, cues)

    meaning = question("how does the memorandum define open data", "en", analyzer, cues)
    assert meaning.asks is Asks.DEFINITION
    assert reasons(meaning, "This attachment provides definitions and guidance for the memorandum.") == [
        "it defines nothing, and the question asks what a term means"]
    assert reasons(meaning, "Open data refers to publicly available data structured in a way that enables use.") == []
    what = question("what is an open data policy", "en", analyzer, cues)
    assert what.asks is Asks.DEFINITION and not cues[Language.EN].asks_meaning(what.text)
    assert reasons(what, "This attachment provides definitions and guidance for the memorandum.") == []


@pytest.mark.parametrize("text, language, nowhere, somewhere", [
    ("Where will the new industrial complexes be built?", "en",
     "They will also promote industrial complexes equivalent to new cities.",
     "The complexes will be built near Busan and Ulsan."),
    ("Dove saranno costruiti i nuovi complessi industriali?", "it",
     "Promuoveranno anche complessi industriali equivalenti a nuove città.",
     "I complessi sorgeranno presso il polo di Mantova, in via Roma 12."),
    ("새 산업단지는 어디에 조성되나요?", "ko", "또한 신도시에 준하는 산업단지 조성도 추진한다.",
     "산업단지는 충청북도 청주시 흥덕구 오송읍에 조성된다."),
    ("오프라인 활동은 어디에 모여서 하나요?", "ko", "주요활동 : 의견수렴 및 심사·평가 등 온·오프라인 활동",
     "오프라인 활동은 정부세종청사 회의실에서 한다."),
])
def test_a_where_is_answered_by_a_place(analyzer, cues, text, language, nowhere, somewhere):
    """"Where will they be built?" is not answered by "…equivalent to new cities" (it says what they are like), nor
    "어디에 모여서" by "온·오프라인 활동" (활동 only ends like a place, 동); a proper name, an address, a building is a place."""
    from assistant.answer import Candidate, refusal_reasons
    from assistant.types import Chunk

    def reasons(q, said):
        s = sentence(said, language, analyzer, cues)
        chunk = Chunk("d#p1", "d", said, "¶1", Language(language), "d")
        return refusal_reasons(q, Candidate(s, chunk, 1, np.zeros(1)), 0.9, 0.6, cues)

    where = question(text, language, analyzer, cues)
    assert where.asks is Asks.PLACE
    assert reasons(where, nowhere) == ["it names no place, and the question asks where"]
    assert reasons(where, somewhere) == []
    assert reasons(where, "Domande: https://www.bandi.regione.it oppure info@esempio.it") == []  # a web or mail address
    what = question({"en": "what will the complexes be like", "it": "come saranno i complessi",
                     "ko": "산업단지는 어떤 모습인가요"}[language], language, analyzer, cues)
    assert what.asks is not Asks.PLACE and reasons(what, nowhere) == []  # only "where" questions are gated


def test_a_question_naming_a_documents_title_is_answered_from_a_text_naming_it(analyzer, cues):
    """"…dell'applicativo Lavoro Agile" names a manual's title: an answer from a US grant's help line, which never
    says "Lavoro Agile", is refused; from the manual, or from any text that names it, it is not. A single
    capitalised word ("Korea") is no title name, and a name no title holds is left to the other gates."""
    from assistant.answer import title_elsewhere

    titles = ("lavoro agile – manuale dell’applicativo web", "regulation on the national finance of korea")
    q = question("Qual è il numero di telefono dell'help desk dell'applicativo Lavoro Agile?", "it", analyzer, cues)
    assert title_elsewhere(q, "If you need help, call 866-606-8220. Primary Care Training", titles) == ["lavoro agile"]
    assert title_elsewhere(q, "Per assistenza: 06 1234 5678. Lavoro Agile – manuale dell’applicativo web", titles) == []
    assert title_elsewhere(q, "Il lavoro agile si richiede tramite il portale.", titles) == []  # any case
    korea = question("Which body of Korea approves the budget?", "en", analyzer, cues)
    assert title_elsewhere(korea, "국회는 예산안을 심의·확정한다.", titles) == []  # one word: a translation away
    other = question("What does the Open Data Policy require?", "en", analyzer, cues)
    assert title_elsewhere(other, "Agencies must publish data.", titles) == []  # no title holds "open data"
    # Typed in lower case, two words of a title in another language than the question's are a name kept as
    # written; in the question's own language they may be the asker's ordinary words.
    languages = (Language.IT, Language.EN)
    typed = question("lavoro agile app: what is the help desk number", "en", analyzer, cues)
    assert title_elsewhere(typed, "If you need help, call 866-606-8220.", titles, languages) == ["lavoro agile"]
    assert title_elsewhere(typed, "Il lavoro agile si richiede tramite il portale.", titles, languages) == []
    own = question("il lavoro agile dei dipendenti federali quanti giorni prevede", "it", analyzer, cues)
    assert title_elsewhere(own, "Telework agreements allow two days a week.", titles, languages) == []
    national = question("what does the national finance act say about the budget", "en", analyzer, cues)
    assert title_elsewhere(national, "국회는 예산안을 심의·확정한다.", titles, languages) == []  # an English title


@pytest.mark.parametrize("words", ["agile", "lavoro agile", "avvio di", "agile manuale"])
def test_words_held_whole_as_word_boundaries_say(words):
    from assistant.answer import holds_whole

    for text in ("lavoro agile – manuale", "l’avvio di nuove imprese", "agile_x agile", "xagile agile2", "(agile)",
                 "agile manuale", "lavoro agilee", "", "à lavoro agile"):
        assert holds_whole(text, words) == bool(re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text)), text


@pytest.mark.parametrize("text, language, liability, penalty", [
    ("공무원이 기금 운용에 부당한 영향력을 행사하면 어떤 처벌을 받나요?", "ko",
     "해당 공무원은 책임이 있는 자와 연대하여 손해를 배상하여야 한다.", "5년 이하의 징역 또는 1천만원 이하의 벌금에 처한다."),
    ("What penalty applies to an agency that misuses the funds?", "en",
     "The agency shall compensate the fund for any loss it causes.",
     "The award may be suspended or terminated, and the costs disallowed."),
    ("Quali sanzioni sono previste se l'impresa non rispetta gli obblighi?", "it",
     "L'impresa è tenuta a rispettare gli obblighi previsti dal bando.",
     "Il mancato rispetto degli obblighi comporta la decadenza dal contributo e la sua restituzione."),
])
def test_a_question_about_a_penalty_is_answered_by_one(analyzer, cues, text, language, liability, penalty):
    """"어떤 처벌을 받나요" is not answered by the duty to compensate a loss: a penalty is a prison term, a fine, a
    revocation or a clawback."""
    from assistant.answer import Candidate, refusal_reasons
    from assistant.types import Chunk

    def reasons(q, said):
        s = sentence(said, language, analyzer, cues)
        chunk = Chunk("d#p1", "d", said, "¶1", Language(language), "d")
        return refusal_reasons(q, Candidate(s, chunk, 1, np.zeros(1)), 0.9, 0.6, cues)

    q = question(text, language, analyzer, cues)
    assert q.asks_penalty
    assert reasons(q, liability) == ["it states no penalty, and the question asks which applies"]
    assert reasons(q, penalty) == []
    other = question({"ko": "기금 운용 계획은 누가 세우나요?", "en": "Who manages the funds?",
                      "it": "Chi gestisce i fondi?"}[language], language, analyzer, cues)
    assert not other.asks_penalty


def test_a_question_naming_an_act_by_number_is_answered_from_a_text_naming_it(analyzer, cues):
    """"decree-law 12/2003" names one act: a document that never names it (as "12/2003", or by its number beside
    its year, "3 marzo 2003, n. 12") answers about another, whatever the language of the question."""
    from assistant.answer import act_elsewhere

    for text, language in (("법률명령 12/2003에 따른 이의신청 기한은?", "ko"), ("What did decree-law 12/2003 assign?", "en")):
        q = question(text, language, analyzer, cues)
        assert act_elsewhere(q, "DECRETO-LEGGE 3 marzo 2003, n. 12 – Disposizioni urgenti …") == []
        assert act_elsewhere(q, "ai sensi del d.l. n. 12 del 3 marzo 2003") == []
        assert act_elsewhere(q, "come previsto dal dl 12/2003, art. 3") == []
        assert act_elsewhere(q, "La richiesta va presentata entro 90 giorni (d.d.s. n. 4567/2024).") == ["12/2003"]
        assert act_elsewhere(q, "n. 12 del regolamento; nel 2003 fu abrogato. Altro.") == ["12/2003"]  # not one act
        assert act_elsewhere(q, "the fund of 112/2003 and n. 120 of 2003") == ["12/2003"]  # other numbers
    assert act_elsewhere(question("Quando scade il bando 2025?", "it", analyzer, cues), "Nulla qui.") == []


@pytest.mark.parametrize("text, language", [
    ("Come si chiama il direttore della struttura agricoltura?", "it"),
    ("nome e cognome del direttore della struttura agricoltura", "it"),
    ("What is the name of the director of the agriculture office?", "en"),
    ("농업과 과장의 이름은 누구인가요?", "ko"),
])
def test_a_question_asking_a_name_is_answered_by_one(analyzer, cues, text, language):
    """"What is the director called" is not answered by a role ("the director of the agriculture office is
    responsible"): a name is a capitalised word the question does not use and no passage writes in lower case. A
    text in Hangul is never refused so (a Korean name looks like any word); a file's name is no person's."""
    from assistant.answer import Candidate, Source, refusal_reasons
    from assistant.types import Chunk

    common = frozenset({"responsible", "is", "the", "director", "of", "agriculture", "office", "direzione"})

    def reasons(q, said, lang="en"):
        s = sentence(said, lang, analyzer, cues)
        chunk = Chunk("d#p1", "d", said, "¶1", Language(lang), "d")
        source = Source(said, said, "", frozenset(), common_words=lambda: common)
        return refusal_reasons(q, Candidate(s, chunk, 1, np.zeros(1)), 0.9, 0.6, cues, source)

    q = question(text, language, analyzer, cues)
    assert q.asks_name
    role = "Responsible is the Director of the Agriculture Office of the Direzione."
    assert reasons(q, role) == ["it gives no name, and the question asks for one"]
    assert reasons(q, "Responsible is the Director of the Agriculture Office, Elena Brambilla.") == []
    assert reasons(q, "Responsible is the Director, A. ROSSETTI.") == []
    assert reasons(q, "담당 과장은 농업과장이다.", "ko") == []
    # Without the passages' words, every capitalised word may be a name: nothing is refused.
    assert refusal_reasons(q, Candidate(sentence(role, "en", analyzer, cues), Chunk("d#p1", "d", role, "¶1",
                           Language.EN, "d"), 1, np.zeros(1)), 0.9, 0.6, cues, Source(role, role, "", frozenset())) == []
    assert not question("come si chiama il file del modello", "it", analyzer, cues).asks_name
    assert not question("Who approves the agreement?", "en", analyzer, cues).asks_name


def test_a_statute_lead_in_without_a_colon_answers_nothing(analyzer, cues):
    """A statute introduces its items with words, not a ":" ("다음 각 호의 사항을 공개하여야 한다.", "… the following."):
    given alone, such a sentence answers nothing; with an item after it, it may."""
    assert cues[Language.KO].introduces_list("장관은 매년 다음 각 호의 사항을 공개하여야 한다. <개정 2020.4.28>")
    assert not cues[Language.KO].introduces_list("다음 각 호의 사항: 1. 농지지번 2. 수령금액을 공개한다.")
    assert not cues[Language.KO].introduces_list("장관은 매년 보조금 수령금액을 공개하여야 한다.")
    assert cues[Language.EN].introduces_list("The application must include the following.")
    assert not cues[Language.EN].introduces_list("The following documents are required for every application.")
    assert cues[Language.IT].introduces_list("I requisiti di ammissione sono i seguenti.")
    assert cues[Language.IT].introduces_list("Possono accedere al Bando:")


@pytest.mark.parametrize("text, language, item, counting", [
    ("How many members does the committee have?", "en",
     "2) Members shall include the ministers of finance and of education.",
     "1) The Committee shall consist of up to 45 members, including one chairperson."),
    ("How many members does the committee have?", "en",  # a footnote's label glued to its first word
     "12High tech companies are recruiting faculty members with AI expertise.", "The committee has 9 members."),
    ("quanti membri ha il comitato", "it", "(3) I membri del comitato sono nominati dal Presidente.",
     "1. Il comitato è composto da 12 membri."),
    ("위원회 위원은 몇 명인가요", "ko", "② 위원회의 위원은 대통령이 위촉한다.", "① 위원회는 위원장 1명을 포함한 20명 이내의 위원으로 구성한다."),
])
def test_a_list_items_own_number_is_no_figure_of_its_sentence(analyzer, cues, text, language, item, counting):
    """The index reads a sentence's figures without the number of the list item it opens: "2) Members shall…"
    holds no count of members, so it is no evidence for "how many members"."""
    lang = Language(language)
    chunk = Chunk("d#p1", "d", f"{item}\n{counting}", "¶1", lang, "d")
    record = analyse_sentences([chunk], analyzer, cues)[0]
    q = question(text, language, analyzer, cues)
    read = [Sentence(0, i, chunk.text[a:b], lang, frozenset(terms), frozenset(figures), cues[lang].evidence_kinds(
        chunk.text[a:b]), np.zeros(4, np.float32)) for i, ((a, b), terms, figures) in
        enumerate(zip(record["spans"], record["terms"], record["figures"]))]
    assert len(read) == 2 and not read[0].figures and read[1].figures
    assert features(q, read[0])["evidence"] == 0.0 and features(q, read[1])["evidence"] == 1.0
