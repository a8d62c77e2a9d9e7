"""The bundled demo shop (see README.md beside this file)."""

from .layout import DOMAIN, Layout
from .shop import DemoShop
from .style import Style

__all__ = ["DemoShop", "Layout", "DOMAIN", "Style"]
