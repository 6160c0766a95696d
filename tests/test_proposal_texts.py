"""Every proposal sentence exists in the catalog, and nobody's words can change formatting."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.catalog import Catalog
from bot.markup import Span, escape, parse
from bot.services.proposals.records import Action, Kind, Stance, State

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "bot" / "services" / "proposals").glob("*.py"))
CATALOG = Catalog.load()


def keys_in_code() -> set[str]:
    """Literal keys, plus the ones the code builds from its enums."""
    found = set()
    for source in SOURCES:
        found |= {
            key
            for key in re.findall(r"\"(proposal_[a-z_]+)\"", source.read_text(encoding="utf-8"))
            if not key.endswith("_")
        }
    found |= {f"proposal_state_{s.value}" for s in State}
    found |= {"proposal_filter_open", "proposal_filter_all"}  # /proposals' own filters
    found |= {f"proposal_did_{a.value}" for a in Action} | {"proposal_did_adopted_by_hand"}
    for kind in Kind:
        found |= {
            f"proposal_{kind.value}_empty",
            f"proposal_{kind.value}_too_long",
            f"proposal_{kind.value}_added",
            f"proposal_view_{kind.value}",
            f"proposal_view_merged_{kind.value}",
        }
    found.add("proposal_view_concern_objection")
    for stance in Stance:
        found |= {
            f"proposal_position_{stance.value}",
            f"proposal_view_position_{stance.value}",
            f"proposal_view_position_{stance.value}_why",
        }
    found.add("proposal_announce_withdrawn_why")
    found |= {f"proposal_announce_{key}_last" for key in ("reraise", "reminder", "extended")}
    found |= {f"proposal_next_resting_{s.value}" for s in (State.INCUBATING, State.CONSENT)}
    return found


def test_every_key_the_code_uses_is_in_the_catalog_and_none_is_left_over() -> None:
    used = keys_in_code()
    missing = {key for key in used if not CATALOG.has(key)}
    assert not missing
    data = (ROOT / "prompts" / "en" / "proposals.yaml").read_text(encoding="utf-8")
    defined = set(re.findall(r"^  (proposal_[a-z_]+):", data, re.MULTILINE))
    assert defined - used == set()


def test_every_template_uses_only_parameters_the_code_gives() -> None:
    given_names = {
        "number", "title", "details", "author", "until", "need", "have", "name", "text",
        "reason", "version", "closes", "consents", "asides", "objections", "count", "note",
        "into", "limit", "length", "state", "which", "lines", "body", "when", "next", "age",
        "builds", "concerns", "support", "since", "created", "perspectives", "at", "round",
        "actor", "did", "why", "detail", "stage", "median", "days", "opened", "adopted",
        "parked", "withdrawn", "merged", "open_now", "stages", "names", "value", "low", "high",
        "reflection", "origin", "was", "place", "community",
    }  # fmt: skip
    for key in keys_in_code():
        assert CATALOG.fields(key) <= given_names, key


@settings(max_examples=200)
@given(st.text(min_size=1))
def test_any_text_shows_exactly_as_written(words: str) -> None:
    assert parse(escape(words)) == [Span(words)]


@settings(max_examples=200)
@given(
    st.text(min_size=1, max_size=120).filter(lambda s: s.strip() == s and s),
    st.text(min_size=1, max_size=200).filter(lambda s: s.strip() == s and s),
)
def test_titles_and_builds_never_break_the_message_formatting(title: str, build: str) -> None:
    shown = CATALOG.text("proposal_announce_build", number=4, title=title, name="bob", text=build)
    assert parse(shown) == [
        Span(f"#4 {title}", "bold"),
        Span(f": bob builds on it: {build}"),
    ]


def test_emoji_right_to_left_and_joiners_survive() -> None:
    words = "👩‍👩‍👧 שלום مرحبا \u200f\u200d *_`\\"
    shown = CATALOG.text("proposal_view_build", name="cy", text=words)
    assert "".join(span.text for span in parse(shown)) == f"• build from cy: {words}"
