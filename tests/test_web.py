"""The web pages over real HTTP: a moderator signs in with a one-time link from chat and
changes things through the same commands, and the public page shows only what is public."""

from __future__ import annotations

from datetime import timedelta

import aiohttp

from bot.events import CommandInvoked, Origin, Person
from bot.services.web.logins import open_login
from tests.support import PLATFORM, World, text, to
from tests.web_support import link_in, web_of

DAY = timedelta(days=1)


async def other_community(world: World, who: str, line: str) -> str:
    """`who` types `line` as an administrator of a second community on the same platform."""
    person = Person(who.lower(), who, is_platform_admin=True)
    origin = Origin(PLATFORM, "other-place", person, "#general", community_name="Other place")
    name, _, rest = line[1:].partition(" ")
    return text(await world.hearth.handle(CommandInvoked(origin, name, rest)))


async def test_a_moderator_opens_the_dashboard_with_the_link_sent_to_them_privately(
    world: World,
) -> None:
    world.make_admin("mo")
    async with web_of(world) as web:
        replies = await world.say("mo", "/dashboard")
        assert "sent you a sign-in link" in text(to(replies, "mo"))
        link = link_in(to(replies, "mo"))
        assert link.startswith(web.base + "/sign-in/")

        asked = await web.get(link)  # a link preview fetching it spends nothing
        assert asked.status == 200 and "Open the dashboard" in asked.text
        opened = await web.post(link)
        assert opened.status == 200 and opened.url.endswith("/dashboard/1")
        assert "Dashboard of Test community" in opened.text
        assert "Signed in as mo" in opened.text
        cookie = next(iter(web.http.cookie_jar))
        assert cookie["httponly"] and cookie["samesite"] == "Strict"


async def test_a_member_cannot_have_a_link_and_a_link_made_for_a_member_opens_nothing(
    sqlite_world: World,
) -> None:
    world = sqlite_world
    async with web_of(world) as web:
        await world.say("ana", "/privacy")  # ana is a member, nothing more
        refused = text(await world.say("ana", "/dashboard"))
        assert "/dashboard is for moderators" in refused
        async with world.store.unit_of_work() as uow:
            ana = await uow.members.find(1, PLATFORM, "ana")
            assert ana is not None
            secret = await open_login(uow, 1, ana.id, world.clock.now())
            await uow.commit()
        assert web.server.links is not None
        link = web.server.links.sign_in(secret)
        page = await web.post(link)
        assert page.status == 403
        assert "for the community's moderators, and you aren't one" in page.text
        assert (await web.get("/dashboard/1")).status == 403


async def test_a_used_or_expired_or_altered_link_is_refused_with_what_to_do(
    sqlite_world: World,
) -> None:
    world = sqlite_world
    world.make_admin("mo")
    async with web_of(world) as web:
        link = link_in(await world.say("mo", "/dashboard"))
        assert (await web.post(link)).status == 200
        again = await web.post(link)
        assert again.status == 403 and "was used already" in again.text

        late = link_in(await world.say("mo", "/dashboard"))
        world.clock.advance(timedelta(minutes=11))
        expired = await web.get(late)
        assert expired.status == 403 and "has run out" in expired.text
        assert (await web.post(late)).status == 403

        fresh = link_in(await world.say("mo", "/dashboard"))
        altered = await web.get(fresh[:-3] + ("AAA" if not fresh.endswith("AAA") else "BBB"))
        assert altered.status == 403 and "isn't one I made" in altered.text


async def test_a_link_for_one_community_cannot_open_another(sqlite_world: World) -> None:
    world = sqlite_world
    world.make_admin("mo")
    async with web_of(world) as web:
        assert "sent you a sign-in link" in await other_community(world, "mo", "/dashboard")
        signed = await web.sign_in(world, "mo")  # to the test community
        mine = int(signed.url.rsplit("/", 1)[1])
        other = await web.get(f"/dashboard/{3 - mine}")  # mo moderates it too: not this link's
        assert other.status == 403 and "sign in again" in other.text
        assert (await web.get(f"/dashboard/{mine}")).status == 200


