"""Impact measurement: the perimeter's figures, the dashboard, CSV exports and the yearly report."""
