"""The offline extractor: rules for the common things people tell about themselves.

Each rule gives a fact a key, so saying it again differently (a correction: "actually, I live
in Porto now") replaces the old value instead of adding a second one. Questions are never
taken as facts. What it understands is listed in the README's Memory section.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from avatar_desktop.core.memory_items import Change, Fact, Forget, clean_key, clean_text

_F = re.IGNORECASE
RELATIONS = (
    "best friend|girlfriend|boyfriend|grandmother|grandfather|granddaughter|grandson|"
    "flatmate|roommate|colleague|coworker|neighbour|neighbor|fiancée|fiancee|fiance|fiancé|"
    "partner|husband|sister|brother|mother|father|daughter|cousin|nephew|niece|grandma|grandpa|"
    "friend|uncle|wife|aunt|mum|mom|dad|son|boss|baby|kid|dog|cat"
)
_REL = rf"(?P<rel>{RELATIONS})"
_NAME = r"(?P<name>[^\W\d_][\w'-]*(?:\s+(?-i:[A-Z])[\w'-]*)?)"
_REST = r"(?P<rest>.+)"
_THING = r"(?P<thing>[a-z][\w'-]*(?:\s+[a-z][\w'-]*){0,2}?)"
_TAIL = re.compile(
    r"(?:\s+|,\s*)(?:now|anymore|any more|these days|nowadays|actually|too|as well|"
    r"a lot|very much|so much|really)$",
    _F,
)
_LEAD = re.compile(
    r"^(?:(?:oh|well|ok|okay|so|and|but|also|actually|no|yes|yeah|hey|btw|"
    r"by the way|just so you know|fyi)\b[,!]?\s*)+",
    _F,
)
_SPLIT = re.compile(r"(?<=[.!?;])\s+|[;\n]+|,?\s+(?:and|but)\s+(?=(?:i|i'm|my|i've)\b)", _F)
_QUESTION = re.compile(
    r"^(?:do|does|did|what|what's|where|who|whom|when|why|how|is|are|can|could|would|"
    r"should|will|which)\b",
    _F,
)
_NOT_NAMES = frozenset({"a", "an", "the", "not", "so", "very", "really", "here", "there", "this"})
_LIKE_VERBS = {
    "like": "likes",
    "love": "loves",
    "hate": "hates",
    "enjoy": "enjoys",
    "adore": "adores",
    "dislike": "dislikes",
    "can't stand": "can't stand",
    "cannot stand": "can't stand",
    "don't like": "doesn't like",
    "do not like": "doesn't like",
    "really like": "likes",
    "really love": "loves",
    "really hate": "hates",
}
_MAX_WORDS = 12

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], Fact | None]]


def _value(text: str) -> str:
    """The told value without trailing filler ("now", "too"), at most a dozen words."""
    text = text.strip(" \t,.!;:\"'")
    while True:
        cut = _TAIL.sub("", text).strip(" ,.")
        if cut == text:
            break
        text = cut
    words = text.split()
    return third_person(" ".join(words[:_MAX_WORDS]))


def third_person(text: str) -> str:
    """Rewrite the user's first person so a remembered line reads the same from any turn."""
    swaps = (
        (r"\bI'm\b", "the user is"),
        (r"\bI am\b", "the user is"),
        (r"\bI've\b", "the user has"),
        (r"\bmy\b", "the user's"),
        (r"\bmine\b", "the user's"),
        (r"\bme\b", "the user"),
        (r"\bmyself\b", "the user"),
        (r"\bI\b", "the user"),
    )
    for pattern, replacement in swaps:
        text = re.sub(pattern, replacement, text, flags=_F)
    return text


def _name(match: re.Match[str]) -> str | None:
    """The told name, capitalised; None for words that are no name ("a", "not")."""
    name = match.group("name").strip()
    if name.split()[0].lower() in _NOT_NAMES:
        return None
    return name[0].upper() + name[1:]


def _rel(match: re.Match[str]) -> str:
    return " ".join(match.group("rel").lower().split())


def _user_name(m: re.Match[str]) -> Fact | None:
    name = _name(m)
    return Fact("user.name", f"The user's name is {name}.") if name else None


def _rel_name(m: re.Match[str]) -> Fact | None:
    name, rel = _name(m), _rel(m)
    return Fact(f"{rel}.name", f"The user's {rel} is named {name}.") if name else None


def _rel_birthday(m: re.Match[str]) -> Fact:
    rel = _rel(m)
    return Fact(f"{rel}.birthday", f"The user's {rel}'s birthday is {_value(m['rest'])}.")


def _rel_about(m: re.Match[str]) -> Fact:
    rel, verb = _rel(m), m["verb"].lower()
    aspect = {"lives in": "home", "works as": "work", "works at": "work", "works for": "work"}
    return Fact(f"{rel}.{aspect.get(verb, 'is')}", f"The user's {rel} {verb} {_value(m['rest'])}.")


def _simple(key: str, template: str) -> Callable[[re.Match[str]], Fact]:
    return lambda m: Fact(key, template.format(_value(m["rest"])))


def _work(m: re.Match[str]) -> Fact:
    return Fact("user.work", f"The user works {m['prep'].lower()} {_value(m['rest'])}.")


def _likes(m: re.Match[str]) -> Fact | None:
    verb = _LIKE_VERBS[" ".join(m["verb"].lower().split())]
    what = _value(m["rest"])
    thing = re.sub(r"^(?:the|a|an|to|the user's)\s+", "", what.lower()).strip()
    if not thing:
        return None
    return Fact(f"likes:{thing}", f"The user {verb} {what}.")


