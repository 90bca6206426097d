"""Data sets with captions: MNIST and Fashion-MNIST with captions composed from measured
attributes, Oxford 102 flowers, and the built-in synthetic flowers (see sets.py)."""
