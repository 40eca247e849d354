"""What a command says when the user must fix something: a Chinese message and exit status 2."""


class CliError(Exception):
    """A message for the user (Chinese) and a non-zero exit; never a traceback."""
