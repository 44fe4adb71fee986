"""`python -m matcher` is the `talentmatch` command."""

from matcher.cli import main

main(prog_name="talentmatch")
