"""What a question asks for, and which sentences hold it."""

import pytest

from bot.compose import key_sentences
from bot.models import Chunk, Hit
from bot.question_type import asked_for, holds


@pytest.mark.parametrize("question, kind", [
    ("Hvem ble slått av Helene Fossenholm på oppløpet?", "person"),
    ("Vem leder projektet i Jämtland?", "person"),
    ("Hvor mange VM-gull har Svindal?", "amount"),
    ("Hur mycket kostar ansökan?", "amount"),
    ("Kor langt er det frå Valsjöbua til næraste butikk?", "amount"),
    ("How far is the nearest shop?", "amount"),
    ("Når startet prosjektet?", "time"),
    ("Vilket år grundades föreningen?", "time"),
    ("Under vilken period pågick förstudien?", "time"),
    ("I hvilken periode varer prosjektet?", "time"),
    ("Vilken periodisk tidskrift ger ut den?", "choice"),
    ("Fra hvilken by kommer Einar Johan Rasmussen?", "place"),
    ("Hvor ligger kontoret?", "place"),
    ("Vilka länder deltar i projektet?", "choice"),
    ("Kva er eit samvirkeføretak?", None),
    ("Hva skjer hvis vi ikke leverer årsregnskapet?", None),  # "hvis" is "if", not "whose"
])
def test_what_a_question_asks_for(question: str, kind: str | None):
    assert asked_for(question) == kind


def test_a_name_counts_only_when_the_question_does_not_already_hold_it():
    question = "Hvem ble slått av Helene Fossenholm på oppløpet?"
    assert holds("person", "Fossenholm slo Ingvild Flugstad Østberg på oppløpet.", question)
    assert not holds("person", "Det var et tett løp for Helene Fossenholm helt til mål.", question)


def test_figures_and_dates():
    assert holds("amount", "Prosjektet fikk fem millioner kroner.", "Hvor mye fikk prosjektet?")
    assert holds("time", "Arbeidet startet i mars 2024.", "Når startet arbeidet?")
    assert not holds("time", "Arbeidet startet etter en lang debatt.", "Når startet arbeidet?")


def test_a_span_of_time_answers_when():
    assert holds("time", "Det første målet kom etter drøye 20 minutter.", "Når kom det første målet?")
    assert holds("time", "Han begynte da han var elleve år gammal.", "Når begynte han?")
    assert holds("time", "Beslutet kommer inom tre veckor.", "När kommer beslutet?")
    assert not holds("time", "Han er to meter høy og spiller for to lag.", "Når begynte han?")


def test_the_quoted_sentence_is_the_one_holding_the_asked_for_name():
    text = ("Grønt belte er et samarbeid om sosialt entreprenørskap på tvers av grensen. "
            "Prosjektet har et styre med medlemmer fra begge land. "
            "Prosjektet ledes av Kari Nordmann fra Trøndelag. "
            "Styret møtes fire ganger i året for å følge opp prosjektet.")
    chunk = Chunk(id="d#000-x", text=text, doc_id="d", title="Grønt belte", section="", path="d.txt", lang="nb",
                  kind="article", country="NO")
    chosen = key_sentences("Hvem leder prosjektet?", "nb", [Hit(chunk, 1.0, 0.9, 1.0)], limit=1)
    assert chosen == ["Prosjektet ledes av Kari Nordmann fra Trøndelag."]
