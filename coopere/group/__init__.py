"""The animation group's share of the work: task families, the roster of each event, the fair
share of tasks, reminders and handover notes."""
