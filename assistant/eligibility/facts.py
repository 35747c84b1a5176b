"""Facts an applicant states in a question ("직원 30명인 대구 제조업체", "ho 34 anni e vivo in Lombardia"), read into
a profile; and the chat's answer from the matcher: the verdict for those facts, the conditions cited, the facts
still missing. Figures of the profile are never echoed: every figure of an answer comes from a cited passage."""
from __future__ import annotations

import re
import unicodedata

from ..types import Answer, Citation, Document, Language
from .match import ProgrammeResult
from .vocabulary import ApplicantKind, Vocabulary, _normal, find_places, find_sectors

# A number and the word that says what it counts, per language.
_NUMBER = r"(\d[\d.,]*)"
_FACTS: dict[str, list[re.Pattern]] = {
    "employees": [re.compile(p, re.IGNORECASE) for p in (
        rf"{_NUMBER}\s*(?:-\s*)?(?:employees|staff|workers|people|person|persons|dipendenti|addetti|lavoratori)\b",
        rf"(?:직원|근로자|종업원|상시근로자)\s*(?:수\s*(?:가|는)?\s*)?{_NUMBER}\s*명", rf"{_NUMBER}\s*명\s*(?:규모|의\s*직원)")],
    "age": [re.compile(p, re.IGNORECASE) for p in (
        rf"(?:i'm|i am|aged?)\s*{_NUMBER}\b", rf"{_NUMBER}\s*(?:years? old|-year-old)", rf"\bho\s*{_NUMBER}\s*anni",
        rf"\b{_NUMBER}\s*enne\b", rf"\b(?:età|agricolt(?:ore|rice)|ragazz[oa]|giovane|donna|uomo|pensionat[oa]|"
        rf"student(?:e|essa)|imprenditor(?:e|rice)|professionista|lavorat(?:ore|rice)|disoccupat[oa])\s+di\s*{_NUMBER}\s*anni",
        rf"(?:만\s*)?{_NUMBER}\s*(?:세|살)")],
    "company_age": [re.compile(p, re.IGNORECASE) for p in (
        rf"(?:founded|opened|started|set up)\s*{_NUMBER}\s*years? ago", rf"(?:attiva|aperta|costituita) da\s*{_NUMBER}\s*anni",
        rf"(?:창업|설립|개업)\s*{_NUMBER}\s*년")],
    "annual_revenue": [re.compile(p, re.IGNORECASE) for p in (
        rf"(?:revenue|turnover|fatturato|매출액?)\D{{0,12}}{_NUMBER}",)],
    "household_size": [re.compile(p, re.IGNORECASE) for p in (
        rf"{_NUMBER}\s*-?\s*(?:person|people)\s*household", rf"famiglia di\s*{_NUMBER}", rf"{_NUMBER}\s*인\s*가구")],
}
_KINDS: dict[ApplicantKind, re.Pattern] = {
    ApplicantKind.COMPANY: re.compile(r"\b(company|firm|business|manufacturer|sme|startup|impresa|azienda|società|srl|"
                                      r"pmi|mpmi|ditta|agriturismo)\b|기업|업체|회사|법인|사업자", re.IGNORECASE),
    ApplicantKind.PUBLIC_BODY: re.compile(r"\b(municipality|city council|public body|comune|ente pubblico|"
                                          r"amministrazione)\b|지자체|지방자치단체|공공기관", re.IGNORECASE),
    ApplicantKind.HOUSEHOLD: re.compile(r"\b(household|family|famiglia|nucleo familiare)\b|가구|가정", re.IGNORECASE),
    ApplicantKind.PERSON: re.compile(r"\b(i am|i'm|sono|ho \d+ anni)\b|저는|제가|나이", re.IGNORECASE),
}
_FLAGS: dict[str, tuple[re.Pattern, bool]] = {
    "civil_servant": (re.compile(r"\b(civil servant|public employee|dipendente pubblico|impiegato di ruolo)\b|공무원",
                                 re.IGNORECASE), True),
    "farmer": (re.compile(r"\b(farmer|agricoltore|coltivatore)\b|농업인|농민", re.IGNORECASE), True),
    "student": (re.compile(r"\b(student|studente|studentessa)\b|학생", re.IGNORECASE), True),
    "disability": (re.compile(r"\b(disabled|disability|disabile|disabilità)\b|장애", re.IGNORECASE), True),
}

# Words by which a question speaks of its asker. A place or a sector alone ("the Korean panel", "il bando lombardo",
# "a fishing authorisation") names the programme, not who asks, unless the asker is in the sentence ("we are in
# Daegu", "vivo in Lombardia", "저는 대구에") or a kind of applicant is named ("a fishing company").
_ASKER: dict[Language, re.Pattern] = {
    Language.EN: re.compile(r"\b(i|i'm|i've|i'd|me|my|we|we're|we've|our)\b", re.IGNORECASE),
    Language.IT: re.compile(r"\b(io|noi|ho|abbiamo|siamo|vivo|viviamo|abito|abitiamo|risiedo|risiediamo|mio|mia|miei|"
                            r"mie|nostro|nostra|nostri|nostre)\b", re.IGNORECASE),
    Language.KO: re.compile(r"저는|제가|저희|나는|내가|우리|제\s"),
}
_NAMING = frozenset({"country", "region", "sector"})  # facts that may name the programme instead of the asker


def _number(text: str) -> float:
    return float(re.sub(r"(?<=\d)[.,](?=\d{3}\b)", "", text).replace(",", "."))


