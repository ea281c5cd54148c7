"""The training loop: compile/fit/evaluate/predict, data adapters."""
