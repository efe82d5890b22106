"""The register's errors: each names the field it is about and a message id to translate.

Services raise them with English message ids (marked with ``N_``) and their parameters; the
web pages translate them next to the field (``_(error.message, **error.params)``), the JSON
API answers problem details with ``code`` and ``field``. Money errors stay the core's
(:class:`core.wallets.MoneyError`): a shortfall is an ``InsufficientFunds``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FormErrors", "NotFound", "Problem", "RegisterError"]


class Problem(tuple[str, dict[str, Any]]):
    """A message id and its parameters (``Problem.of("Too long", limit=60)``)."""

    __slots__ = ()

    @classmethod
    def of(cls, message: str, **params: Any) -> Problem:
        """A problem with this message id and these parameters."""
        return cls((message, params))

    @property
    def message(self) -> str:
        """The English message id."""
        return self[0]

    @property
    def params(self) -> dict[str, Any]:
        """The values of the message's placeholders."""
        return self[1]


class RegisterError(ValueError):
    """A register rule was broken; ``field`` names the input, ``message`` is a message id."""

    code = "register_error"
    status = 409

    def __init__(self, field: str, message: str, **params: Any) -> None:
        super().__init__(f"{field}: {message % params if params else message}")
        self.field = field
        self.message = message
        self.params = params


class NotFound(RegisterError):
    """No such point of sale, article, order... on this instance (never another's)."""

    code = "not_found"
    status = 404


class FormErrors(RegisterError):
    """Several fields are wrong at once: ``errors`` maps each field to its problem."""

    code = "invalid_input"
    status = 422

    def __init__(self, errors: dict[str, Problem]) -> None:
        field, problem = next(iter(errors.items()))
        super().__init__(field, problem.message, **problem.params)
        self.errors = errors
