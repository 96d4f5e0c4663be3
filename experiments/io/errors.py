"""The project's input and run errors, turned by the command into one line and exit code 2."""

from simulation.params import ParameterError


class InputError(ValueError):
    """Bad input from a file or the command line: the message names the file, the key,
    what was expected and what was found."""


class RunFailed(RuntimeError):
    """A run that raised or produced a non-finite outcome; carries its parameters and seed."""

    def __init__(self, message: str, params: dict | None = None, seed: int | None = None):
        super().__init__(message)
        self.params = params
        self.seed = seed


USER_ERRORS = (InputError, ParameterError, RunFailed)
