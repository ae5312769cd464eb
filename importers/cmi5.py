"""cmi5 course structures (cmi5 "Quartz" specification, §13 and §14).

https://github.com/AICC/CMI-5_Spec_Current/blob/quartz/cmi5_spec.md — a zip
with ``cmi5.xml`` at its root, or the XML alone when every AU URL is
absolute (§14.2). Schema violations always reject (§13.2).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from importers._manifest import file_part, is_external, is_unsafe
from importers._xml import attr, child, children, local, text
from importers.base import Importer, ParseContext
from importers.model import (
    Cmi5Au,
    Cmi5Block,
    Cmi5Course,
    Cmi5Objective,
    LaunchTarget,
    Package,
)
from importers.source import PackageSource
from importers.xsd import validate

COURSE_FILE = "cmi5.xml"
CMI5_NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
#: Names the LMS adds to the launch URL (cmi5 §8.1); an AU URL may not use them.
LAUNCH_PARAMETERS = frozenset(
    {"endpoint", "fetch", "actor", "registration", "activityId"}
)


def langstring(element: etree._Element | None) -> str:
    """The text of a title/description: English if present, else the first."""
    strings = children(element, "langstring")
    for node in strings:
        if (attr(node, "lang") or "").lower().startswith("en"):
            return text(node)
    return text(strings[0]) if strings else ""


def _absolute_iri(value: str | None) -> bool:
    return bool(value) and bool(urlsplit(value or "").scheme)


class _Reader:
    """Walks one course structure, checking ids and AU URLs as it goes."""

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.seen: set[str] = set()
        self.objective_ids: set[str] = set()

    def identifier(self, node: etree._Element, kind: str) -> str:
        value = attr(node, "id") or ""
        if not _absolute_iri(value):
            # cmi5 §13.1.1-13.1.4: course, block, AU and objective ids are IRIs; IRIs
            # used by cmi5 are absolute (requirement 3.0.0.0-1).
            self.ctx.error(
                "invalid_id", f"{kind} id {value!r} is not an absolute IRI", node
            )
        if value in self.seen:
            self.ctx.error(
                "duplicate_identifier", f"{kind} id {value!r} is used twice", node
            )
        self.seen.add(value)
        return value

    def references(self, node: etree._Element) -> tuple[str, ...]:
        refs = tuple(
            attr(ref, "idref") or ""
            for ref in children(child(node, "objectives"), "objective")
        )
        for ref in refs:
            if ref not in self.objective_ids:
                self.ctx.lenient(
                    "unknown_objective",
                    f"objective reference {ref!r} names no course objective",
                    node,
                )
        return refs

    def children_of(self, node: etree._Element) -> tuple[Cmi5Au | Cmi5Block, ...]:
        found: list[Cmi5Au | Cmi5Block] = []
        for member in node.iterchildren(etree.Element):
            if local(member) == "au":
                found.append(self.au(member))
            elif local(member) == "block":
                found.append(self.block(member))
        return tuple(found)

    def block(self, node: etree._Element) -> Cmi5Block:
        return Cmi5Block(
            id=self.identifier(node, "block"),
            title=langstring(child(node, "title")),
            description=langstring(child(node, "description")),
            objectives=self.references(node),
            children=self.children_of(node),
        )

    def au(self, node: etree._Element) -> Cmi5Au:
        url = text(child(node, "url"))
        self.check_url(url, node)
        mastery = attr(node, "masteryScore")
        return Cmi5Au(
            id=self.identifier(node, "AU"),
            title=langstring(child(node, "title")),
            url=url,
            description=langstring(child(node, "description")),
            launch_method=attr(node, "launchMethod") or "AnyWindow",
            move_on=attr(node, "moveOn") or "NotApplicable",
            mastery_score=_decimal(mastery),
            activity_type=attr(node, "activityType"),
            launch_parameters=text(child(node, "launchParameters")) or None,
            entitlement_key=text(child(node, "entitlementKey")) or None,
            objectives=self.references(node),
        )

    def check_url(self, url: str, node: etree._Element) -> None:
        """AU URL rules of cmi5 §13.1.4 (url), §8.1 and §14.1/§14.2."""
        if not url or any(ch.isspace() for ch in url) or is_unsafe(url):
            self.ctx.error("invalid_url", f"AU url {url!r} is not a valid URL", node)
            return
        clashing = sorted(
            {name for name, _ in parse_qsl(urlsplit(url).query)} & LAUNCH_PARAMETERS
        )
        if clashing:
            self.ctx.error(
                "invalid_url",
                f"AU url {url!r} uses the launch parameter name(s) "
                f"{', '.join(clashing)}, which the LMS adds itself",
                node,
            )
        if is_external(url):
            return
        if self.ctx.source.standalone:
            self.ctx.error(
                "relative_url",
                f"AU url {url!r} is relative, but a course structure imported "
                "without a zip needs absolute URLs",
                node,
            )
        elif not self.ctx.source.has(file_part(url)):
            self.ctx.error(
                "missing_launch_file",
                f"AU url {url!r} names {file_part(url)!r}, which is not in the package",
                node,
            )


def _decimal(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class Cmi5Importer(Importer):
    """Reads cmi5 course structures, zipped or alone."""

    format_id = "cmi5"
    label = "cmi5"

    def detect(self, source: PackageSource) -> bool:
        """A ``cmi5.xml`` at the package root."""
        return COURSE_FILE in source.names

    def parse(self, ctx: ParseContext) -> Package | None:
        """Validate and read the course structure."""
        ctx.file = COURSE_FILE
        ctx.report.standard, ctx.report.edition = self.format_id, "1.0 (Quartz)"
        root = ctx.source.xml(COURSE_FILE)
        if ctx.source.root:
            # cmi5 §14.1 (cmi5_14_1_1): cmi5.xml MUST be at the zip's root.
            ctx.lenient(
                "not_at_root",
                f"cmi5.xml is in the folder {ctx.source.root!r}; cmi5 requires it "
                "at the root of the zip",
            )
        for issue in validate(root, "cmi5"):
            ctx.report.error(
                "schema",
                issue.message,
                file=ctx.path(),
                line=issue.line,
                column=issue.column,
            )
        if local(root) != "courseStructure":
            ctx.error("not_cmi5", "cmi5.xml does not hold a <courseStructure>", root)
            return None
        reader = _Reader(ctx)
        course = self._course(reader, root)
        ctx.report.title = course.title
        targets = tuple(
            LaunchTarget(au.id, au.title, au.url, "au") for au in course.aus()
        )
        if not targets:
            ctx.error("nothing_to_launch", "the course structure has no AU", root)
        return Package(
            standard=self.format_id,
            edition="1.0 (Quartz)",
            identifier=course.id,
            title=course.title,
            root=ctx.source.root,
            course=course,
            launch_targets=targets,
        )

    def _course(self, reader: _Reader, root: etree._Element) -> Cmi5Course:
        course_el = child(root, "course")
        objectives = tuple(
            Cmi5Objective(
                id=reader.identifier(node, "objective"),
                title=langstring(child(node, "title")),
                description=langstring(child(node, "description")),
            )
            for node in children(child(root, "objectives"), "objective")
        )
        reader.objective_ids = {objective.id for objective in objectives}
        course_id = (
            reader.identifier(course_el, "course") if course_el is not None else ""
        )
        return Cmi5Course(
            id=course_id,
            title=langstring(child(course_el, "title")) or course_id,
            description=langstring(child(course_el, "description")),
            objectives=objectives,
            children=reader.children_of(root),
        )
