"""The console examples in Spanish and German (examples/es, examples/de) tell the same stories
as the English ones, in a community whose moderator switched it to that language. Each is read
as a person would: the words at each important moment of the flow, in that language, said to
the right people; nothing Hearth failed to understand; nothing left in English."""

from __future__ import annotations

import functools
import io
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from adapters.console.runner import run_console
from bot.catalog import Catalog
from bot.hearth import Defaults
from bot.markup import plain

ROOT = Path(__file__).resolve().parent.parent
CATALOG = Catalog.load(ROOT / "prompts")
DECK = yaml.safe_load((ROOT / "prompts" / "decks" / "reflections.yaml").read_text("utf-8"))
STARTS = {
    "checkin_round": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    "welcome_journey": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    "proposal_lifecycle": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    "reflection_rounds": datetime(2026, 3, 23, 9, 0, tzinfo=UTC),
}
LANGUAGES = [pytest.param("es", id="in Spanish"), pytest.param("de", id="in German")]
EVERY_SCRIPT = [
    pytest.param(language, story, id=f"{story} {name}")
    for language, name in (("es", "in Spanish"), ("de", "in German"))
    for story in STARTS
]
# What Hearth says when it did not understand someone, or failed: never in these stories.
NOT_UNDERSTOOD = {
    "es": ("No te entendí", "No entendí", "No entiendo", "No conozco el comando", "algo falló"),
    "de": ("nicht verstanden", "verstehe ich nicht", "kenne ich nicht", "schiefgelaufen"),
}

_shown: dict[tuple[str, str], str] = {}


async def shown(language: str, story: str) -> str:
    """Everything the console prints for examples/<language>/<story>.txt (run once a session)."""
    if (language, story) not in _shown:
        script = ROOT / "examples" / language / f"{story}.txt"
        out = io.StringIO()
        with tempfile.TemporaryDirectory() as folder:
            await run_console(
                Path(folder) / "console.db",
                Defaults(),
                start=STARTS[story],
                stdin=io.StringIO(script.read_text(encoding="utf-8")),
                stdout=out,
            )
        _shown[language, story] = out.getvalue()
    return _shown[language, story]


@dataclass(frozen=True)
class Message:
    heading: str
    body: str

    def is_public(self, channel: str = "#general") -> bool:
        return self.heading == f"[{channel}]"

    def is_for(self, who: str) -> bool:
        """Said to `who` alone: in a private chat, or in a channel for their eyes only."""
        return self.heading in (f"[private → {who}]", f"[#general → {who}, only you]")


def messages(output: str) -> list[Message]:
    """The console's output as the messages people read, each under its heading."""
    parts = re.split(r"^(\[[^\]\n]+\])\n", output, flags=re.MULTILINE)
    return [Message(h, b.strip()) for h, b in zip(parts[1::2], parts[2::2], strict=True)]


def said_to(output: str, who: str) -> list[str]:
    return [m.body for m in messages(output) if m.is_for(who)]


def posted(output: str, channel: str = "#general") -> list[str]:
    return [m.body for m in messages(output) if m.is_public(channel)]


@functools.cache
def english_fragments(language: str) -> frozenset[str]:
    """Stretches of English catalog text (between placeholders, at least 25 characters) that
    the language's own text does not share: none of them may reach a reader."""
    found = set()
    for key in CATALOG.keys("en"):
        if key.startswith("console_"):
            continue  # the console's notes to whoever types (its clock, its controls)
        for count in (1, 2):
            english = CATALOG.template(key, "en", count)
            own = plain(CATALOG.template(key, language, count))
            masked = re.sub(r"\{\w+\}", "\x00", english.replace("{{", "(").replace("}}", ")"))
            for fragment in plain(masked).split("\x00"):
                for line in fragment.splitlines():
                    if len(line.strip()) >= 25 and line.strip() not in own:
                        found.add(line.strip())
    return frozenset(found)


# -- a check-in round ----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckinWords:
    setup_done: str  # the moderator switched the community's language
    round_opens: str  # the note in the channel
    checkin_begins: str  # each member's private check-in
    first_question: str  # the first need, with its answers as buttons
    thanks: str  # the end of one member's check-in
    nudge: str  # the one reminder
    helper_asked: str  # the helper, asked without the asker's name
    asker_introduced: str
    helper_introduced: str
    round_closes: str
    too_few: str  # five answers: only the count
    strained: str  # an answer, never in the summary
    report_round: str  # the moderators' report on the closed round