async def test_a_moderator_demoted_or_gone_is_refused_on_the_next_request(
    world: World,
) -> None:
    world.make_admin("mo")
    world.make_admin("lu")
    async with web_of(world) as web:
        assert (await web.sign_in(world, "mo")).status == 200
        world.admins.discard("mo")  # the platform took mo's rights away
        refused = await web.get("/dashboard/1")
        assert refused.status == 403 and "Dashboard of" not in refused.text

        web.http.cookie_jar.clear()
        assert (await web.sign_in(world, "lu")).status == 200
        web.word.gone.add("lu")  # lu left the group
        assert (await web.get("/dashboard/1")).status == 403


async def test_a_form_without_its_csrf_token_changes_nothing(sqlite_world: World) -> None:
    world = sqlite_world
    world.make_admin("mo")
    async with web_of(world) as web:
        page = await web.sign_in(world, "mo")
        form = page.form("/schedule", kind="checkin")
        form.update(day="fri", time="18:30")
        forged = {k: v for k, v in form.items() if k != "csrf"}
        refused = await web.post("/dashboard/1/schedule", forged)
        assert refused.status == 403
        wrong = await web.post("/dashboard/1/schedule", {**form, "csrf": "x" + form["csrf"]})
        assert wrong.status == 403
        assert "checkin: every" not in text(await world.say("mo", "/schedule"))


async def test_a_schedule_changed_on_the_dashboard_shows_in_chat_and_in_the_audit_log(
    world: World,
) -> None:
    world.make_admin("mo")
    async with web_of(world) as web:
        page = await web.sign_in(world, "mo")
        form = page.form("/schedule", kind="checkin")
        form.update(day="fri", time="18:30")
        done = await web.post("/dashboard/1/schedule", form)
        assert done.status == 200
        assert "Scheduled. checkin: every Friday at 18:30 (UTC)" in done.text

        again = await web.post("/dashboard/1/schedule", form)  # the same form, sent twice
        assert "sent before, so nothing changed" in again.text

        assert "checkin: every Friday at 18:30" in text(await world.say("mo", "/schedule"))
        assert "mo set schedule checkin" in text(await world.say("ana", "/audit"))

        refused_form = again.form("/schedule", kind="checkin")
        refused_form.update(day="fri", time="25:99")
        refused = await web.post("/dashboard/1/schedule", refused_form)
        assert refused.status == 200 and "\"25:99\" isn't a time of day" in refused.text
        assert "checkin: every Friday at 18:30" in text(await world.say("mo", "/schedule"))
        off = refused.form("/schedule", kind="checkin")
        off["off"] = "1"
        cleared = await web.post("/dashboard/1/schedule", off)
        assert "The checkin schedule is cleared" in cleared.text


async def test_the_public_page_is_closed_until_moderators_open_it(world: World) -> None:
    world.make_admin("mo")
    async with web_of(world) as web:
        await world.say("ana", "/propose Community garden | Shared beds behind the library.")
        closed = await web.get("/c/1")
        assert closed.status == 404 and "Community garden" not in closed.html

        page = await web.sign_in(world, "mo")
        form = page.form("/setup", key="web")
        form["value"] = "public on"
        opened = await web.post("/dashboard/1/setup", form)
        assert "web is now a public page, open to everyone at" in opened.text
        assert f"{web.base}/c/1" in opened.text
        assert "mo changed setting web" in text(await world.say("ana", "/audit"))

        public = await web.get("/c/1")
        assert public.status == 200 and "Community garden" in public.text
        assert "Proposals still open" in public.text

        assert "web is now no public page" in text(await world.say("mo", "/setup web public off"))
        assert (await web.get("/c/1")).status == 404


