"""Text for the text-to-image GAN: sentence encoders, cached caption embeddings, data sets with
captions (Oxford 102 flowers, and MNIST / Fashion-MNIST with captions composed from measured
attributes), fixed sample captions and generation from captions.

Importing this package is cheap: torch and transformers are imported where they are used.
"""
