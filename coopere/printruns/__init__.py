"""Print runs: invitation letters for the dwelling register, posters and flyers, as background jobs."""
