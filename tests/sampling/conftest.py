"""The captioned-data fixtures (tests/captioned_fixtures.py) for the tests of this folder."""

from tests.captioned_fixtures import counting_encoder, flowers_root, private_cache  # noqa: F401
