"""Print runs: invitation letters for the dwelling register, posters, flyers, as background jobs."""
