"""Backend-neutral building blocks: symbolic tensors, graph nodes, names, nested structures."""
