"""The workshop demo: "Et si ?" questions answered in the browser, side by side, in French.

Plain modules hold the logic (cards, answer, session, view, i18n); ``app`` is the Solara page
on top and ``command`` the ``alliance demo`` subcommand that serves it offline.
"""
