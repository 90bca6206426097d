"""The run folder and its checkpoints: file names spelled once, checkpoints as plain data
(safetensors + JSON), and the checks a checkpoint passes before anything is built from it."""
