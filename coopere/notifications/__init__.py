"""Notices to members on the site (an event cancelled, a task to do…)."""
