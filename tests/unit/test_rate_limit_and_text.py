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


def test_a_long_message_is_represented_by_its_questions_or_its_beginning():
    from bot.text import question_focus

    story = "Vi er en gruppe i Trøndelag som vil starte en bygdebutikk med kafé og frivillige. " * 10
    assert question_focus("hvor mye aksjekapital trengs?", 200) == "hvor mye aksjekapital trengs?"
    assert question_focus(story + "Hvilken selskapsform passer? Trenger vi et styre?", 200) == (
        "Hvilken selskapsform passer? Trenger vi et styre?")
    assert question_focus(story, 60) == "Vi er en gruppe i Trøndelag som vil starte en bygdebutikk"


def test_the_embedder_lock_serves_short_work_first_without_starving_long_work():
    import threading
    import time

    from bot.embedder import ShortestFirstLock

    lock = ShortestFirstLock(seconds_per_char=0.001)
    order: list[str] = []

    def work(name: str, chars: int) -> None:
        with lock.hold(chars):
            order.append(name)

    threads = [threading.Thread(target=work, args=spec) for spec in (("long", 2000), ("short-1", 10), ("short-2", 10))]
    with lock.hold(10):  # held while a long job and then two short ones queue up
        for thread in threads:
            thread.start()
            time.sleep(0.05)
    for thread in threads:
        thread.join(timeout=5)
    assert order == ["short-1", "short-2", "long"]
    late = threading.Thread(target=work, args=("late-short", 10))
    with lock.hold(10):  # a long job that has waited past its handicap goes before a newcomer
        waiting = threading.Thread(target=work, args=("long-2", 100))
        waiting.start()
        time.sleep(0.2)
        late.start()
        time.sleep(0.05)
    waiting.join(timeout=5)
    late.join(timeout=5)
    assert order[-2:] == ["long-2", "late-short"]


def test_the_embedder_lock_lets_as_many_holders_in_as_it_has_slots():
    import threading
    import time

    from bot.embedder import ShortestFirstLock

    lock = ShortestFirstLock(slots=2)
    inside, most, slots = 0, 0, set()
    guard = threading.Lock()

    def work() -> None:
        nonlocal inside, most
        with lock.hold(10) as slot:
            with guard:
                inside += 1
                most = max(most, inside)
                assert slot not in slots, "two holders got the same slot"
                slots.add(slot)
            time.sleep(0.05)
            with guard:
                inside -= 1
                slots.discard(slot)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert most == 2
