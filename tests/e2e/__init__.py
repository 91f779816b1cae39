"""End-to-end tests in a real headless Chromium.

This folder is a package so that its modules are imported as `e2e.conftest`, `e2e.test_…`: they
share names with modules elsewhere in tests/ (the top-level `conftest`,
`moderation/test_moderation.py`) without taking their place.
"""
