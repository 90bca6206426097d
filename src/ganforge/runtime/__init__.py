"""Where and how the math runs: the device, the precision of forward passes, CPU thread count
and faster CPU layers, and torch.distributed setup. Below training; knows no GAN."""
