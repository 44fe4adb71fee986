"""Scheduled jobs (APScheduler 3.x): retraining, match emails, housekeeping."""
