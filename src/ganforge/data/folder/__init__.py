"""A folder (or zip/tar archive) of the user's images, with classes and captions, as a data
set: read (source.py), understood (conventions.py), prepared once into a cached array
(prepare.py) and loaded through the registry (load.py). docs/data.md says how to use it."""
