"""``cornu.models``: ``Model``, ``Sequential`` and (later) loading."""

from cornu.models.model import Model
from cornu.models.sequential import Sequential
from cornu.saving.serialization_lib import register_builtin

register_builtin(Model, Sequential, aliases={"Functional": Model})

__all__ = ["Model", "Sequential"]
