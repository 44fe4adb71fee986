"""talentmatch's domain: store, skills, features, ranking model, evaluation and CLI.

Nothing in this package imports Flask or the scheduler; `web/` and `jobs/` wrap it.
"""
