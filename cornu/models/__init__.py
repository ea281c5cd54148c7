"""``cornu.models``: ``Model``, ``Sequential``, loading and cloning."""

from cornu.models.cloning import clone_model
from cornu.models.model import Model
from cornu.models.sequential import Sequential
from cornu.saving.saving_api import load_model, model_from_json, save_model
from cornu.saving.serialization_lib import register_builtin

register_builtin(Model, Sequential, aliases={"Functional": Model})

__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_json", "save_model"]