CHECKIN = {
    "es": CheckinWords(
        setup_done="Hecho: language ahora es español (es).",
        round_opens="Llegó el momento del check-in. En los próximos 3 días",
        checkin_begins="Es hora de un check-in. Unas preguntas rápidas",
        first_question="comida (1 de 6)\n¿Cómo vas con esto ahora mismo?\n"
        "  1. Bien\n  2. Con dificultades\n  3. Sin cubrir\n  4. Saltar",
        thanks="Gracias por hacer el check-in.",
        nudge="Un recordatorio sin prisa: el check-in está abierto hasta el jue 5 mar, 18:00",
        helper_asked="Alguien de aquí necesita una mano con comida, y tú ofreciste: "
        '"Los domingos cocino de más".',
        asker_introduced='Presentación hecha: bob ofreció "Los domingos cocino de más"',
        helper_introduced="Presentación hecha: a carla le vendría muy bien tu ayuda con comida.",
        round_closes="El check-in se cerró. Gracias a todo el mundo.",
        too_few="Personas que hicieron el check-in: 5. Son muy pocas para compartir nada más",
        strained="Con dificultades",
        report_round="Ronda abierta el lun 2 mar\nPersonas que hicieron el check-in: 5.",
    ),
    "de": CheckinWords(
        setup_done="Erledigt: language ist jetzt Deutsch (de).",
        round_opens="Zeit für den Check-in. Bis Do., 5. März, 18:00 (also 3 Tage lang)",
        checkin_begins="Zeit für einen Check-in. Ein paar kurze Fragen",
        first_question="Essen (1 von 6)\nWie sieht es damit gerade bei dir aus?\n"
        "  1. Okay\n  2. Angespannt\n  3. Nicht gedeckt\n  4. Überspringen",
        thanks="Danke für deinen Check-in.",
        nudge="Eine kleine Erinnerung: Der Check-in ist noch bis Do., 5. März, 18:00 offen",
        helper_asked="Jemand hier könnte Hilfe im Bereich Essen gebrauchen, und du hast "
        'angeboten: "Sonntags koche ich immer zu viel".',
        asker_introduced="Ihr seid einander vorgestellt: bob hat "
        '"Sonntags koche ich immer zu viel"',
        helper_introduced="Ihr seid einander vorgestellt: carla freut sich über deine Hilfe",
        round_closes="Der Check-in ist abgeschlossen. Danke euch allen.",
        too_few="5 haben beim Check-in mitgemacht: zu wenige, um mehr zu teilen",
        strained="Angespannt",
        report_round="Runde, eröffnet am Mo., 2. März\n5 haben beim Check-in mitgemacht",
    ),
}
MEMBERS = ("ana", "bob", "carla", "dan", "eve")


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_checkin_round_reaches_every_member_privately_in_the_communitys_language(
    language: str,
) -> None:
    words = CHECKIN[language]
    output = await shown(language, "checkin_round")
    assert words.setup_done in said_to(output, "ana")[0]
    # One short note in the channel; the questions go to each member privately.
    assert [p for p in posted(output) if p.startswith(words.round_opens)] != []
    assert sum(p.startswith(words.round_opens) for p in posted(output)) == 1
    for member in MEMBERS:
        private = said_to(output, member)
        assert any(m.startswith(words.checkin_begins) for m in private), member
        assert any(words.first_question in m for m in private), member
        assert any(m.startswith(words.thanks) for m in private), member


