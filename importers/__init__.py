"""Package readers and validation for SCORM 1.2, SCORM 2004, cmi5 and xAPI packages.

A pure library (standard library, lxml, xmlschema): plain data in, plain data out.
"""

__all__: list[str] = []
