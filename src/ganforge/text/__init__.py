"""Sentence encoders for the text-to-image GAN and the on-disk cache of caption embeddings.

The data sets with captions live in ganforge.data.captioned; drawing images from captions in
ganforge.sampling.captions. Importing this package is cheap: torch and transformers are
imported where they are used.
"""
