"""The café-rencontre on the day and around it: the call list before, the desk (check-ins,
visitors, newcomers) during, the attendance sheet and the event report after."""
