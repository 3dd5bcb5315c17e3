"""Markdown answers for streaming tests and benchmarks: what chat models write, long and short."""

from __future__ import annotations

# Everything a model writes (headings, lists, a nested list, code, a table, a quote),
# 5,000+ characters; the turn benchmark streams it into the window.
LONG_ANSWER = """\
# Planning a week of home-cooked dinners

Cooking at home every night is easier with a plan. Here is **one way** to do it, with a
shopping list, a timetable and a little code to scale the recipes.

## What to keep in the cupboard

- Rice, pasta and lentils: they keep for months and fill a plate fast.
- Tinned tomatoes, beans and chickpeas for sauces, stews and salads.
- Onions, garlic and ginger, the base of almost every savoury dish.
- Olive oil for cooking and a neutral oil for frying at high heat.
- Spices: cumin, paprika, chilli flakes, curry powder and black pepper.
- Stock cubes or bouillon powder, so a soup takes ten minutes, not an hour.
- Soy sauce, vinegar and honey to balance a sauce that tastes flat.
- Flour, eggs and butter for pancakes, omelettes and a quick white sauce.
- Frozen peas, spinach and mixed vegetables for nights with an empty fridge.
- Oats, nuts and dried fruit for breakfasts and snacks between meals.

## The week at a glance

1. **Monday** — lentil soup with crusty bread:
   - soften an onion, a carrot and two cloves of garlic in oil;
   - add 200 g of red lentils, a tin of tomatoes and a litre of stock;
   - simmer for twenty minutes, season, and blend half of it.
2. **Tuesday** — stir-fried rice with whatever vegetables are left:
   - cook the rice the day before, so the grains stay separate;
   - fry the vegetables hot and fast, then the rice, then two beaten eggs;
   - finish with soy sauce, a little vinegar and spring onions.
3. **Wednesday** — pasta with a tomato and chickpea sauce.
4. **Thursday** — a tray of roast vegetables and sausages, one pan, no fuss.
5. **Friday** — homemade pizza on a flatbread base with a green salad.
6. **Saturday** — a slow chilli that feeds four and freezes well.
7. **Sunday** — roast chicken, with the leftovers kept for Monday's lunch.

## Shopping list

| Item | Amount | Where | Cost |
|:-----|-------:|:------|-----:|
| Red lentils | 500 g | cupboard aisle | 1.20 |
| Tinned tomatoes | 4 tins | cupboard aisle | 2.40 |
| Chickpeas | 2 tins | cupboard aisle | 1.30 |
| Rice | 1 kg | cupboard aisle | 1.80 |
| Pasta | 500 g | cupboard aisle | 0.90 |
| Onions | 1 kg | vegetables | 1.10 |
| Carrots | 1 kg | vegetables | 0.80 |
| Peppers | 3 | vegetables | 1.50 |
| Sausages | 8 | fridge | 3.50 |
| Chicken | 1.5 kg | fridge | 5.90 |
| Eggs | 12 | fridge | 2.60 |

## Scaling a recipe

When friends come over, scale the amounts rather than guessing. A few lines of Python do it:

```python
def scale(recipe: dict[str, float], people: int, serves: int = 4) -> dict[str, float]:
    \"\"\"Every amount in the recipe, for a different number of people.\"\"\"
    factor = people / serves
    return {item: round(amount * factor, 1) for item, amount in recipe.items()}


chilli = {"beef mince (g)": 500, "kidney beans (tins)": 2, "tomatoes (tins)": 2}
for item, amount in scale(chilli, people=6).items():
    print(f"{item}: {amount}")
```

> A plan is not a prison: swap two nights when the week changes, and keep one evening
> free for leftovers.

## A vegetarian week instead

- **Monday** stays the same: the lentil soup has no meat in it.
- **Thursday** swaps the sausages for halloumi and a tin of butter beans.
- **Saturday** makes the chilli with two kinds of beans and a diced sweet potato.
- **Sunday** roasts a whole cauliflower, rubbed with yoghurt, garlic and spices:
  1. mix four spoons of yoghurt with cumin, paprika, salt and a crushed clove;
  2. coat the cauliflower all over and roast it for an hour at 200 °C;
  3. serve it with rice, a quick salad and lemon wedges.

## Tips that save the most time

- Cook once, eat twice: make double portions of soups, stews and sauces.
- Keep a list on the fridge of what is open and must be used first.
- Wash and chop vegetables when you unpack the shopping, not when you are hungry.
- Use the oven for two things at once: roast vegetables under the chicken.
- Clean as you go, so the washing-up never grows into a mountain.
- Freeze bread in slices; toast it straight from the freezer.
- Label what goes into the freezer with the date and the dish.
- Learn three sauces well — tomato, white and a simple curry — and vary the rest.
  - A tomato sauce becomes a chilli, a soup or a shakshuka.
  - A white sauce becomes a cheese sauce, a lasagne or a gratin.
  - A curry base takes chicken, chickpeas, lentils or vegetables.
- Sharpen your knife: a blunt knife is slower and more dangerous.
- Keep a jar of stock in the fridge; it turns leftovers into soup in ten minutes.
- Read the whole recipe before you start, so nothing surprises you halfway.
- Taste before you serve: salt, acid and heat fix most dishes.

That is the whole plan. Enjoy your cooking, and tell me if you would like recipes for any
of these dishes, or a version for a vegetarian week.

If you cook for one, halve every amount except the spices, and freeze the other half in
flat bags: they stack neatly and thaw in minutes. A week of dinners then costs about as much
as two meals out, and you will know exactly what went into every plate.
"""

# Short answers that each try a corner: loose and nested lists, fences inside items, tables,
# setext headings, quotes holding blocks, raw HTML and unsafe links.
CORPUS = [
    (
        "# Title\n\nIntro with **bold** and a [link](https://x.y).\n\n1. one\n2. two\n\n"
        "3. three after a blank line\n"
    ),
    (
        "- a\n\n  continued paragraph in the item\n\n  ```\n  code in the item\n\n  more\n"
        "  ```\n\n- b\n> quote\nlazy\n"
    ),
    "    indented code\n\n    more indented\n\n````md\n```\ninner\n```\n\nstill inside\n````\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n\nSetext\n---\n\n~~~\ntilde\n\n~~~\nLast paragraph\n",
    "- one\n  - nested one\n  - nested two\n    1. deep\n- two\n\n  loose now\n- three\n",
    "5. five\n6. six\n7. seven\n\nAfter.\n\n* star\n+ plus\n- dash\n",
    "> ## Quoted heading\n> - quoted item\n>\n> ```\n> quoted code\n> ```\n\nText after.\n",
    (
        "A paragraph\nwith a soft break.\n\n---\n\n| x |\n|:-:|\n| centered |\n\n```python\n"
        "print('hi')\n```\n\nEnd."
    ),
    (
        "1. **Monday** — soup:\n   - soften an onion;\n   - add lentils.\n"
        "2. **Tuesday** — rice.\n3. Wednesday.\n"
    ),
    (
        "Text <b>raw html</b> and ![pic](https://img/p.png) and [bad](javascript:x).\n\n"
        "- [link](https://a.b)\n"
    ),
]
