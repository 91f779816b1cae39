"""End-to-end tests in a real headless Chromium.

This folder is a package so that its conftest is imported as `e2e.conftest` and does not take the
place of the top-level `conftest` module that other test files import helpers from.
"""
