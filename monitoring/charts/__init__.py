"""Charts: each its own endpoint returning plotly figure JSON, built here as plain dicts.

* ``figures`` — builders (time series, bars, empty), one calm style for every chart.
* ``markers`` — vertical annotations: stats resets, restarts, settings changes, lock incidents.
* ``registry`` — ``@chart("name")`` registers a chart function; one URL serves them all by name.
"""
