"""The offline extractor: what it takes from a message, with a key so corrections replace."""

from __future__ import annotations

import pytest

from avatar_desktop.core.memory_items import Fact, Forget
from avatar_desktop.core.remember import extract

CASES = [
    ("My name is sam.", "user.name", "The user's name is Sam."),
    ("Call me Priya", "user.name", "The user's name is Priya."),
    ("Actually, I live in Porto now.", "user.home", "The user lives in Porto."),
    ("I've just moved to Berlin", "user.home", "The user lives in Berlin."),
    ("I'm living in Oslo these days", "user.home", "The user lives in Oslo."),
    ("I was born on May 3", "user.born", "The user was born on May 3."),
    ("I love sushi!", "likes:sushi", "The user loves sushi."),
    ("I can't stand mushrooms.", "likes:mushrooms", "The user can't stand mushrooms."),
    ("My sister is called Anna.", "sister.name", "The user's sister is named Anna."),
    ("Rex is my dog", "dog.name", "The user's dog is named Rex."),
    ("My brother works at Google", "brother.work", "The user's brother works at Google."),
    ("my birthday is on May 4th", "user.birthday", "The user's birthday is May 4th."),
    ("My mum's birthday is March 3", "mum.birthday", "The user's mum's birthday is March 3."),
    ("I work as a nurse", "user.work", "The user works as a nurse."),
    ("my favourite colour is green", "favourite:colour", "The user's favourite colour is green."),
    (
        "I have a job interview next Tuesday",
        "date:job interview",
        "The user has a job interview next Tuesday.",
    ),
    ("My car is a red Volvo", "my:car", "The user's car is a red Volvo."),
    (
        "Remember that the spare key is under the blue pot",
        "note:the spare key is under the",
        "The spare key is under the blue pot.",
    ),
]


@pytest.mark.parametrize(("said", "key", "text"), CASES)
def test_a_statement_becomes_one_keyed_fact(said: str, key: str, text: str) -> None:
    assert extract(said) == [Fact(key, text)]


@pytest.mark.parametrize(
    "said", ["Where do I live?", "Do I like sushi", "What is my name?", "Nice weather today."]
)
def test_questions_and_small_talk_are_not_facts(said: str) -> None:
    assert extract(said) == []


def test_two_statements_in_one_message_and_the_later_value_wins() -> None:
    changes = extract("My sister is called Anna and I love jazz. Oh, my sister is called Ana.")
    assert changes == [
        Fact("likes:jazz", "The user loves jazz."),
        Fact("sister.name", "The user's sister is named Ana."),
    ]


def test_a_correction_has_the_same_key_as_the_fact_it_corrects() -> None:
    (old,) = extract("I live in Lisbon.")
    (new,) = extract("No, I don't live in Lisbon anymore, I live in Porto now.")
    assert isinstance(old, Fact) and isinstance(new, Fact)
    assert old.key == new.key and new.text == "The user lives in Porto."


def test_forget_names_the_key_when_it_is_a_known_statement() -> None:
    assert extract("Forget that I live in Porto.") == [Forget(("user.home",), "I live in Porto")]
    assert extract("please forget about my sister") == [Forget((), "my sister")]
    assert extract("Forget that.") == [Forget((), "")]


def test_values_are_bounded_and_one_line() -> None:
    (fact,) = extract("I love " + "very long words " * 100)
    assert isinstance(fact, Fact)
    assert len(fact.text.split()) <= 3 + 12 and "\n" not in fact.text
