"""A stop in the middle of a run, as SIGTERM asks for one, for the resume tests."""

from ganforge.training.observers import Observer


class StopAt(Observer):
    """Asks the loop to stop (as SIGTERM does) once step `step` is recorded."""

    def __init__(self, step):
        self.step = step

    def on_records(self, loop, records):
        if records[-1]["step"] >= self.step:
            loop.stop_signal = "SIGTERM"
