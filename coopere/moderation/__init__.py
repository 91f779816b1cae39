"""Moderation: anyone reports a listing or a message; animators hide, restore and warn."""
