"""The per-client rate limit and the cleaning of untrusted text (pure, no fakes)."""

from bot.rate_limit import RateLimiter
from bot.text import clean_text, clip_words


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_steady_rate():
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock)
    assert [limiter.check("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.check("a") == 1.0  # one token a second
    assert limiter.check("b") == 0.0  # other clients have their own bucket
    clock.now = 1.0
    assert limiter.check("a") == 0.0 and limiter.check("a") > 0


def test_no_limit_when_switched_off_and_clients_are_forgotten_beyond_the_bound():
    assert RateLimiter(per_minute=0, burst=1).check("a") == 0.0
    limiter = RateLimiter(per_minute=1, burst=1, max_clients=2, clock=Clock())
    for client in ("a", "b", "c"):
        limiter.check(client)
    assert limiter.check("a") == 0.0  # "a" was forgotten, so it starts with a full bucket again


def test_invisible_and_invalid_characters_are_removed():
    assert clean_text("aksje\u200bkapital\u00ad") == "aksjekapital"
    assert clean_text("hei\x00 du\ud800\ufeff") == "hei du"
    assert clean_text("e\u0301") == "é"  # NFC
    assert clean_text("linje 1\nlinje 2\tslutt") == "linje 1\nlinje 2\tslutt"


def test_long_text_is_clipped_at_a_word_boundary():
    assert clip_words("kort", 10) == "kort"
    assert clip_words("en to tre fire fem", 10) == "en to tre"
