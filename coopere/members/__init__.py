"""Residents: in-person registration at the café desk, consents, activation codes, the members
list, and sponsorship of residents without internet."""
