"""The staff console: a thin web face over the same domain functions as the command line.

``app.create_app`` builds the Starlette application; ``store`` keeps users, sessions, the audit
trail, jobs and template versions in ``var/web.sqlite``; ``jobs`` and ``worker`` run printing and
rendering in separate processes; ``pages/`` holds one module per page family.
"""
