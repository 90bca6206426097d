"""ganforge visualisation: sample grids, PNG export, training GIFs and loss plots.

Importing this package is cheap: Pillow and matplotlib are imported inside the functions
that need them.
"""

from ganforge.viz.gif import make_gif, unreadable_image
from ganforge.viz.grid import (
    check_png_dir,
    grid_format,
    make_grid,
    save_grid,
    save_png_dir,
    to_uint8,
    upscale,
)
from ganforge.viz.plots import moving_average, plot_losses

__all__ = [
    "check_png_dir",
    "grid_format",
    "make_gif",
    "make_grid",
    "moving_average",
    "plot_losses",
    "save_grid",
    "save_png_dir",
    "to_uint8",
    "unreadable_image",
    "upscale",
]
