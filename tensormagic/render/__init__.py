"""Text and HTML from model objects. Nothing here records, traces or touches IPython."""

from .annotation import Annotation, NonTensor, Overview
from .common import format_bytes, format_number, format_shape

__all__ = ["Annotation", "NonTensor", "Overview", "format_bytes", "format_number", "format_shape"]
