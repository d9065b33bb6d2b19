"""The list as a lossless model: parse ⇄ render, byte for byte (``plmcite.listfmt``).

Kept so that ``from plmcite.listfile import parse`` goes on working; the code lives in the
``plmcite.listfmt`` package, one module per dialect.
"""

from .listfmt import *  # noqa: F401,F403
from .listfmt import __all__  # noqa: F401
