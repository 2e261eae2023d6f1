"""The one error type that bad input may raise out of the engine."""

from __future__ import annotations


class InputError(ValueError):
    """Input the engine refuses, with a stable machine-readable code.

    The HTTP layer turns it into a 4xx response, the CLI into a message on stderr.
    Nothing else is raised for bad input: any other exception is a defect.
    """

    def __init__(self, code: str, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def __repr__(self) -> str:
        return f"InputError({self.code!r}, {self.message!r})"
