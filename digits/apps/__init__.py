"""The applications: digits-predict (the command line) and digits-serve (the page and its API)."""
