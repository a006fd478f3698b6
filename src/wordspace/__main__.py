"""``python -m wordspace`` runs the command line."""

from .cli import main

main()