def profile_from_text(text: str, vocabulary: Vocabulary, language: Language | None = None) -> dict:
    """The facts a question states about its asker, as a (raw) profile; empty when it states none, and when its
    only facts are places and sectors while it names neither its asker nor a kind of applicant (`language`: the
    question's, whose words for the asker are read; None reads all three)."""
    text = unicodedata.normalize("NFKC", text)
    profile: dict = {}
    for field, patterns in _FACTS.items():
        for pattern in patterns:
            if match := pattern.search(text):
                profile[field] = _number(match.group(1))
                break
    for field, place in find_places(text, vocabulary):
        profile.setdefault(field, place)
    sectors = find_sectors(text, vocabulary)
    if sectors:
        profile["sector"] = sectors[0]
    for flag, (pattern, value) in _FLAGS.items():
        if pattern.search(text):
            profile[flag] = value
    kind = next((k for k, p in _KINDS.items() if p.search(text)), None)
    asker = [_ASKER[language]] if language in _ASKER else list(_ASKER.values())
    if profile and set(profile) <= _NAMING and kind is None and not any(p.search(text) for p in asker):
        return {}
    if kind is not None and profile:
        profile["applicant_kind"] = kind.value
    if "employees" in profile or "annual_revenue" in profile:
        profile["applicant_kind"] = ApplicantKind.COMPANY.value
    return profile


_CODE = re.compile(r"\d|-|^[A-Z]{3,}$")  # "XY03", "ABC-DEF", "ACME": a name no other programme shares by chance


def named(names: frozenset[str] | set[str], results: list[ProgrammeResult], documents: dict[str, Document],
          text: str = "") -> list[ProgrammeResult]:
    """The programmes a question names ("…rientro nel Bando Nuovi Talenti?", "XY03 지원율은…", "posso chiedere il
    bando nuovi talenti"): those whose title or one of its `aliases` the question's `text` holds whole, or whose
    title (or their document's) holds a code the question gives; else those holding the most of the title's and
    aliases' pairs of words its `text` holds (words of five letters or more), then of its names (at least two when
    no pair is held), each a whole word (a Korean name may take a particle: "청년수당을"); [] when it names none.
    One shared word ("Bando", "Union", "Lombardia") names no programme."""
    asked = _normal(text)

    def said(phrase: str) -> bool:
        end = "" if re.search(r"[가-힣]$", phrase) else r"(?!\w)"
        return bool(re.search(rf"(?<!\w){re.escape(phrase)}{end}", asked))

    def holds(result: ProgrammeResult) -> tuple[bool, tuple[int, int]]:
        programme = result.programme
        document = documents.get(programme.doc_id)
        title = f"{programme.title} {document.title if document else ''}"
        found = [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", title, re.IGNORECASE)]
        own = [_normal(t) for t in (programme.title, *programme.aliases)]
        pairs = {f"{a} {b}" for words in (re.findall(r"\w+", t) for t in own) for a, b in zip(words, words[1:])
                 if min(len(a), len(b)) >= 5 and not (a + b).isdigit()}
        whole = any(said(t) for t in own) or any(_CODE.search(n) for n in found)
        return whole, (sum(map(said, pairs)), len(found))

    held = [(result, *holds(result)) for result in results]
    if whole := [result for result, full, _ in held if full]:
        return whole
    best = max((score for _, _, score in held), default=(0, 0))
    return [result for result, _, score in held if score == best] if best[0] or best[1] >= 2 else []


_MARK = {True: "✓", False: "✗", None: "?"}


def eligibility_answer(question: str, language: Language, results: list[ProgrammeResult], store,
                       vocabulary: Vocabulary, limit: int = 3, others_from: int | None = None) -> Answer:
    """The chat's answer: for each of the best programmes, its verdict for the stated facts and each condition
    with its source text, cited; then the facts still missing. Never "eligible" while a condition is unknown.
    `others_from`: where the programmes of documents the question did not find begin (announced as such); when
    none follows, the verdict line says that no other programme may fit (a line of its own would cite nothing)."""
    lang = language.value
    documents: dict[str, Document] = store.documents
    numbering: dict[str, int] = {}
    citations: list[Citation] = []
    lines = [vocabulary.label(lang, "words", "answer_intro") + ":"]
    for position, result in enumerate(results[:limit]):
        if position == others_from:
            lines.append(vocabulary.label(lang, "words", "others_intro") + ":")
        verdict = vocabulary.label(lang, "verdicts", result.verdict)
        missing = ""
        if result.missing and result.verdict != "not_eligible":  # one already ruled out needs no more facts
            needed = ", ".join(vocabulary.label(lang, "fields", f) for f in result.missing)
            missing = f" ({vocabulary.label(lang, 'words', 'missing')}: {needed})"
        lines.append(f"«{result.programme.title}» — {verdict}{missing}.")
        if others_from is not None and position + 1 == len(results[:limit]) <= others_from:
            lines[-1] += f" {vocabulary.label(lang, 'words', 'no_others')}."  # ruled out, and nothing else may fit
        for item in result.conditions:
            cite = item.condition.citation
            if cite is None:
                continue
            if cite.chunk_id not in numbering:
                numbering[cite.chunk_id] = len(numbering) + 1
                document = documents.get(cite.doc_id)
                passage = store.chunks[store.position[cite.chunk_id]].text if cite.chunk_id in store.position else cite.quote
                citations.append(Citation(numbering[cite.chunk_id], cite.doc_id, document.title if document else cite.doc_id,
                                          document.language if document else language, cite.locator, passage,
                                          document.source if document else "", 1.0, cite.chunk_id,
                                          document.translation_of if document else None, cite.heading))
            label = vocabulary.label(lang, "fields", item.condition.field)
            lines.append(f"{_MARK[item.met]} {label}: «{item.condition.quote}» [{numbering[cite.chunk_id]}]")
    return Answer(question=question, language=language, answer="\n".join(lines), grounded=True,
                  citations=tuple(citations))
