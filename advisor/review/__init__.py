"""The review workflow: the recommendation lifecycle, people's decisions, and drafts on demand."""
