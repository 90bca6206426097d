"""Drawing from a trained generator: rebuild G from a checkpoint's config alone
(generator.py), and draw from noise, classes or captions (captions.py)."""
