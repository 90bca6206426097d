"""synthetic-flowers: a procedural stand-in for Oxford 102 in its layout, made for text to
image (every caption is true of its image, every attribute it states can be measured)."""
