"""A feature bundles what it adds to Hearth: commands, button and conversation handlers, jobs,
schedules, setup keys and join/leave hooks. The composition root gathers every feature."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.commands import Args, Command, Param
from bot.context import CommandContext, CommunityContext
from bot.domain import Job, Member
from bot.roles import Role

CommandHandler = Callable[[CommandContext, Args], Awaitable[None]]
ChoiceHandler = Callable[[CommandContext, list[str]], Awaitable[None]]
FlowHandler = Callable[[CommandContext, str], Awaitable[None]]
JobHandler = Callable[[CommunityContext, Job], Awaitable[None]]
ScheduleHandler = Callable[[CommunityContext], Awaitable[None]]
MemberHook = Callable[[CommunityContext, Member], Awaitable[None]]
SetupShow = Callable[[CommunityContext], Awaitable[str]]
SetupChange = Callable[[CommandContext, str], Awaitable[None]]
ReportHandler = Callable[[CommandContext, str | None], Awaitable[None]]  # the period, as typed
# The flow that answers a private message no conversation waits for (installed by one feature).
UNEXPECTED_FLOW = "unexpected"


@dataclass(frozen=True)
class SetupKey:
    name: str
    show: SetupShow
    change: SetupChange


@dataclass
class Feature:
    name: str
    commands: list[Command] = field(default_factory=list)
    choices: dict[str, ChoiceHandler] = field(default_factory=dict)
    flows: dict[str, FlowHandler] = field(default_factory=dict)
    jobs: dict[str, JobHandler] = field(default_factory=dict)
    schedules: dict[str, ScheduleHandler] = field(default_factory=dict)
    setup_keys: list[SetupKey] = field(default_factory=list)
    on_join: list[MemberHook] = field(default_factory=list)
    on_leave: list[MemberHook] = field(default_factory=list)
    on_unreachable: dict[str, MemberHook] = field(default_factory=dict)
    # A flow (Reply.resume) -> the command line that starts it again, for `/start <flow>`.
    resumes: dict[str, str] = field(default_factory=dict)
    reports: dict[str, ReportHandler] = field(default_factory=dict)
    # English texts of a feature from outside prompts/ (a plugin's, a test's), by catalog key;
    # Hearth's own features keep theirs in prompts/<language>/.
    texts: dict[str, str] = field(default_factory=dict)

    def command(
        self,
        name: str,
        *params: Param,
        role: Role = Role.MEMBER,
        about: str | None = None,
    ) -> Callable[[CommandHandler], CommandHandler]:
        """Declare a command; what it and each option are for are the catalog's
        `command_<name>` and `command_<name>_<option>` texts (`about` brings the first along,
        for a feature outside prompts/)."""
        if about is not None:
            self.texts[f"command_{name}"] = about

        def register(handler: CommandHandler) -> CommandHandler:
            self.commands.append(Command(name, role, handler, tuple(params), self.name))
            return handler

        return register

    def choice(self, prefix: str) -> Callable[[ChoiceHandler], ChoiceHandler]:
        """Handle presses of buttons whose key starts with `prefix:`."""

        def register(handler: ChoiceHandler) -> ChoiceHandler:
            self.choices[prefix] = handler
            return handler

        return register

    def flow(self, name: str) -> Callable[[FlowHandler], FlowHandler]:
        """Handle a plain message from someone this flow is waiting on."""

        def register(handler: FlowHandler) -> FlowHandler:
            self.flows[name] = handler
            return handler

        return register

    def job(self, kind: str) -> Callable[[JobHandler], JobHandler]:
        def register(handler: JobHandler) -> JobHandler:
            self.jobs[kind] = handler
            return handler

        return register

    def schedule(self, kind: str) -> Callable[[ScheduleHandler], ScheduleHandler]:
        """A recurring weekly job moderators set with /schedule <kind> <day> <time>."""

        def register(handler: ScheduleHandler) -> ScheduleHandler:
            self.schedules[kind] = handler
            return handler

        return register

    def report(self, kind: str) -> Callable[[ReportHandler], ReportHandler]:
        """A moderators' aggregate report, shown by /report <kind> [period]."""

        def register(handler: ReportHandler) -> ReportHandler:
            self.reports[kind] = handler
            return handler

        return register
