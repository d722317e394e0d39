"""Transitional: the muscle vocabulary now lives in `hipcheck.muscle_vocabulary` (one module per job).

Kept only so that branches written against the old module merge cleanly; nothing in hipcheck imports it.
Delete it once no branch does.
"""

from hipcheck.muscle_vocabulary import *  # noqa: F403
from hipcheck.muscle_vocabulary import __all__ as __all__
