"""The scripted user of `bench memory`: what they tell, in which conversation, and what they ask.

Each told line carries the answer a good extraction model gives for it (the Groq fake plays
that model); small talk and questions carry None. Later conversations correct earlier facts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tell:
    said: str
    key: str | None = None  # what the model answers: None means "nothing to keep"
    text: str = ""


@dataclass(frozen=True)
class Ask:
    question: str
    expect: str  # in the current fact's text
    stale: str | None = None  # in the corrected fact's old text


def _t(said: str, key: str | None = None, text: str = "") -> Tell:
    return Tell(said, key, text)


CONVERSATIONS: list[list[Tell]] = [
    [
        _t("Hi! My name is Maya.", "user.name", "The user's name is Maya."),
        _t("I live in Lisbon.", "user.home", "The user lives in Lisbon."),
        _t("What's the weather like today?"),
        _t("I work as a nurse.", "user.job", "The user works as a nurse."),
        _t("I love jazz.", "likes.jazz", "The user loves jazz."),
        _t("My sister is called Anna.", "sister.name", "The user's sister is named Anna."),
    ],
    [
        _t("My brother is called Tom.", "brother.name", "The user's brother is Tom."),
        _t("My mum's birthday is March 3.", "mum.birthday", "The user's mum's birthday: March 3."),
        _t("Can you tell me a joke?"),
        _t("My dad lives in Madrid.", "dad.home", "The user's dad lives in Madrid."),
        _t("My dog is named Biscuit.", "dog.name", "The user's dog is named Biscuit."),
        _t("My cat is called Pepper.", "cat.name", "The user's cat is called Pepper."),
        _t("My daughter is named Lily.", "daughter.name", "The user's daughter is Lily."),
    ],
    [
        _t("I hate mushrooms.", "food.mushrooms", "The user hates mushrooms."),
        _t("I love sushi.", "food.sushi", "The user loves sushi."),
        _t("Tell me about the history of tea."),
        _t("I can't stand olives.", "food.olives", "The user can't stand olives."),
        _t("My favourite fruit is mango.", "favourite.fruit", "The user's favourite fruit: mango."),
        _t(
            "My favourite drink is green tea.",
            "favourite.drink",
            "The user's favourite drink is green tea.",
        ),
    ],
    [
        _t("My dentist appointment is on Friday.", "dentist", "Dentist appointment on Friday."),
        _t("I have a job interview next Tuesday.", "interview", "Job interview next Tuesday."),
        _t("My flight to Tokyo is on June 12.", "flight.tokyo", "Flight to Tokyo on June 12."),
        _t("Thanks, that helps a lot."),
        _t(
            "My wedding anniversary is on August 20.",
            "anniversary",
            "The user's wedding anniversary is August 20.",
        ),
        _t("My birthday is on May 4.", "user.birthday", "The user's birthday is May 4."),
    ],
    [
        _t("My car is a red Volvo.", "car", "The user drives a red Volvo car."),
        _t("My locker code is 4512.", "locker.code", "The user's locker code is 4512."),
        _t(
            "Remember that the spare key is under the blue pot.",
            "spare.key",
            "The spare key is under the blue pot.",
        ),
        _t(
            "Remember that my passport expires in 2029.",
            "passport",
            "The user's passport expires in 2029.",
        ),
        _t("My favourite book is Dune.", "favourite.book", "The user's favourite book is Dune."),
        _t(
            "My favourite colour is green.",
            "favourite.colour",
            "The user's favourite colour: green.",
        ),
    ],
    [
        _t("I enjoy hiking.", "hobby.hiking", "The user enjoys hiking."),
        _t("How tall is Mount Everest?"),
        _t(
            "I love painting watercolours.",
            "hobby.painting",
            "The user loves painting watercolours.",
        ),
        _t(
            "My favourite sport is tennis.",
            "favourite.sport",
            "The user's favourite sport: tennis.",
        ),
        _t("I am from Canada.", "user.origin", "The user is from Canada."),
        _t("My best friend is called Leo.", "best_friend", "The user's best friend is Leo."),
        _t("I dislike horror films.", "films.horror", "The user dislikes horror films."),
    ],
    [
        _t("My boss is called Rita.", "boss.name", "The user's boss is called Rita."),
        _t("My colleague is named Omar.", "colleague.name", "The user's colleague is Omar."),
        _t("What time is it in New York?"),
        _t(
            "My office is in the old harbour building.",
            "office",
            "The user's office is in the old harbour building.",
        ),
        _t("My team is called Blue Falcons.", "team", "The user's team is called Blue Falcons."),
        _t("My favourite season is autumn.", "favourite.season", "Favourite season: autumn."),
    ],
    [
        _t("My husband is named David.", "husband.name", "The user's husband is David."),
        _t("My son is called Max.", "son.name", "The user's son is called Max."),
        _t("My aunt lives in Dublin.", "aunt.home", "The user's aunt lives in Dublin."),
        _t("Could you recommend a podcast?"),
        _t("My neighbour is called Greta.", "neighbour.name", "The user's neighbour is Greta."),
        _t("My cousin works as a pilot.", "cousin.job", "The user's cousin works as a pilot."),
    ],
    [
        _t("Actually, I live in Porto now.", "user.home", "The user lives in Porto."),
        _t("I work as a paramedic now.", "user.job", "The user works as a paramedic."),
        _t("Is it going to rain this weekend?"),
        _t("My dentist appointment is on Monday now.", "dentist", "Dentist appointment on Monday."),
        _t("My car is a blue Tesla now.", "car", "The user drives a blue Tesla car."),
        _t("My locker code is 7781.", "locker.code", "The user's locker code is 7781."),
    ],
    [
        _t("I love mushrooms now.", "food.mushrooms", "The user loves mushrooms."),
        _t(
            "My favourite fruit is papaya.",
            "favourite.fruit",
            "The user's favourite fruit: papaya.",
        ),
        _t("Oops, my dog is named Rusty.", "dog.name", "The user's dog is named Rusty."),
        _t("My flight to Tokyo is on June 14.", "flight.tokyo", "Flight to Tokyo on June 14."),
        _t("What's a good name for a goldfish?"),
        _t("My favourite colour is purple.", "favourite.colour", "Favourite colour: purple."),
        _t("My boss is called Rachel.", "boss.name", "The user's boss is called Rachel."),
    ],
    [
        _t("My favourite movie is Amelie.", "favourite.movie", "Favourite movie: Amelie."),
        _t("I have a piano lesson on Thursday.", "piano", "Piano lesson on Thursday."),
        _t("How far away is the moon?"),
        _t("My grandmother is called Rosa.", "grandmother.name", "The user's grandmother: Rosa."),
        _t("My niece is named Zoe.", "niece.name", "The user's niece is Zoe."),
        _t("The weather is lovely today."),
        _t("I like gardening.", "hobby.gardening", "The user likes gardening."),
        _t("My mother is called Helen.", "mother.name", "The user's mother is called Helen."),
    ],
    [
        _t("Sorry, my sister's name is Hanna.", "sister.name", "The user's sister is Hanna."),
        _t("My niece is named Chloe.", "niece.name", "The user's niece is Chloe."),
        _t("My favourite drink is coffee.", "favourite.drink", "Favourite drink: coffee."),
        _t("Let's talk about something else."),
        _t("My cat is called Mochi.", "cat.name", "The user's cat is called Mochi."),
        _t("My piano lesson is on Wednesday.", "piano", "Piano lesson on Wednesday."),
        _t("I was born in 1990.", "user.born", "The user was born in 1990."),
    ],
]

QUESTIONS: list[Ask] = [
    Ask("What's my name?", "Maya"),
    Ask("Which city do I live in these days?", "Porto", "Lisbon"),
    Ask("What work do I do?", "paramedic", "nurse"),
    Ask("Do I like jazz?", "jazz"),
    Ask("What's my sister called?", "Hanna", "named Anna"),
    Ask("Is my sister's name Anna?", "Hanna", "named Anna"),
    Ask("What's my brother's name?", "Tom"),
    Ask("When is my mum's birthday?", "March 3"),
    Ask("Where does my dad live?", "Madrid"),
    Ask("What's my dog called?", "Rusty", "Biscuit"),
    Ask("What's my cat's name?", "Mochi", "Pepper"),
    Ask("What's my daughter's name?", "Lily"),
    Ask("How do I feel about mushrooms?", "loves mushrooms", "hates mushrooms"),
    Ask("Do I like sushi?", "sushi"),
    Ask("Would I eat olives?", "olives"),
    Ask("What's my favourite fruit?", "papaya", "mango"),
    Ask("What's my favourite drink?", "coffee", "green tea"),
    Ask("When is my dentist appointment?", "Monday", "Friday"),
    Ask("When is my job interview?", "Tuesday"),
    Ask("When is my flight to Tokyo?", "June 14", "June 12"),
    Ask("When is our wedding anniversary?", "August 20"),
    Ask("When is my birthday?", "May 4"),
    Ask("What car do I drive?", "Tesla", "Volvo"),
    Ask("What colour is my car?", "Tesla", "Volvo"),
    Ask("What's my locker code?", "7781", "4512"),
    Ask("Where is the spare key?", "blue pot"),
    Ask("When does my passport expire?", "2029"),
    Ask("What's my favourite book?", "Dune"),
    Ask("What's my favourite colour?", "purple", "colour: green"),
    Ask("Do I enjoy hiking?", "hiking"),
    Ask("Do I paint?", "watercolours"),
    Ask("What sport do I like most?", "tennis"),
    Ask("Where am I from?", "Canada"),
    Ask("Who is my best friend?", "Leo"),
    Ask("Should we watch a horror film tonight?", "horror"),
    Ask("What's my boss called?", "Rachel", "Rita"),
    Ask("Who is my colleague?", "Omar"),
    Ask("Where is my office?", "harbour"),
    Ask("What's my team called?", "Blue Falcons"),
    Ask("What's my favourite season?", "autumn"),
    Ask("What's my husband's name?", "David"),
    Ask("What's my son called?", "Max"),
    Ask("Where does my aunt live?", "Dublin"),
    Ask("Who is my neighbour?", "Greta"),
    Ask("What does my cousin do for work?", "pilot"),
    Ask("What's my favourite movie?", "Amelie"),
    Ask("When is my piano lesson?", "Wednesday", "Thursday"),
    Ask("What's my grandmother's name?", "Rosa"),
    Ask("What's my niece called?", "Chloe", "Zoe"),
    Ask("Do I like gardening?", "gardening"),
    Ask("What's my mother's name?", "Helen"),
    Ask("When was I born?", "1990"),
]
