"""Whether the material covers a question is judged on the evidence whatever language it is in: a passage in a
language the asker does not write that clears the cross-lingual bar covers the question wherever it ranks."""

from __future__ import annotations

from bot.assistant import AnswerPolicy, Assistant
from bot.models import Chunk, Hit
from bot.snapshot import IndexSnapshot


def hit(doc: str, text: str, lang: str, dense: float) -> Hit:
    chunk = Chunk(id=f"{doc}#000-x", text=text, doc_id=doc, title=doc, section="", path=f"{doc}.md", lang=lang,
                  kind="module", country="both")
    return Hit(chunk=chunk, score=1.0, dense=dense)


POLICY = AnswerPolicy(confidence_threshold=0.88, supported_threshold=0.78, coverage_threshold=0.65,
                      cross_lingual_threshold=0.84, k=6, max_question_chars=2000)
SWEDISH = hit("marknadsforing-sv", "Reklam via e-post kräver samtycke från mottagaren.", "sv", 0.860)
NYNORSK = hit("marknadsforing-nn", "Reklame på e-post krev samtykke frå mottakaren.", "nn", 0.857)


def covered(hits: list[Hit], question: str = "får man skicka reklammejl utan samtyke") -> bool:
    snapshot = IndexSnapshot.build([h.chunk for h in hits], 1)
    assistant = Assistant(retriever=None, detector=None, translator=None, composer=None, mentors=[],  # type: ignore[arg-type]
                          records=None, policy=POLICY)
    return assistant._covered(snapshot, question, "sv", hits)


def test_a_passage_in_another_language_clearing_the_cross_lingual_bar_covers_the_question_below_the_first_hit():
    assert covered([NYNORSK, SWEDISH])
    assert covered([SWEDISH, NYNORSK])  # the asker's own version ranking first takes nothing away


def test_the_asker_s_own_language_below_the_bars_is_not_enough():
    assert not covered([SWEDISH])
    assert not covered([SWEDISH, hit("marknadsforing-nn", "Reklame krev samtykke.", "nn", 0.83)])
