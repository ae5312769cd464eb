"""SCORM run-time environment: CMI data models, the API state machine and sequencing.

A pure library (standard library only): plain data in, plain data out.
"""

__all__: list[str] = []
