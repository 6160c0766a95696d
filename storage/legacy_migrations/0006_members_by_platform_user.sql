-- Private chats find a person's communities on a platform by their platform user id.
CREATE INDEX members_by_platform_user ON members(platform, user_ref);
