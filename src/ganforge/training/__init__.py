"""Training: the trainer (an update schedule of D and G steps), the objectives (what a batch
compares, given its condition), the epoch loop, its state, and the assembly of a run."""
