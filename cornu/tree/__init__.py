"""``cornu.tree``: nested structures of lists, tuples and dicts, as ``keras.tree``."""

from cornu.core.tree import flatten, is_nested, map_structure, pack_sequence_as

__all__ = ["flatten", "is_nested", "map_structure", "pack_sequence_as"]