@pytest.mark.parametrize("language", LANGUAGES)
async def test_answers_typed_as_words_in_the_language_are_understood(language: str) -> None:
    # bob and eve type their answers as the label shown ("bien", "okay") rather than its number.
    output = await shown(language, "checkin_round")
    for member in ("bob", "eve"):
        assert any(m.startswith(CHECKIN[language].thanks) for m in said_to(output, member))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_only_the_member_who_has_not_answered_gets_one_gentle_reminder(
    language: str,
) -> None:
    output = await shown(language, "checkin_round")
    nudge = CHECKIN[language].nudge
    assert [m for m in said_to(output, "eve") if m.startswith(nudge)] != []
    assert output.count(nudge) == 1


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_hand_is_found_privately_and_names_are_shared_only_when_both_agree(
    language: str,
) -> None:
    words = CHECKIN[language]
    output = await shown(language, "checkin_round")
    (asked,) = [m for m in said_to(output, "bob") if m.startswith(words.helper_asked)]
    assert "carla" not in asked
    assert any(m.startswith(words.asker_introduced) for m in said_to(output, "carla"))
    assert any(m.startswith(words.helper_introduced) for m in said_to(output, "bob"))
    # The order matters: the helper is asked before anyone learns a name.
    assert output.index(words.helper_asked) < output.index(words.asker_introduced)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_closing_summary_shows_only_the_count_when_answers_are_too_few(
    language: str,
) -> None:
    words = CHECKIN[language]
    output = await shown(language, "checkin_round")
    (summary,) = [p for p in posted(output) if p.startswith(words.round_closes)]
    assert words.too_few in summary
    assert words.strained not in summary
    assert not re.search(r"\b(ana|bob|carla|dan|eve)\b", summary)
    assert any(words.report_round in m for m in said_to(output, "ana"))


# -- a welcome -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WelcomeWords:
    private_welcome: str  # the first private message to a newcomer
    moderators_words: str  # the community's description, as the moderators wrote it
    first_question: str
    public_welcome: str  # one public welcome naming both newcomers
    buddy_met: str  # Tia meets her first buddy
    buddy_replaced: str  # ... who passes, so she meets another
    welcome_back: str  # Sam picks up where they left off
    intro_preview: str  # Sam sees the intro before it is posted
    intro_posted: str
    report_pairings: str
    follow_up_days: str
    follow_up_weeks: str
    buddy_time_over: str


WELCOME = {
    "es": WelcomeWords(
        private_welcome="¡Te damos la bienvenida a console! Soy Hearth",
        moderators_words="En palabras del equipo de moderación: Una cocina de barrio",
        first_question="1 de 3 · ¿Qué te trae por aquí?",
        public_welcome="¡Hola, Sam y Tia! Qué alegría tener gente nueva en console.",
        buddy_met="Te presento a tu acompañante: bea.",
        buddy_replaced="la primera persona que iba a acompañarte no pudo, así que se lo pedí "
        "a otra: te presento a cy.",
        welcome_back="¡Qué bien verte de nuevo! Sigamos donde lo dejamos",
        intro_preview="Así se vería tu presentación en el canal de bienvenida:",
        intro_posted="Sam se presenta:\n¡Hola, soy Sam! Hago pan",
        report_pairings="• Emparejamientos con acompañante: 3 (pasados a otra persona: 1)",
        follow_up_days="¡Hola! Ya llevas unos días en console. ¿Qué tal te va?",
        follow_up_weeks="¡Hola otra vez! Ya llevas un par de semanas en console.",
        buddy_time_over="Tu tiempo acompañando a Sam llegó a su fin.",
    ),
    "de": WelcomeWords(
        private_welcome="Willkommen bei console! Ich bin Hearth",
        moderators_words="In den Worten der Moderation: Eine Nachbarschaftsküche",
        first_question="1 von 3 · Was führt dich hierher?",
        public_welcome="Herzlich willkommen bei console, Sam und Tia! "
        "Hier ist immer ein Stuhl frei",
        buddy_met="Deine Begleitung ist bea und meldet sich innerhalb eines Tages bei dir.",
        buddy_replaced="Deine erste Begleitung konnte es doch nicht übernehmen, deshalb habe ich "
        "jemand anderen gefragt: Deine Begleitung ist jetzt cy",
        welcome_back="Schön, dass du wieder da bist! Machen wir da weiter, wo wir aufgehört haben",
        intro_preview="So würde deine Vorstellung im Willkommenskanal aussehen:",
        intro_posted="Sam stellt sich vor:\nHallo, ich bin Sam! Ich backe",
        report_pairings="• Begleitungen vermittelt: 3 (an jemand anderen abgegeben: 1)",
        follow_up_days="Hallo! Du bist jetzt seit ein paar Tagen bei console. Wie läuft es?",
        follow_up_weeks="Hallo noch mal! Jetzt bist du schon ein paar Wochen bei console.",
        buddy_time_over="Deine Zeit als Begleitung für Sam ist zu Ende.",
    ),
}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_newcomers_are_welcomed_privately_and_together_in_public(language: str) -> None:
    words = WELCOME[language]
    output = await shown(language, "welcome_journey")
    for newcomer in ("sam", "tia"):
        (first, *_) = said_to(output, newcomer)
        assert first.startswith(words.private_welcome), newcomer
        assert words.moderators_words in first and words.first_question in first
    assert sum(p.startswith(words.public_welcome) for p in posted(output)) == 1


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_newcomer_meets_a_buddy_and_another_when_the_first_passes(language: str) -> None:
    words = WELCOME[language]
    output = await shown(language, "welcome_journey")
    tia = said_to(output, "tia")
    assert any(m.startswith(words.buddy_met) for m in tia)
    assert any(words.buddy_replaced in m for m in tia)
    assert any(m.startswith(words.buddy_time_over) for m in said_to(output, "bea"))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_newcomer_resumes_the_welcome_and_posts_an_intro_after_seeing_it(
    language: str,
) -> None:
    words = WELCOME[language]
    output = await shown(language, "welcome_journey")
    assert any(m.startswith(words.welcome_back) for m in said_to(output, "sam"))
    (preview,) = [m for m in said_to(output, "sam") if m.startswith(words.intro_preview)]
    assert words.intro_posted in preview
    assert [p for p in posted(output) if p.startswith(words.intro_posted)] != []
    assert output.index(words.intro_preview) < output.index(f"[#general]\n{words.intro_posted}")


