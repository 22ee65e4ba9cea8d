"""The advisor: findings with evidence, team review, and safe migration drafts."""
