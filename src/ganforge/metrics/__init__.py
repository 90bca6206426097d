"""Sample-quality metrics: evaluator networks, their features, one file per metric (FD, KID,
classifier score, coverage, precision/recall, stacked-MNIST modes), the evaluation of a run
or of an .npz of samples, and the in-training evaluation observer.

Nothing is imported here, so `import ganforge.metrics.<module>` stays cheap.
"""