def _favourite(m: re.Match[str]) -> Fact:
    thing = m["thing"]
    text = f"The user's favourite {thing} is {_value(m['rest'])}."
    return Fact(f"favourite:{thing.lower()}", text)


def _dated(m: re.Match[str]) -> Fact:
    thing = m["thing"]
    text = f"The user's {thing} is {m['prep'].lower()} {_value(m['rest'])}."
    return Fact(f"date:{thing.lower()}", text)


def _plan(m: re.Match[str]) -> Fact:
    thing = m["thing"]
    when = _value(m["rest"])
    return Fact(f"date:{thing.lower()}", f"The user has a {thing} {m['prep'].lower()} {when}.")


def _my_thing(m: re.Match[str]) -> Fact:
    thing = m["thing"]
    return Fact(f"my:{thing.lower()}", f"The user's {thing} is {_value(m['rest'])}.")


_WHEN = r"(?P<prep>on|at|in|next|this|tomorrow|tonight)"
RULES: tuple[Rule, ...] = (
    (
        re.compile(
            rf"\b(?:my name is|my name's|call me|i'm called|i am called|people call me|"
            rf"everyone calls me)\s+{_NAME}",
            _F,
        ),
        _user_name,
    ),
    (
        re.compile(
            rf"\bmy {_REL}(?:'s name is|'s called| is named| is called|,? named|,? called)"
            rf"\s+{_NAME}",
            _F,
        ),
        _rel_name,
    ),
    (re.compile(rf"^{_NAME} is my {_REL}\b", _F), _rel_name),
    (re.compile(rf"\bmy {_REL}'s birthday is (?:on )?{_REST}", _F), _rel_birthday),
    (
        re.compile(rf"\bmy birthday is (?:on )?{_REST}", _F),
        _simple("user.birthday", "The user's birthday is {}."),
    ),
    (
        re.compile(rf"\bi was born (?P<prep>on|in) {_REST}", _F),
        lambda m: Fact("user.born", f"The user was born {m['prep'].lower()} {_value(m['rest'])}."),
    ),
    (
        re.compile(rf"\bmy {_REL} (?P<verb>lives in|works as|works at|works for|is) {_REST}", _F),
        _rel_about,
    ),
    (
        re.compile(rf"\bi(?: now| still)?(?: live|'m living| am living) in {_REST}", _F),
        _simple("user.home", "The user lives in {}."),
    ),
    (
        re.compile(rf"\bi(?:'ve| have)? (?:just |recently )?moved to {_REST}", _F),
        _simple("user.home", "The user lives in {}."),
    ),
    (re.compile(rf"\bi(?:'m| am) from {_REST}", _F), _simple("user.from", "The user is from {}.")),
    (re.compile(rf"\bi(?: now)? work (?P<prep>as|at|for|in) {_REST}", _F), _work),
    (re.compile(rf"\bmy job is {_REST}", _F), _simple("user.work", "The user's job is {}.")),
    (
        re.compile(
            r"\bi (?P<verb>really like|really love|really hate|like|love|hate|enjoy|adore|"
            rf"dislike|can't stand|cannot stand|don't like|do not like) {_REST}",
            _F,
        ),
        _likes,
    ),
    (re.compile(rf"\bmy fav(?:ou?rite) {_THING} is {_REST}", _F), _favourite),
    (re.compile(rf"\bmy {_THING} is {_WHEN} {_REST}", _F), _dated),
    (re.compile(rf"\bi have (?:a|an|my) {_THING} {_WHEN} {_REST}", _F), _plan),
    (re.compile(rf"\bmy {_THING} is {_REST}", _F), _my_thing),
)
_REMEMBER = re.compile(r"^(?:please\s+)?remember(?: that|:)?\s+(?P<what>.+)", _F)
_FORGET = re.compile(
    r"^(?:please\s+)?(?:forget|don't remember|do not remember)(?: about| that)?\s*(?P<what>.*)",
    _F,
)


def clauses(text: str) -> Iterator[str]:
    """Sentences and 'and I…' parts, without leading fillers ('Oh, actually, …')."""
    for part in _SPLIT.split(text):
        clause = _LEAD.sub("", (part or "").strip()).strip()
        if clause:
            yield clause


def facts_in(clause: str) -> Fact | None:
    """The first rule that matches a statement (never a question) gives its fact."""
    if clause.endswith("?") or _QUESTION.match(clause):
        return None
    for pattern, make in RULES:
        match = pattern.search(clause)
        if match:
            fact = make(match)
            if fact is not None:
                return Fact(clean_key(fact.key), clean_text(fact.text))
    return None


def extract(text: str) -> list[Change]:
    """What a user message asks memory to keep or drop; later statements win on a key."""
    changes: list[Change] = []
    for clause in clauses(text):
        forget = _FORGET.match(clause)
        if forget:
            what = forget["what"].strip(" .!")
            fact = facts_in(what) if what else None
            keys = (fact.key,) if fact else ()
            changes.append(Forget(keys, what))
            continue
        remember = _REMEMBER.match(clause)
        fact = facts_in(remember["what"] if remember else clause)
        if fact is None and remember:
            note = _value(remember["what"])
            words = " ".join(note.lower().split()[:6])
            fact = Fact(clean_key(f"note:{words}"), clean_text(note[0].upper() + note[1:] + "."))
        if fact is not None:
            changes = [c for c in changes if not (isinstance(c, Fact) and c.key == fact.key)]
            changes.append(fact)
    return changes
