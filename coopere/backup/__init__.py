"""Backups of the perimeter's database and their restoration (`flask --app coopere backup | restore`)."""
