"""Sampling one InfoGAN code: `generate(..., code=K)` and `ganforge sample --code K`."""

import pytest
import torch

from ganforge.errors import ConfigError
from ganforge.models.dcgan28 import code_of
from ganforge.sampling.generator import with_code


def test_with_code_moves_the_largest_code_entry_into_place():
    z = torch.randn(50, 100, generator=torch.Generator().manual_seed(0))
    for code in (0, 4, 9):
        moved = with_code(z, 10, code)
        assert (code_of(moved, 10) == code).all()
        assert torch.equal(moved[:, 10:], z[:, 10:])  # the rest of the noise as it was
        assert torch.equal(moved.sort(dim=1).values, z.sort(dim=1).values)  # a permutation
    assert code_of(z, 10).unique().numel() > 1  # the input itself was not touched


@pytest.mark.parametrize(("codes", "code", "fragment"), [
    (0, 1, "needs a generator trained with an InfoGAN code"), (10, 10, "in 0..9"),
    (10, -1, "in 0..9")])
def test_bad_codes_are_one_line_config_errors(codes, code, fragment):
    with pytest.raises(ConfigError, match=fragment):
        with_code(torch.zeros(2, 100), codes, code)
