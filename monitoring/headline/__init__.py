"""The headline of a target over the selected range — what the overview shows first and what the fleet
badge grades: the health checks, the lock incidents of the range, the open advisor findings, the
collectors' problems; each a four-state item linking to the page that explains it.

``base`` defines items and the contributor registry (apps above monitoring plug in from
``AppConfig.ready``), ``compose`` builds headlines, ``locks`` is monitoring's own contributor.
"""
