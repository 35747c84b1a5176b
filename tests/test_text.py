from assistant.text import NgramAnalyzer, latin_terms, numbers, split_clauses, split_sentences
from assistant.types import Language


def test_korean_bare_noun_matches_particle_inflected_text(analyzer):
    # "공장" must meet "공장을": BM25 over raw words would score 0.
    assert "공장" in analyzer.terms("AI 공장을 늘린다", Language.KO)
    assert "공장" in analyzer.terms("공장", Language.KO)
    assert set(NgramAnalyzer().terms("공장", Language.KO)) <= set(NgramAnalyzer().terms("공장을", Language.KO))


def test_korean_compounds_meet_across_segmentations(analyzer):
    # Analyzers cut 국립대학 whole in one context and 국립+대학 in another; the shared terms must meet.
    question = set(analyzer.terms("국립대학은 몇 개인가요?", Language.KO))
    passage = set(analyzer.terms("9개 지역 거점 국립대학을 통해 인재 공급을 지원할 계획이다.", Language.KO))
    assert "국립대학" in question & passage


def test_latin_terms_keep_codes_and_drop_stopwords():
    terms = latin_terms("Quante fabbriche AI ai complessi RE100 e M.AX?", Language.IT)
    assert "ai" in terms  # the code AI, not the preposition "ai"
    assert terms.count("ai") == 1
    assert {"re100", "m.ax", "fabbr"} <= set(terms)
    assert "e" not in terms


def test_numbers_normalise_separators_words_and_codes():
    assert numbers("1,000 fabbriche e nove università entro il 2030") == {"1000", "9", "2030"}
    assert "100" not in numbers("complessi RE100")
    assert numbers("AI 공장 102개") == {"102"}


def test_sentences_and_clauses():
    text = "Il Ministero accelererà la convergenza (M.AX). Entro la fine di quest’anno, saranno distribuite 102 fabbriche AI."
    assert len(split_sentences(text)) == 2
    assert split_clauses(split_sentences(text)[1]) == ["Entro la fine di quest’anno", "saranno distribuite 102 fabbriche AI."]


def test_an_abbreviation_after_an_elision_or_a_bracket_ends_no_sentence():
    text = ("Entro 45 giorni dalla comunicazione di cui all’art. C.3.e comma 2 il beneficiario firma il contratto. "
            "Pubblicato nella (G.U. Serie Generale n. 125). Fine.")
    assert split_sentences(text) == [
        "Entro 45 giorni dalla comunicazione di cui all’art. C.3.e comma 2 il beneficiario firma il contratto.",
        "Pubblicato nella (G.U. Serie Generale n. 125).", "Fine."]
    # A word that only ends like an abbreviation still ends its sentence.
    assert len(split_sentences("Lo dice l’art. 5. Poi il Comune decide. Fine.")) == 3


def test_a_stop_inside_brackets_that_close_later_ends_no_sentence():
    # A statute's definition in brackets ("…를 포함한다. 이하 같다") and a dotted abbreviation in brackets are one
    # sentence with what holds them; a bracket that never closes on its line does not stop the cut.
    text = "국가의 세출은 차입금(가상의 기구로부터 도입되는 차입자금을 포함한다. 이하 같다) 외의 세입을 재원으로 한다. 다음 문장."
    assert split_sentences(text) == ["국가의 세출은 차입금(가상의 기구로부터 도입되는 차입자금을 포함한다. 이하 같다) 외의 세입을 재원으로 한다.",
                                     "다음 문장."]
    assert split_sentences("Secondo la norma (D. Lgs. n. 82/2005, art. 7) si procede. Fine.") == [
        "Secondo la norma (D. Lgs. n. 82/2005, art. 7) si procede.", "Fine."]
    assert split_sentences("Una parentesi aperta (senza chiusura. Poi una frase.") == [
        "Una parentesi aperta (senza chiusura.", "Poi una frase."]


def test_exactly_one_said_with_an_article_is_the_figure_one():
    assert numbers("Ciascun Comune può presentare una sola domanda") == {"1"}
    assert numbers("Each applicant may submit a single application") == {"1"}
    assert numbers("una domanda per un impianto") == set()  # an article alone is no figure


def test_a_korean_verb_written_like_a_native_numeral_is_no_figure():
    assert numbers("위원은 최대 몇 명까지 둘 수 있나요?") == set()  # 두다, "may one have"
    assert numbers("회의를 열 수 있다") == set()  # 열다, "may open"
    assert numbers("서류를 더 내야 하나") == set()  # "must one…?"
    assert numbers("토지가 둘 이상의 읍에 걸친 경우") == {"2"}  # the numeral, counting
    assert numbers("위원 열 명") == {"10"}


def test_a_list_items_number_or_letter_stays_with_its_text():
    # Korean items ("가.", "나."), numbered paragraphs and roman numerals start their sentence; they are no sentence
    # of their own, and an item number after a sentence's end begins the next sentence, not the end of the last.
    assert split_sentences("가. 행사일시: 2023. 10. 21.(토) 15:00\n나. 행사장소: 국립묘지") == [
        "가. 행사일시: 2023. 10. 21.(토) 15:00", "나. 행사장소: 국립묘지"]
    assert split_sentences("1. Member States shall ensure it. 2. The Commission may adopt acts.") == [
        "1. Member States shall ensure it.", "2. The Commission may adopt acts."]
    assert split_sentences("iv. Il contratto deve riportare il codice. Fine.") == [
        "iv. Il contratto deve riportare il codice.", "Fine."]
    # A figure or letter that ends a sentence is no item number.
    assert split_sentences("It was adopted in 2019. Then came Plan A. The end.") == [
        "It was adopted in 2019.", "Then came Plan A.", "The end."]


def test_light_analyzer_reads_a_word_spaced_out_to_a_labels_width_as_one():
    from assistant.text import load_analyzer

    light = load_analyzer("light")
    assert "사업비" in light.terms("다. 사 업 비: 672,300,000원(부가세 별도)", Language.KO)
    assert "대표자" in light.terms("대 표 자 : 홍길동", Language.KO)
    # Words of one syllable that stand alone stay apart: no "할수", no "이법".
    assert light.unspaced("이 법에 따라 할 수 있다") == "이 법에 따라 할 수 있다"


def test_light_analyzer_strips_particles_and_endings():
    from assistant.text import load_analyzer

    light = load_analyzer("light")
    assert light.stem("모집하나요") == "모집" and light.stem("공장을") == "공장"
    assert light.stem("을") == "을"  # never strips a word down to nothing
    question = set(light.terms("지원 대상은 누구인가요?", Language.KO))
    passage = set(light.terms("지원 대상: 중소기업을 지원합니다", Language.KO))
    assert {"지원", "대상"} <= question & passage and "중소기업" in passage


def test_light_analyzer_leaves_counters_and_units_to_their_figures():
    from assistant.text import load_analyzer

    light = load_analyzer("light")
    question = light.terms("2030년까지 공장을 몇 개로 늘리나요?", Language.KO)
    passage = light.terms("공장 102개가 보급되며 2030년까지 500개로 늘린다. 3개월 이내", Language.KO)
    assert "년까지" not in question and "개로" not in question and {"2030", "공장"} <= set(question)
    assert not {"개가", "개로", "년까지", "개월"} & set(passage) and {"102", "500", "2030", "3", "공장"} <= set(passage)
    assert "개발" in light.terms("개발 계획", Language.KO)  # a word that only starts like a counter stays
