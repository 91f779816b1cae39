"""Accounts: login by email or phone, passwords, roles, sessions."""