async def test_the_public_page_shows_a_proposals_whole_history_and_the_audit_log(
    sqlite_world: World,
) -> None:
    world = sqlite_world
    world.make_admin("mo")
    await world.say("mo", "/setup web public on")
    await world.say("ana", "/propose Community garden | Shared beds behind the library.")
    await world.say("bob", "/build 1 and a tool shed we all share")
    await world.say("cy", "/concern 1 who waters the beds in August?")
    await world.advance(3 * DAY)
    await world.say("bob", "/consent 1")
    await world.say("cy", "/standaside 1 I'm away all summer")
    await world.advance(3 * DAY)
    async with web_of(world) as web:
        listing = await web.get("/c/1")
        assert "Decided proposals" in listing.text and "#1" in listing.text
        shown = await web.get("/c/1/proposals/1")
        assert shown.status == 200
        assert "build from bob: and a tool shed we all share" in shown.text
        assert "concern from cy: who waters the beds in August?" in shown.text
        assert "cy stands aside: I'm away all summer" in shown.text
        assert "Hearth opened its consent round" in shown.text
        audit = await web.get("/c/1/audit")
        assert "Hearth adopted proposal #1" in audit.text
        assert (await web.get("/c/1/proposals/9")).status == 404


async def test_pages_speak_the_readers_language_and_escape_what_people_typed(
    sqlite_world: World,
) -> None:
    world = sqlite_world
    world.make_admin("mo")
    await world.say("mo", "/setup web public on")
    await world.say("ana", "/propose <script>alert(1)</script> | <b>bold</b> plans")
    async with web_of(world) as web:
        german = await web.get("/c/1", **{"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
        assert '<html lang="de">' in german.html
        assert "<script>alert" not in german.html and "&lt;script&gt;" in german.html
        spanish = await web.get("/c/1?lang=es")
        assert '<html lang="es">' in spanish.html


async def test_an_unexpected_error_is_a_kind_page_with_an_id(
    sqlite_world: World, caplog: object
) -> None:
    world = sqlite_world
    world.make_admin("mo")
    await world.say("mo", "/setup web public on")
    async with web_of(world) as web:

        async def broken(community_id: int, language: str) -> list[str]:
            raise RuntimeError("the database went away")

        web.server.site.audit = broken  # type: ignore[method-assign]
        page = await web.get("/c/1/audit")
        assert page.status == 500
        assert "Nothing you sent was lost" in page.text
        assert "the database went away" not in page.html


async def test_every_page_carries_headers_that_keep_links_private(sqlite_world: World) -> None:
    world = sqlite_world
    async with web_of(world) as web, web.http.get(web.base + "/") as response:
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_signing_out_ends_the_session_even_for_a_copy_of_its_cookie(
    world: World,
) -> None:
    world.make_admin("mo")
    async with web_of(world) as web:
        page = await web.sign_in(world, "mo")
        copied = {cookie.key: cookie.value for cookie in web.http.cookie_jar}
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar, cookies=copied) as copy:
            async with copy.get(web.base + "/dashboard/1") as response:
                assert response.status == 200  # the copy works while the session is open
            left = await web.post("/sign-out", page.form("/sign-out"))
            assert left.status == 200 and left.url.endswith("/")
            assert (await web.get("/dashboard/1")).status == 403
            async with copy.get(web.base + "/dashboard/1") as response:
                assert response.status == 403


async def test_a_session_runs_out_after_eight_hours(sqlite_world: World) -> None:
    world = sqlite_world
    world.make_admin("mo")
    async with web_of(world) as web:
        await web.sign_in(world, "mo")
        world.clock.advance(timedelta(hours=7, minutes=59))
        assert (await web.get("/dashboard/1")).status == 200
        world.clock.advance(timedelta(minutes=2))
        assert (await web.get("/dashboard/1")).status == 403


async def test_the_dashboard_charts_look_back_over_the_period_chosen(sqlite_world: World) -> None:
    world = sqlite_world
    world.make_admin("mo")
    async with web_of(world) as web:
        page = await web.sign_in(world, "mo")
        assert "Needs over the last 12 weeks" in page.text
        assert "Needs over the last 52 weeks" in (await web.get("/dashboard/1?weeks=52")).text
        odd = await web.get("/dashboard/1?weeks=5")  # not offered: the usual span
        assert "Needs over the last 12 weeks" in odd.text


async def test_a_mistyped_web_setting_is_explained_and_changes_nothing(sqlite_world: World) -> None:
    world = sqlite_world
    world.make_admin("mo")
    refused = text(await world.say("mo", "/setup web public maybe"))
    assert 'couldn\'t read "public maybe"' in refused and "/setup web public on" in refused
    assert "web: no public page" in text(await world.say("mo", "/setup"))
