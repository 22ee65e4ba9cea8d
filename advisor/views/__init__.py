"""The advisor's pages: recommendations, their review, drafts, machine facts and the SQL lint page."""
