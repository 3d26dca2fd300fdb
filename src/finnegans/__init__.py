"""Finnegans: a self-hostable WhatsApp chatbot platform."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("finnegans")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"
