"""The schema as the numbered SQL files left it (0001-0017)

Revision ID: 0017_baseline
Revises: (none: databases older than this are brought here by storage.migrate)
Create Date: 2026-12-06 05:30:16.291585
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.sql import Day, Flag, JsonText, Timestamp

revision: str = "0017_baseline"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "communities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.Column("settings", JsonText(), server_default="{}", nullable=False),
        sa.Column("paused_since", Timestamp(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.create_index(
            "communities_paused",
            ["id"],
            unique=False,
            sqlite_where=sa.text("paused_since IS NOT NULL"),
            postgresql_where=sa.text("paused_since IS NOT NULL"),
        )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("user_ref", sa.Text(), nullable=True),
        sa.Column("reply", JsonText(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_attempt_at", Timestamp(), nullable=False),
        sa.Column("claimed_by", sa.Text(), nullable=True),
        sa.Column("claimed_until", Timestamp(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("outbox_by_next_attempt", ["next_attempt_at", "id"], unique=False)
        batch_op.create_index("outbox_by_person", ["platform", "user_ref"], unique=False)

    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "platform_state",
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "key"),
    )
    op.create_table(
        "processed_events",
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("event_ref", sa.Text(), nullable=False),
        sa.Column("seen_at", Timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "event_ref"),
    )
    op.create_table(
        "accounts",
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("user_ref", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("platform", "user_ref"),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index("accounts_by_person", ["person_id"], unique=False)

    op.create_table(
        "community_links",
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("community_ref", sa.Text(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("main_channel", sa.Text(), nullable=True),
        sa.Column("channels", JsonText(), server_default="{}", nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("platform", "community_ref"),
    )
    with op.batch_alter_table("community_links", schema=None) as batch_op:
        batch_op.create_index("community_links_by_community", ["community_id"], unique=False)

    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("user_ref", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=True),
        sa.Column("granted_role", sa.Integer(), nullable=True),
        sa.Column("joined_at", Timestamp(), nullable=False),
        sa.Column("left_at", Timestamp(), nullable=True),
        sa.Column("unreachable_since", Timestamp(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community_id", "platform", "user_ref"),
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index("members_by_person", ["person_id"], unique=False)
        batch_op.create_index("members_by_platform_user", ["platform", "user_ref"], unique=False)

    op.create_table(
        "reach_notices",
        sa.Column("community_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("flow", sa.Text(), nullable=False),
        sa.Column("noticed_at", Timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("community_id", "platform", "flow"),
    )
    op.create_table(
        "reflection_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("prompt_key", sa.Text(), nullable=False),
        sa.Column("prompt_text", sa.Text(), nullable=False),
        sa.Column("theme", sa.Text(), nullable=True),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("posted_at", Timestamp(), nullable=False),
        sa.Column("closed_at", Timestamp(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community_id", "number"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("reflection_rounds", schema=None) as batch_op:
        batch_op.create_index("reflection_rounds_by_cycle", ["community_id", "cycle"], unique=False)

    op.create_table(
        "request_snapshots",
        sa.Column("community_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", Day(), nullable=False),
        sa.Column("taken_at", Timestamp(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("counts", JsonText(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("community_id", "day"),
    )
    op.create_table(
        "schedules",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("next_run", Timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("community_id", "kind"),
    )
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.create_index("schedules_by_next_run", ["next_run"], unique=False)

    op.create_table(
        "aid_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("public", Flag(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.Column("last_matched_at", Timestamp(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("aid_offers", schema=None) as batch_op:
        batch_op.create_index("aid_offers_by_category", ["community_id", "category"], unique=False)
        batch_op.create_index("aid_offers_by_member", ["member_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("at", Timestamp(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), server_default="", nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("text_key", sa.Text(), server_default="", nullable=False),
        sa.Column("params", sa.Text(), server_default="{}", nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["members.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["subject_id"], ["members.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("audit_log_by_community", ["community_id", "id"], unique=False)

    op.create_table(
        "buddy_pairings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("newcomer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("buddy_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("greeted_at", Timestamp(), nullable=True),
        sa.Column("ended_at", Timestamp(), nullable=True),
        sa.ForeignKeyConstraint(["buddy_id"], ["members.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["newcomer_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("buddy_pairings", schema=None) as batch_op:
        batch_op.create_index("buddy_pairings_by_buddy", ["buddy_id"], unique=False)
        batch_op.create_index(
            "buddy_pairings_by_community", ["community_id", "status", "created_at"], unique=False
        )
        batch_op.create_index("buddy_pairings_by_newcomer", ["newcomer_id"], unique=False)

    op.create_table(
        "buddy_requests",
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", Timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id"),
    )
    with op.batch_alter_table("buddy_requests", schema=None) as batch_op:
        batch_op.create_index(
            "buddy_requests_by_community", ["community_id", "requested_at"], unique=False
        )

    op.create_table(
        "buddy_volunteers",
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("since", Timestamp(), nullable=False),
        sa.Column("active", Flag(), server_default=sa.true(), nullable=False),
        sa.Column("open_limit", sa.Integer(), server_default=sa.text("2"), nullable=False),
        sa.Column("paused_at", Timestamp(), nullable=True),
        sa.Column("paused_until", Timestamp(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id"),
    )
    with op.batch_alter_table("buddy_volunteers", schema=None) as batch_op:
        batch_op.create_index(
            "buddy_volunteers_by_community", ["community_id", "active"], unique=False
        )

    op.create_table(
        "checkin_pauses",
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("until", Timestamp(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id"),
    )
    op.create_table(
        "checkin_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", Timestamp(), nullable=False),
        sa.Column("closes_at", Timestamp(), nullable=False),
        sa.Column("closed_at", Timestamp(), nullable=True),
        sa.Column("started_by", sa.Text(), nullable=False),
        sa.Column("needs", JsonText(), nullable=False),
        sa.Column("unreachable_told", Flag(), server_default=sa.false(), nullable=False),
        sa.Column("invited", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("respondents", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("unreachable", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("tallies", JsonText(), server_default="{}", nullable=False),
        sa.Column("threshold", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("checkin_rounds", schema=None) as batch_op:
        batch_op.create_index(
            "checkin_rounds_by_community", ["community_id", "closed_at", "opened_at"], unique=False
        )

    op.create_table(
        "conversations",
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("flow", sa.Text(), nullable=False),
        sa.Column("state", JsonText(), server_default="{}", nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id"),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("due_at", Timestamp(), nullable=False),
        sa.Column("payload", JsonText(), server_default="{}", nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("jobs_by_due", ["due_at"], unique=False)

    op.create_table(
        "private_chats",
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("written_at", Timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id"),
    )
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("state_since", Timestamp(), nullable=False),
        sa.Column("incubation_until", Timestamp(), nullable=False),
        sa.Column("stage", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("consent_until", Timestamp(), nullable=True),
        sa.Column("round", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("parked_until", Timestamp(), nullable=True),
        sa.Column("park_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("last_raised_at", Timestamp(), nullable=True),
        sa.Column("hidden", Flag(), server_default=sa.false(), nullable=False),
        sa.Column("hidden_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("origin", sa.Text(), server_default="", nullable=False),
        sa.Column("nudges", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("quiet_since", Timestamp(), nullable=True),
        sa.Column("resting_since", Timestamp(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["members.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community_id", "number"),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index("proposals_by_author", ["author"], unique=False)
        batch_op.create_index(
            "proposals_by_origin",
            ["community_id", "origin"],
            unique=False,
            sqlite_where=sa.text("origin != ''"),
            postgresql_where=sa.text("origin != ''"),
        )

    op.create_table(
        "reflection_prompts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("theme", sa.Text(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("suggested", Flag(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["members.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("reflection_prompts", schema=None) as batch_op:
        batch_op.create_index("reflection_prompts_by_author", ["author_id"], unique=False)
        batch_op.create_index(
            "reflection_prompts_by_community", ["community_id", "id"], unique=False
        )

    op.create_table(
        "reflections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("shared", Flag(), server_default=sa.false(), nullable=False),
        sa.Column("written_at", Timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["reflection_rounds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "member_id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("reflections", schema=None) as batch_op:
        batch_op.create_index("reflections_by_member", ["member_id"], unique=False)

    op.create_table(
        "welcome_contributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("welcome_contributions", schema=None) as batch_op:
        batch_op.create_index(
            "welcome_contributions_by_community", ["community_id", "id"], unique=False
        )
        batch_op.create_index("welcome_contributions_by_member", ["member_id"], unique=False)

    op.create_table(
        "welcome_intros",
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.Column("posted_at", Timestamp(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id"),
    )
    op.create_table(
        "welcome_joins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("joined_at", Timestamp(), nullable=False),
        sa.Column("welcomed_at", Timestamp(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("welcome_joins", schema=None) as batch_op:
        batch_op.create_index(
            "welcome_joins_by_community", ["community_id", "joined_at"], unique=False
        )
        batch_op.create_index("welcome_joins_by_member", ["member_id"], unique=False)

    op.create_table(
        "welcome_onboardings",
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("started_at", Timestamp(), nullable=False),
        sa.Column("step", sa.Text(), nullable=False),
        sa.Column("brings", sa.Text(), nullable=True),
        sa.Column("unsure", Flag(), server_default=sa.false(), nullable=False),
        sa.Column("wants_buddy", Flag(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=True),
        sa.Column("fallback_offered", Flag(), server_default=sa.false(), nullable=False),
        sa.Column("completed_at", Timestamp(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id"),
    )
    with op.batch_alter_table("welcome_onboardings", schema=None) as batch_op:
        batch_op.create_index(
            "welcome_onboardings_by_completion", ["community_id", "completed_at"], unique=False
        )

    op.create_table(
        "aid_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), server_default="", nullable=False),
        sa.Column("opened_at", Timestamp(), nullable=False),
        sa.Column("expires_at", Timestamp(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("current_offer_id", sa.Integer(), nullable=True),
        sa.Column("asked_at", Timestamp(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["current_offer_id"], ["aid_offers.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("aid_requests", schema=None) as batch_op:
        batch_op.create_index(
            "aid_requests_by_community", ["community_id", "category"], unique=False
        )
        batch_op.create_index("aid_requests_by_member", ["member_id"], unique=False)
        batch_op.create_index("aid_requests_by_offer", ["current_offer_id"], unique=False)

    op.create_table(
        "checkin_answers",
        sa.Column("round_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("answered_at", Timestamp(), nullable=False),
        sa.Column("answers", JsonText(), server_default="{}", nullable=False),
        sa.Column("hands", JsonText(), server_default="[]", nullable=False),
        sa.Column("offered", JsonText(), server_default="[]", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("completed", Flag(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["checkin_rounds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "member_id"),
    )
    with op.batch_alter_table("checkin_answers", schema=None) as batch_op:
        batch_op.create_index("checkin_answers_by_member", ["member_id"], unique=False)

    op.create_table(
        "checkin_invitations",
        sa.Column("round_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("invited_at", Timestamp(), nullable=False),
        sa.Column("reminded_at", Timestamp(), nullable=True),
        sa.Column("unreachable_at", Timestamp(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["checkin_rounds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "member_id"),
    )
    with op.batch_alter_table("checkin_invitations", schema=None) as batch_op:
        batch_op.create_index("checkin_invitations_by_member", ["member_id"], unique=False)

    op.create_table(
        "proposal_contributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("voice", sa.Text(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", Timestamp(), nullable=False),
        sa.Column("from_objection", Flag(), server_default=sa.false(), nullable=False),
        sa.Column("merged_from", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("proposal_contributions", schema=None) as batch_op:
        batch_op.create_index(
            "proposal_contributions_by_proposal", ["proposal_id", "id"], unique=False
        )
        batch_op.create_index("proposal_contributions_by_voice", ["voice"], unique=False)

    op.create_table(
        "proposal_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("at", Timestamp(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.Text(), server_default="", nullable=False),
        sa.Column("automatic", Flag(), server_default=sa.false(), nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("audit", Flag(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["members.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("proposal_events", schema=None) as batch_op:
        batch_op.create_index("proposal_events_by_actor", ["actor_id"], unique=False)
        batch_op.create_index("proposal_events_by_proposal", ["proposal_id", "id"], unique=False)

    op.create_table(
        "proposal_positions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("voice", sa.Text(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("stance", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("at", Timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("proposal_positions", schema=None) as batch_op:
        batch_op.create_index("proposal_positions_by_proposal", ["proposal_id", "id"], unique=False)
        batch_op.create_index("proposal_positions_by_voice", ["voice"], unique=False)

    op.create_table(
        "proposal_supports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("voice", sa.Text(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("at", Timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", "voice"),
    )
    with op.batch_alter_table("proposal_supports", schema=None) as batch_op:
        batch_op.create_index("proposal_supports_by_voice", ["voice"], unique=False)

    op.create_table(
        "proposal_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("at", Timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", "number"),
    )
    op.create_table(
        "aid_attempts",
        sa.Column("request_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("offer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("at", Timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["offer_id"], ["aid_offers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["request_id"], ["aid_requests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("request_id", "offer_id"),
    )
    with op.batch_alter_table("aid_attempts", schema=None) as batch_op:
        batch_op.create_index("aid_attempts_by_offer", ["offer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("aid_attempts", schema=None) as batch_op:
        batch_op.drop_index("aid_attempts_by_offer")

    op.drop_table("aid_attempts")
    op.drop_table("proposal_versions")
    with op.batch_alter_table("proposal_supports", schema=None) as batch_op:
        batch_op.drop_index("proposal_supports_by_voice")

    op.drop_table("proposal_supports")
    with op.batch_alter_table("proposal_positions", schema=None) as batch_op:
        batch_op.drop_index("proposal_positions_by_voice")
        batch_op.drop_index("proposal_positions_by_proposal")

    op.drop_table("proposal_positions")
    with op.batch_alter_table("proposal_events", schema=None) as batch_op:
        batch_op.drop_index("proposal_events_by_proposal")
        batch_op.drop_index("proposal_events_by_actor")

    op.drop_table("proposal_events")
    with op.batch_alter_table("proposal_contributions", schema=None) as batch_op:
        batch_op.drop_index("proposal_contributions_by_voice")
        batch_op.drop_index("proposal_contributions_by_proposal")

    op.drop_table("proposal_contributions")
    with op.batch_alter_table("checkin_invitations", schema=None) as batch_op:
        batch_op.drop_index("checkin_invitations_by_member")

    op.drop_table("checkin_invitations")
    with op.batch_alter_table("checkin_answers", schema=None) as batch_op:
        batch_op.drop_index("checkin_answers_by_member")

    op.drop_table("checkin_answers")
    with op.batch_alter_table("aid_requests", schema=None) as batch_op:
        batch_op.drop_index("aid_requests_by_offer")
        batch_op.drop_index("aid_requests_by_member")
        batch_op.drop_index("aid_requests_by_community")

    op.drop_table("aid_requests")
    with op.batch_alter_table("welcome_onboardings", schema=None) as batch_op:
        batch_op.drop_index("welcome_onboardings_by_completion")

    op.drop_table("welcome_onboardings")
    with op.batch_alter_table("welcome_joins", schema=None) as batch_op:
        batch_op.drop_index("welcome_joins_by_member")
        batch_op.drop_index("welcome_joins_by_community")

    op.drop_table("welcome_joins")
    op.drop_table("welcome_intros")
    with op.batch_alter_table("welcome_contributions", schema=None) as batch_op:
        batch_op.drop_index("welcome_contributions_by_member")
        batch_op.drop_index("welcome_contributions_by_community")

    op.drop_table("welcome_contributions")
    with op.batch_alter_table("reflections", schema=None) as batch_op:
        batch_op.drop_index("reflections_by_member")

    op.drop_table("reflections")
    with op.batch_alter_table("reflection_prompts", schema=None) as batch_op:
        batch_op.drop_index("reflection_prompts_by_community")
        batch_op.drop_index("reflection_prompts_by_author")

    op.drop_table("reflection_prompts")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(
            "proposals_by_origin",
            sqlite_where=sa.text("origin != ''"),
            postgresql_where=sa.text("origin != ''"),
        )
        batch_op.drop_index("proposals_by_author")

    op.drop_table("proposals")
    op.drop_table("private_chats")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("jobs_by_due")

    op.drop_table("jobs")
    op.drop_table("conversations")
    with op.batch_alter_table("checkin_rounds", schema=None) as batch_op:
        batch_op.drop_index("checkin_rounds_by_community")

    op.drop_table("checkin_rounds")
    op.drop_table("checkin_pauses")
    with op.batch_alter_table("buddy_volunteers", schema=None) as batch_op:
        batch_op.drop_index("buddy_volunteers_by_community")

    op.drop_table("buddy_volunteers")
    with op.batch_alter_table("buddy_requests", schema=None) as batch_op:
        batch_op.drop_index("buddy_requests_by_community")

    op.drop_table("buddy_requests")
    with op.batch_alter_table("buddy_pairings", schema=None) as batch_op:
        batch_op.drop_index("buddy_pairings_by_newcomer")
        batch_op.drop_index("buddy_pairings_by_community")
        batch_op.drop_index("buddy_pairings_by_buddy")

    op.drop_table("buddy_pairings")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("audit_log_by_community")

    op.drop_table("audit_log")
    with op.batch_alter_table("aid_offers", schema=None) as batch_op:
        batch_op.drop_index("aid_offers_by_member")
        batch_op.drop_index("aid_offers_by_category")

    op.drop_table("aid_offers")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_index("schedules_by_next_run")

    op.drop_table("schedules")
    op.drop_table("request_snapshots")
    with op.batch_alter_table("reflection_rounds", schema=None) as batch_op:
        batch_op.drop_index("reflection_rounds_by_cycle")

    op.drop_table("reflection_rounds")
    op.drop_table("reach_notices")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index("members_by_platform_user")
        batch_op.drop_index("members_by_person")

    op.drop_table("members")
    with op.batch_alter_table("community_links", schema=None) as batch_op:
        batch_op.drop_index("community_links_by_community")

    op.drop_table("community_links")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("accounts_by_person")

    op.drop_table("accounts")
    op.drop_table("processed_events")
    op.drop_table("platform_state")
    op.drop_table("people")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("outbox_by_person")
        batch_op.drop_index("outbox_by_next_attempt")

    op.drop_table("outbox")
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_index(
            "communities_paused",
            sqlite_where=sa.text("paused_since IS NOT NULL"),
            postgresql_where=sa.text("paused_since IS NOT NULL"),
        )

    op.drop_table("communities")
