"""Backups of the perimeter's database, and restoring one (`flask --app coopere backup|restore`)."""