@pytest.mark.parametrize("language", LANGUAGES)
async def test_moderators_see_the_welcome_report_and_newcomers_are_asked_how_it_goes(
    language: str,
) -> None:
    words = WELCOME[language]
    output = await shown(language, "welcome_journey")
    reports = [m for m in said_to(output, "mo") if words.report_pairings in m]
    assert len(reports) == 2
    for newcomer in ("sam", "tia"):
        private = said_to(output, newcomer)
        assert any(m.startswith(words.follow_up_days) for m in private), newcomer
        assert any(m.startswith(words.follow_up_weeks) for m in private), newcomer


# -- a proposal's life ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalWords:
    opened: str  # posted in the proposals channel
    too_early_to_park: str  # the refusal says nobody can cut it short
    round_opens: str
    objection: str
    revised_incubates: str
    parked: str
    back_from_parked: str
    adopted: str
    objection_kept_as_concern: str  # in the proposal's history
    report: str
    audit: str
    raised_again: str  # the idea nobody takes up ...
    raised_last_time: str  # ... is raised at most three times
    second_parked: str


PROPOSAL = {
    "es": ProposalWords(
        opened="Nueva propuesta #1: Huerto comunitario 🌱 de ana",
        too_early_to_park="nadie, ni siquiera el equipo de moderación, puede aplazarla antes "
        "de que se haya escuchado",
        round_opens="La ronda de consentimiento sobre #1 Huerto comunitario 🌱 está abierta",
        objection="#1 Huerto comunitario 🌱: cy presenta una objeción: el solar se inunda",
        revised_incubates="se revisó durante su ronda de consentimiento, así que vuelve a "
        "incubación",
        parked="mo aplazó #1 Huerto comunitario 🌱: esperamos la decisión sobre la subvención.",
        back_from_parked="#1 Huerto comunitario 🌱 vuelve después de estar aplazada",
        adopted="#1 Huerto comunitario 🌱 quedó adoptada, con un consentimiento y ninguna "
        "objeción en pie.",
        objection_kept_as_concern="• inquietud de cy (su objeción en la ronda de "
        "consentimiento): el solar se inunda",
        report="Abiertas: 1 · adoptadas: 1 · aplazadas: 1 · retiradas: 0",
        audit="mo aplazó la propuesta #1 — esperamos la decisión sobre la subvención",
        raised_again="#2 Taller de reparación de bicis ya cumplió su tiempo mínimo de incubación",
        raised_last_time="Es la última vez que la recuerdo",
        second_parked="mo aplazó #2 Taller de reparación de bicis: esta vez no vino nadie.",
    ),
    "de": ProposalWords(
        opened="Neuer Vorschlag #1: Gemeinschaftsgarten 🌱 von ana",
        too_early_to_park="niemand, auch nicht die Moderation, kann ihn zurückstellen, bevor er "
        "gehört wurde",
        round_opens="Die Konsentrunde zu #1 Gemeinschaftsgarten 🌱 ist eröffnet",
        objection="#1 Gemeinschaftsgarten 🌱: cy erhebt einen Einwand: die Fläche steht im "
        "Frühjahr unter Wasser",
        revised_incubates="wurde während der Konsentrunde überarbeitet und reift deshalb wieder",
        parked="#1 Gemeinschaftsgarten 🌱 wurde von mo zurückgestellt: wir warten auf die "
        "Förderzusage.",
        back_from_parked="#1 Gemeinschaftsgarten 🌱 war zurückgestellt (wir warten auf die "
        "Förderzusage), ist jetzt wieder da",
        adopted="#1 Gemeinschaftsgarten 🌱 ist angenommen, mit einer Zustimmung und ohne "
        "offenen Einwand.",
        objection_kept_as_concern="• Bedenken von cy (der Einwand aus der Konsentrunde): die "
        "Fläche steht im Frühjahr unter Wasser",
        report="Eröffnet: 1 · angenommen: 1 · zurückgestellt: 1 · zurückgezogen: 0",
        audit="mo hat den Vorschlag #1 zurückgestellt — wir warten auf die Förderzusage",
        raised_again="#2 Fahrrad-Reparaturcafé ist lange genug gereift",
        raised_last_time="Ich bringe ihn jetzt zum letzten Mal ins Gespräch",
        second_parked="#2 Fahrrad-Reparaturcafé wurde von mo zurückgestellt: diesmal kam niemand.",
    ),
}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_proposal_goes_from_incubation_to_a_consent_round_in_the_proposals_channel(
    language: str,
) -> None:
    words = PROPOSAL[language]
    output = await shown(language, "proposal_lifecycle")
    ideas = posted(output, "#ideas")
    assert ideas[0].startswith(words.opened)
    assert any(words.too_early_to_park in m for m in said_to(output, "mo"))
    assert sum(p.startswith(words.round_opens) for p in ideas) == 3  # before, after revising, back
    assert any(p.startswith(words.objection) for p in ideas)
    assert any(words.revised_incubates in p for p in ideas)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_parked_proposal_comes_back_on_its_date_and_is_adopted(language: str) -> None:
    words = PROPOSAL[language]
    output = await shown(language, "proposal_lifecycle")
    ideas = posted(output, "#ideas")
    stages = [words.parked, words.back_from_parked, words.adopted]
    found = [next(i for i, p in enumerate(ideas) if p.startswith(stage)) for stage in stages]
    assert found == sorted(found)
    (history,) = [m for m in said_to(output, "dan") if m.startswith("#1 ")]
    assert words.objection_kept_as_concern in history
    moderator = "\n".join(said_to(output, "mo"))
    assert words.report in moderator and words.audit in moderator


