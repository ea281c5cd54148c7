"""``text_dataset_from_directory``: a labelled text dataset from a folder per class."""

from __future__ import annotations

from typing import Any

import numpy as np

from cornu.utils import dataset_utils
from cornu.utils.batched_dataset import BatchedDataset


def text_dataset_from_directory(directory: str, labels: Any = "inferred",
                                label_mode: str | None = "int", class_names: Any = None,
                                batch_size: int | None = 32, max_length: int | None = None,
                                shuffle: bool = True, seed: int | None = None,
                                validation_split: float | None = None,
                                subset: str | None = None, follow_links: bool = False,
                                verbose: bool = True) -> Any:
    """Loads the ``.txt`` files of ``directory`` (one sub-folder per class) as a dataset.

    Arguments as ``image_dataset_from_directory``; ``max_length`` truncates each text to
    that many characters. Batches are ``(texts, labels)`` with ``texts`` a NumPy array of
    Python strings, ready for ``TextVectorization``.

    Example:
        >>> train = text_dataset_from_directory("aclImdb/train", batch_size=64,
        ...                                     validation_split=0.2, subset="training",
        ...                                     seed=42)
    """
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple, np.ndarray)):
        raise ValueError(f'`labels` must be "inferred", None, or a list/tuple of labels. '
                         f"Received: labels={labels!r}")
    if labels is None:
        label_mode = None
    dataset_utils.check_split_arguments(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = int(np.random.randint(1e6))
    paths, ids, class_names = dataset_utils.index_directory(
        directory, labels, (".txt",), class_names, shuffle, seed, follow_links, verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 '
                         f"classes. Found the following classes: {class_names}")

    def make(subset_name: str | None) -> BatchedDataset:
        files, targets = dataset_utils.split_files(paths, ids, validation_split, subset_name,
                                                   verbose)

        def load(index: np.ndarray) -> np.ndarray:
            texts = np.empty(len(index), dtype=object)
            for j, i in enumerate(index):
                with open(files[i], encoding="utf-8", errors="replace") as f:
                    text = f.read()
                texts[j] = text[:max_length] if max_length is not None else text
            return texts

        encoded = dataset_utils.encode_labels(targets, label_mode, len(class_names))
        dataset = BatchedDataset(len(files), load, encoded, batch_size, shuffle=shuffle,
                                 seed=seed)
        dataset.class_names = class_names
        dataset.file_paths = list(files)
        return dataset

    if subset == "both":
        return make("training"), make("validation")
    return make(subset)
