"""The project's input and run errors, turned by the command into one line and exit code 2.

``ParameterError`` (raised by the model's parameter structure) and ``USER_ERRORS`` are
looked up on first use, so that importing this module does not import pydantic: commands
that only list things answer at once.
"""

from typing import Any


class InputError(ValueError):
    """Bad input from a file or the command line: the message names the file, the key,
    what was expected and what was found."""


class RunFailed(RuntimeError):
    """A run that raised or produced a non-finite outcome; carries its parameters and seed."""

    def __init__(self, message: str, params: dict | None = None, seed: int | None = None):
        super().__init__(message)
        self.params = params
        self.seed = seed


def __getattr__(name: str) -> Any:
    # ParameterError and USER_ERRORS = (InputError, ParameterError, RunFailed), on first use
    if name in ("ParameterError", "USER_ERRORS"):
        from simulation.params import ParameterError

        globals().update(ParameterError=ParameterError,
                         USER_ERRORS=(InputError, ParameterError, RunFailed))
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
