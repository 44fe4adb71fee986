"""The Flask web app: employer and worker pages and the JSON API."""
