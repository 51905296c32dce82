from hypothesis import given, settings, strategies as st

from ingest.chunking import chunk_id, chunk_text, split_sections

BODY = """Intro text before any heading.

## Aksjeselskap

Et aksjeselskap må ha minst 30 000 kroner i aksjekapital.

## Sjekkliste

- Velg navn
- Registrer i Altinn
"""


def test_sections_keep_their_heading():
    sections = split_sections(BODY)
    assert [s.heading for s in sections] == ["", "Aksjeselskap", "Sjekkliste"]
    assert "30 000 kroner" in sections[1].text


def test_chunks_carry_the_section_heading():
    chunks = chunk_text(BODY)
    assert ("Aksjeselskap", "Et aksjeselskap må ha minst 30 000 kroner i aksjekapital.") in chunks


def test_long_section_is_split_under_the_limit():
    body = "## Lang\n\n" + "\n\n".join("Dette er en setning om sosiale foretak i Norge. " * 8 for _ in range(10))
    chunks = chunk_text(body, max_words=60)
    assert len(chunks) > 3
    assert all(heading == "Lang" and len(text.split()) <= 60 for heading, text in chunks)


def test_chunk_id_changes_with_content_only():
    assert chunk_id("doc", 1, "a") == chunk_id("doc", 1, "a")
    assert chunk_id("doc", 1, "a") != chunk_id("doc", 1, "b")


words = st.text(alphabet=st.characters(whitelist_categories=("Ll", "Lu")), min_size=1, max_size=12)
paragraphs = st.lists(st.lists(words, min_size=1, max_size=40).map(" ".join), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(paragraphs, st.integers(min_value=5, max_value=80))
def test_chunking_loses_no_words_and_respects_the_limit(paras, max_words):
    body = "\n\n".join(paras)
    chunks = chunk_text(body, max_words=max_words)
    assert all(len(text.split()) <= max_words for _, text in chunks)
    assert [w for _, text in chunks for w in text.split()] == body.split()


def test_abbreviations_and_paragraph_numbers_do_not_end_a_sentence():
    from bot.text import sentences

    assert sentences("Enligt 4 kap. 18 § LOU får myndigheten reservera. Det gäller bl.a. Bolagsverket.") == [
        "Enligt 4 kap. 18 § LOU får myndigheten reservera.",
        "Det gäller bl.a. Bolagsverket.",
    ]
