"""LTI 1.3 Advantage tool layer on pylti1p3.

Reaches storage only through the protocols it defines; never imports ``hub``.
"""

__all__: list[str] = []
