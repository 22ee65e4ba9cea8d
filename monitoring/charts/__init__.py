"""Charts: each its own endpoint returning plotly figure JSON, built here as plain dicts.

* ``figures`` — builders (time series, bars, empty), one calm style for every chart.
* ``markers`` — how vertical markers look (which events become which marker: ``monitoring.events``);
  ``event_markers`` — the history store's events drawn on a figure.
* ``raw_tail`` — a range read at the resolution ``dbconsole.timerange.resolution`` picks, reaching "now".
* ``registry`` — ``@chart("name")`` registers a chart function; one URL serves them all by name. Every
  module of this package is discovered (``pkgutil``): a new chart module needs no list entry anywhere.
"""