@pytest.mark.parametrize("language", LANGUAGES)
async def test_an_idea_nobody_takes_up_is_raised_three_times_then_parked(language: str) -> None:
    words = PROPOSAL[language]
    output = await shown(language, "proposal_lifecycle")
    ideas = posted(output, "#ideas")
    assert sum(p.startswith(words.raised_again) for p in ideas) == 2
    assert sum(words.raised_last_time in p for p in ideas) == 1
    assert ideas[-1].startswith(words.second_parked)


# -- reflection rounds ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReflectionWords:
    round_heading: str  # "... #{number} · {theme}"
    suggestion_kept: str
    private_answer: str  # Cy's, to her alone
    asked_to_share: str  # Di answered in the open channel and is asked
    digest_closes: str
    reflected: str
    shared_answer: str
    read_it_all: str
    nobody_answered: str
    community_prompt: str


REFLECTION = {
    "es": ReflectionWords(
        round_heading="Ronda de reflexión #{number} · ",
        suggestion_kept="¡Gracias! Tu pregunta ya está en la lista como c1 (gratitud y cuidado)",
        private_answer="Guardada como respuesta 2, solo para ti",
        asked_to_share="Guardé tu reflexión como respuesta 3",
        digest_closes="Se cierra la ronda de reflexión #{number}",
        reflected="3 personas reflexionaron sobre esto.",
        shared_answer="• bo (respuesta 1): Pedir ayuda.",
        read_it_all="Léela entera con /reflection 1",
        nobody_answered="Esta vez nadie escribió una respuesta",
        community_prompt="• c1: ¿Qué comida te recuerda a alguien a quien quieres? "
        "(gratitud y cuidado; sugerida por bo)",
    ),
    "de": ReflectionWords(
        round_heading="Reflexionsrunde #{number} · ",
        suggestion_kept="Danke! Deine Frage liegt jetzt als c1 (Dankbarkeit und Fürsorge) im "
        "Fragenstapel",
        private_answer="Gespeichert als Antwort 2, nur für dich",
        asked_to_share="Ich habe deine Reflexion als Antwort 3 gespeichert",
        digest_closes="Reflexionsrunde #{number} geht zu Ende",
        reflected="3 Personen haben ihre Gedanken dazu aufgeschrieben.",
        shared_answer="• bo (Antwort 1): Um Hilfe bitten.",
        read_it_all="Alles lesen mit /reflection 1",
        nobody_answered="Diesmal hat niemand eine Antwort geschrieben",
        community_prompt="• c1: Welches Essen erinnert dich an einen Menschen, den du liebst? "
        "(Dankbarkeit und Fürsorge; vorgeschlagen von bo)",
    ),
}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_each_reflection_round_posts_a_prompt_written_for_the_language(
    language: str,
) -> None:
    words = REFLECTION[language]
    output = await shown(language, "reflection_rounds")
    written = {p["text"].get(language) for p in DECK["prompts"]}
    english = {p["text"]["en"] for p in DECK["prompts"]}
    for number in (1, 2):
        heading = words.round_heading.format(number=number)
        (post,) = [p for p in posted(output, "#reflections") if p.startswith(heading)]
        prompt = post.splitlines()[1]
        assert prompt in written and prompt not in english
    assert any(m.startswith(words.suggestion_kept) for m in said_to(output, "bo"))
    assert words.community_prompt in "\n".join(said_to(output, "ana"))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_private_reflection_stays_private_and_shared_ones_reach_the_digest(
    language: str,
) -> None:
    words = REFLECTION[language]
    output = await shown(language, "reflection_rounds")
    assert any(m.startswith(words.private_answer) for m in said_to(output, "cy"))
    assert any(m.startswith(words.asked_to_share) for m in said_to(output, "di"))
    private_words = {"es": "reuniones por la tarde", "de": "weniger Abendtermine"}[language]
    seen_by_others = [m.body for m in messages(output) if not m.is_for("cy")]
    assert [body for body in seen_by_others if private_words in body] == []
    digests = [p for p in posted(output, "#reflections") if "#1" in p.splitlines()[0]]
    (first,) = [d for d in digests if d.startswith(words.digest_closes.format(number=1))]
    assert words.reflected in first and words.shared_answer in first
    assert words.read_it_all in first


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_round_nobody_answers_closes_kindly(language: str) -> None:
    words = REFLECTION[language]
    output = await shown(language, "reflection_rounds")
    (second,) = [
        p
        for p in posted(output, "#reflections")
        if p.startswith(words.digest_closes.format(number=2))
    ]
    assert words.nobody_answered in second


# -- every script --------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "story"), EVERY_SCRIPT)
async def test_hearth_understands_everything_typed_in_the_script(language: str, story: str) -> None:
    output = await shown(language, story)
    assert [said for said in NOT_UNDERSTOOD[language] if said in output] == []
    assert "Traceback" not in output


@pytest.mark.parametrize(("language", "story"), EVERY_SCRIPT)
async def test_nothing_people_read_is_left_in_english(language: str, story: str) -> None:
    read = "\n".join(m.body for m in messages(await shown(language, story)))
    assert sorted(f for f in english_fragments(language) if f in read) == []
