"""``image_dataset_from_directory``: a labelled image dataset from a folder per class."""

from __future__ import annotations

from typing import Any

import numpy as np

from cornu import config
from cornu.utils import dataset_utils
from cornu.utils.batched_dataset import BatchedDataset

ALLOWED_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


def _load_images(paths: list, image_size: tuple, channels_mode: str, interpolation: str,
                 crop: bool, pad: bool, data_format: str) -> Any:
    from cornu import ops
    from cornu.utils.image_utils import img_to_array, load_img

    def load(index: np.ndarray) -> np.ndarray:
        images = []
        for i in index:
            array = img_to_array(load_img(paths[i], color_mode=channels_mode),
                                 data_format="channels_last")
            resized = ops.image.resize(array, image_size, interpolation=interpolation,
                                       crop_to_aspect_ratio=crop, pad_to_aspect_ratio=pad,
                                       data_format="channels_last")
            images.append(ops.convert_to_numpy(resized))
        batch = np.stack(images).astype("float32")
        return batch.transpose(0, 3, 1, 2) if data_format == "channels_first" else batch

    return load


def image_dataset_from_directory(directory: str, labels: Any = "inferred",
                                 label_mode: str | None = "int", class_names: Any = None,
                                 color_mode: str = "rgb", batch_size: int | None = 32,
                                 image_size: tuple = (256, 256), shuffle: bool = True,
                                 seed: int | None = None, validation_split: float | None = None,
                                 subset: str | None = None, interpolation: str = "bilinear",
                                 follow_links: bool = False, crop_to_aspect_ratio: bool = False,
                                 pad_to_aspect_ratio: bool = False,
                                 data_format: str | None = None, verbose: bool = True) -> Any:
    """Loads the images of ``directory`` (one sub-folder per class) as a batched dataset.

    ``directory/cat/1.jpg``, ``directory/dog/2.png`` ... give labels 0 (cat) and 1 (dog).
    Images (bmp, gif, jpeg, png) are decoded with Pillow and resized to ``image_size``.

    Args:
        labels: ``"inferred"`` (from the folders), ``None``, or a list with one label per
            file in sorted path order.
        label_mode: ``"int"`` (int32 ids), ``"categorical"`` (one-hot float32),
            ``"binary"`` (float32, shape ``(batch, 1)``) or ``None``.
        class_names: the class folders, in label order (default: sorted names).
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"`` (1, 3 or 4 channels).
        batch_size: images per batch (``None``: single images).
        image_size: ``(height, width)`` of the output images.
        shuffle, seed: shuffle the files (and each pass over the dataset).
        validation_split, subset: keep the ``"training"`` part, the ``"validation"`` part
            (the last ``validation_split`` of the shuffled files), or ``"both"``.

    Returns:
        A :class:`~cornu.utils.batched_dataset.BatchedDataset` yielding ``(images, labels)``
        (float32 images ``(batch, height, width, channels)``), with ``class_names``,
        ``file_paths`` and ``len()``; ``model.fit`` accepts it. With ``subset="both"``, a
        ``(training, validation)`` pair.

    Example:
        >>> train = image_dataset_from_directory("photos", validation_split=0.2,
        ...                                      subset="training", seed=1,
        ...                                      image_size=(64, 64))
        >>> train.class_names
        ['cat', 'dog']
    """
    channels = {"rgb": "rgb", "rgba": "rgba", "grayscale": "grayscale"}
    if color_mode not in channels:
        raise ValueError(f'`color_mode` must be "rgb", "rgba" or "grayscale". Received: '
                         f"color_mode={color_mode!r}")
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple, np.ndarray)):
        raise ValueError(f'`labels` must be "inferred", None, or a list/tuple of labels. '
                         f"Received: labels={labels!r}")
    if labels is None:
        label_mode = None
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can be "
                         "True.")
    image_size = tuple(int(s) for s in image_size)
    dataset_utils.check_split_arguments(validation_split, subset, shuffle, seed)
    data_format = config.standardize_data_format(data_format)
    if seed is None:
        seed = int(np.random.randint(1e6))
    paths, ids, class_names = dataset_utils.index_directory(
        directory, labels, ALLOWED_FORMATS, class_names, shuffle, seed, follow_links, verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 '
                         f"classes. Found the following classes: {class_names}")
    if not paths:
        raise ValueError(f"No images found in directory {directory}. Allowed formats: "
                         f"{ALLOWED_FORMATS}")

    def make(subset_name: str | None) -> BatchedDataset:
        files, targets = dataset_utils.split_files(paths, ids, validation_split, subset_name,
                                                   verbose)
        load = _load_images(files, image_size, channels[color_mode], interpolation,
                            crop_to_aspect_ratio, pad_to_aspect_ratio, data_format)
        encoded = dataset_utils.encode_labels(targets, label_mode, len(class_names))
        dataset = BatchedDataset(len(files), load, encoded, batch_size, shuffle=shuffle,
                                 seed=seed)
        dataset.class_names = class_names
        dataset.file_paths = list(files)
        return dataset

    if subset == "both":
        return make("training"), make("validation")
    return make(subset)
