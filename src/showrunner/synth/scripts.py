"""Scripted conversations with known topics in a known order (the ground truth for topic tests)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """One turn of a script: who says it, what they say, and which topic it belongs to."""

    speaker: str
    text: str
    topic: int | None = None


@dataclass(frozen=True)
class Topic:
    """A scripted topic: its name (what a bullet should say), the host's question, the talk."""

    name: str
    keywords: tuple[str, ...]
    question: str
    answers: tuple[str, ...]
    follow_up: str
    follow_answers: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        "Keeping a sourdough starter alive",
        ("sourdough", "starter", "fermentation"),
        "Let's start with the sourdough starter. How do you keep a starter alive for ten years?",
        ("A sourdough starter is a living culture of wild yeast and bacteria.",
         "I feed mine every morning with equal weights of flour and water.",
         "The fermentation slows down in a cold kitchen, so in winter I keep the jar near the oven.",
         "If the starter smells like nail polish, it is hungry, not dead."),
        "What is the most common mistake people make with their starter?",
        ("They throw it away too early.",
         "A sluggish starter usually needs warmth and a few regular feedings, not a new recipe."),
    ),
    Topic(
        "Hiring the first employee",
        ("hiring", "employee", "interview"),
        "Tell me about hiring your first employee. When did you know it was time?",
        ("I knew it was time to hire when I was baking until two in the morning every night.",
         "Hiring the first employee felt terrifying, because payroll is a promise you make every week.",
         "I looked for someone who was curious and reliable rather than someone with a fancy resume.",
         "In the interview I asked each person to shape a loaf with me, just to see how they listen."),
        "How did you train that first person without slowing everything down?",
        ("I wrote every recipe down as a checklist for the first time.",
         "Training someone forced me to understand my own process much better."),
    ),
    Topic(
        "Pricing bread and covering costs",
        ("pricing", "price", "costs", "margin"),
        "Let's talk about pricing. How do you decide what a loaf of bread should cost?",
        ("Pricing was the hardest lesson of my first year.",
         "I used to price a loaf by looking at the supermarket, and I lost money on every sale.",
         "Now I add up flour, butter, electricity, packaging and my own hours before I set a price.",
         "A healthy margin pays for the broken mixer you did not plan for."),
        "Did customers push back when you raised your prices?",
        ("A few did, but most of them told me they had wondered why the bread was so cheap.",
         "People pay for quality when you explain where the money goes."),
    ),
    Topic(
        "Marketing a bakery on social media",
        ("marketing", "social media", "instagram", "photos"),
        "How much of your marketing happens on social media?",
        ("Almost all of our marketing happens on social media, and it costs us nothing but time.",
         "I post a short video of the morning bake every single day at six o'clock.",
         "The photos that do best are never the perfect loaves, they are the messy behind the scenes moments.",
         "Our customers share those posts, and that brings in the neighbours we could never reach with flyers."),
        "Do you ever pay for advertising?",
        ("We tried paid advertising once and it brought tourists who never came back.",
         "Word of mouth from the neighbourhood has been far more valuable."),
    ),
    Topic(
        "Finding reliable flour suppliers",
        ("suppliers", "flour", "mill", "supply"),
        "Where does your flour come from, and how did you find your suppliers?",
        ("We buy our flour from a small stone mill about forty miles from the shop.",
         "Finding a reliable supplier took two years of phone calls and farm visits.",
         "When the big distributor ran out of flour during the shortage, the mill still delivered every week.",
         "Knowing the miller by name means I can ask why a harvest behaves differently in the dough."),
        "What happens when a delivery from the mill is late?",
        ("We always keep a week of flour in the storeroom as a buffer.",
         "And we change the menu for the day instead of closing the doors."),
    ),
    Topic(
        "Avoiding burnout as an owner",
        ("burnout", "rest", "balance", "health"),
        "Running a bakery means very early mornings. How do you avoid burnout?",
        ("I burned out badly in the third year and had to close for a whole month.",
         "Now the shop is closed on Mondays and Tuesdays, and nobody answers email on those days.",
         "Sleep is part of the business plan, not a luxury.",
         "I also learned to say no to wholesale orders that would have eaten every weekend."),
        "What would you tell an owner who feels exhausted right now?",
        ("Take one full day off this week and see whether anything actually breaks.",
         "Usually nothing does, and that is a very useful lesson."),
    ),
    Topic(
        "Opening a second location",
        ("second location", "expansion", "lease", "neighbourhood"),
        "You are opening a second location next spring. Why expand now?",
        ("We have a waiting list every Saturday, so expansion finally makes sense.",
         "The second location will be a small counter near the train station with no ovens at all.",
         "We will bake everything at the first shop and drive it over at dawn.",
         "Signing the lease was scarier than hiring, because it is a ten year commitment."),
        "How will you keep the feel of the original shop in a new neighbourhood?",
        ("The same people will run both counters for the first six months.",
         "Culture travels with people, not with furniture."),
    ),
    Topic(
        "Advice for new bakers starting out",
        ("advice", "beginners", "start", "new bakers"),
        "Last question. What advice would you give someone who wants to open a bakery?",
        ("Bake for a farmers market every weekend for a year before you sign anything.",
         "You will learn what people actually buy, and you will learn whether you love the early mornings.",
         "Keep your menu small, because every extra product multiplies the work.",
         "And find another baker you can call when something goes wrong at four in the morning."),
        "Where can people find you and the bakery online?",
        ("The bakery is called Rise and Shine, and all of our links are on the episode page.",
         "Come say hello if you are ever in town."),
    ),
)


def interview_script(host: str, guest: str, topics: tuple[Topic, ...] = TOPICS, *,
                     show: str = "The Long Game", rounds: int = 1,
                     second_guest: str | None = None) -> list[Line]:
    """A host interviewing a guest (optionally two) through `topics` in order.

    `rounds` > 1 repeats the topic list (with the round said aloud) for long benchmark audio.
    """
    lines = [Line(host, f"Welcome to {show}. I'm {host}, and my guest today is {guest}."
                        f" {guest.split()[0]}, thanks for joining me.", None),
             Line(guest, "Thanks for having me, I have been looking forward to this conversation.",
                  None)]
    if second_guest:
        lines.append(Line(second_guest, f"And I'm {second_guest}, happy to be here as well.", None))
    for round_number in range(rounds):
        for index, topic in enumerate(topics):
            topic_id = index + round_number * len(topics)
            answerer = second_guest if second_guest and index % 2 else guest
            question = topic.question if round_number == 0 else \
                f"Coming back to this a second time. {topic.question}"
            lines.append(Line(host, question, topic_id))
            lines.append(Line(answerer, " ".join(topic.answers), topic_id))
            lines.append(Line(host, topic.follow_up, topic_id))
            lines.append(Line(answerer, " ".join(topic.follow_answers), topic_id))
    lines.append(Line(host, f"{guest.split()[0]}, thank you so much for your time today.", None))
    lines.append(Line(guest, "Thank you, this was a lot of fun.", None))
    return lines


def solo_script(host: str, topics: tuple[Topic, ...] = TOPICS[:3]) -> list[Line]:
    """A host alone at the microphone, going through `topics`."""
    lines = [Line(host, f"Hello and welcome. I'm {host}, and today it is just me.", None)]
    for index, topic in enumerate(topics):
        lines.append(Line(host, topic.question + " " + " ".join(topic.answers[:2]), index))
        lines.append(Line(host, " ".join(topic.follow_answers), index))
    return lines
