"""`rollbook guard`: may this feature be deployed now? Freezes, who can roll back, readiness.

The deploy pipeline asks before it ships: :func:`rollbook.guard.decide.decide` answers with a
:class:`~rollbook.guard.decide.Decision` holding every reason to wait and, for each, what would
make it pass. Times are aware datetimes throughout; dates and times written without an offset
are read in the configured time zone (``[guard] time-zone``).

Modules, left to right: :mod:`periods` (time spans, durations, how times are written),
:mod:`calendars` (.ics files, read with icalendar and expanded with recurring-ical-events),
:mod:`freezes` and :mod:`availability` (the two calendars of the question), :mod:`rollout`
(which stage a rollout is at), :mod:`decide` (the checks) and :mod:`report` (text and JSON).
"""
