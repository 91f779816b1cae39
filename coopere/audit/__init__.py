"""The audit log of sensitive actions."""
