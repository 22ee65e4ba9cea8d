"""P6's application: a helpdesk SaaS (organizations, users, projects, tickets, comments, attachments,
tags, sessions, an events log and a job queue) with skewed data and an hour of its traffic."""
