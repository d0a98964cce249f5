"""`python -m showrunner.cli`."""

from . import main

main()
