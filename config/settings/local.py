"""Embedded default for development and `make run`: everything under var/, no servers needed."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
