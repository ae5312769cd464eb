"""Compatibility settings: how far the runtime bends for real-world content.

Lenient by default where the field expects it (in the spirit of Rustici's package
properties); :meth:`CompatibilitySettings.strict_mode` follows the books to the letter.
Whatever is accepted beyond the book is reported as a :class:`Deviation`, never
silently truncated.
"""

from dataclasses import asdict, dataclass, fields

from . import vocab as v


@dataclass(frozen=True)
class CompatibilitySettings:
    """Per-course runtime tolerances.

    Attributes:
        strict: follow the books exactly: no tolerated formats, no values beyond the
            smallest permitted maximum (SPM).
        suspend_data_limit_12: SCORM 1.2 ``cmi.suspend_data`` limit when lenient
            (Articulate Rise/Storyline overflow the book's 4,096 characters).
        string_limit_2004: SCORM 2004 characterstrings and identifiers may exceed
            their SPM up to this length when lenient.
        collection_limit: collections may exceed their SPM up to this many entries
            when lenient.
        tolerate_formats: accept the known authoring-tool formats (interaction
            responses, 1.2 identifiers with spaces, 1.2 result "incorrect").
        scores_as_points_12: SCORM 1.2 scores outside 0..100 (raw points out of a
            maximum, as some authoring tools report them) are accepted, each one
            logged; off by default: the book's scores are normalized to 0..100.
        missing_finish: what happens to a session that never called Terminate /
            LMSFinish: ``finish`` (as if called), ``suspend`` (as if it exited with
            suspend, so the learner resumes) or ``abandon`` (session time and status
            processing discarded, data kept).
        autocommit_seconds: the browser adapter's autocommit interval (0 disables).
    """

    strict: bool = False
    suspend_data_limit_12: int = 64000
    string_limit_2004: int = 64000
    collection_limit: int = 1000
    tolerate_formats: bool = True
    scores_as_points_12: bool = False
    missing_finish: str = v.MISSING_FINISH_SUSPEND
    autocommit_seconds: int = 60

    def __post_init__(self) -> None:
        """Validate the missing-finish policy."""
        if self.missing_finish not in v.MISSING_FINISH_POLICIES:
            raise ValueError(f"unknown missing_finish {self.missing_finish!r}")

    @classmethod
    def strict_mode(cls) -> "CompatibilitySettings":
        """Settings that follow the books to the letter."""
        return cls(
            strict=True,
            tolerate_formats=False,
            missing_finish=v.MISSING_FINISH_FINISH,
        )

    def to_dict(self) -> dict:
        """The settings as a JSON-serializable dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "CompatibilitySettings":
        """Build settings from :meth:`to_dict` output; unknown keys are ignored."""
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})


@dataclass(frozen=True)
class Deviation:
    """One accepted departure from the book, to be logged per registration.

    Attributes:
        kind: a ``vocab.DEV_*`` value, e.g. ``spm-exceeded`` or
            ``tolerated-format:interaction``.
        element: the data model element concerned (empty for session-level events).
        detail: what happened, for a human reader.
    """

    kind: str
    element: str
    detail: str

    def to_dict(self) -> dict:
        """The deviation as a JSON-serializable dict."""
        return asdict(self)
