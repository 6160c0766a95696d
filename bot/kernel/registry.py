"""What features install, gathered in one place so that a name is never claimed twice."""

from __future__ import annotations

from typing import TypeVar

from bot.commands import CommandRegistry
from bot.feature import (
    ChoiceHandler,
    Feature,
    FlowHandler,
    JobHandler,
    MemberHook,
    ReportHandler,
    ScheduleHandler,
    SetupKey,
)

T = TypeVar("T")


def _merge(feature: str, table: dict[str, T], found: dict[str, T]) -> None:
    for key in found:
        if key in table:
            raise ValueError(f"{feature}: '{key}' is registered twice")
    table.update(found)


class FeatureRegistry:
    """Every command, handler and hook by name. The tables are filled in place (never
    replaced), so whoever holds one sees features installed later."""

    def __init__(self) -> None:
        self.commands = CommandRegistry()
        self.choices: dict[str, ChoiceHandler] = {}
        self.flows: dict[str, FlowHandler] = {}
        self.jobs: dict[str, JobHandler] = {}
        self.schedules: dict[str, ScheduleHandler] = {}
        self.setup_keys: dict[str, SetupKey] = {}
        self.on_join: list[MemberHook] = []
        self.on_leave: list[MemberHook] = []
        self.on_unreachable: dict[str, MemberHook] = {}
        self.resumes: dict[str, str] = {}
        self.reports: dict[str, ReportHandler] = {}

    def install(self, feature: Feature) -> None:
        for command in feature.commands:
            self.commands.add(command)
        _merge(feature.name, self.choices, feature.choices)
        _merge(feature.name, self.flows, feature.flows)
        _merge(feature.name, self.jobs, feature.jobs)
        _merge(feature.name, self.schedules, feature.schedules)
        _merge(feature.name, self.on_unreachable, feature.on_unreachable)
        _merge(feature.name, self.resumes, feature.resumes)
        _merge(feature.name, self.reports, feature.reports)
        for setup_key in feature.setup_keys:
            self.setup_keys[setup_key.name] = setup_key
        self.on_join.extend(feature.on_join)
        self.on_leave.extend(feature.on_leave)
