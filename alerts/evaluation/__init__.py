"""Evaluation: every rule of a target graded from history (``engine``), its alerts moved through
pending → firing → resolved (``states``), their chart markers written into monitoring's event history
(``markers``), and the notifications routed, grouped and queued (``routing``)."""
