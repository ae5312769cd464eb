"""xAPI packages described by ``tincan.xml`` (Rustici "Tin Can" launch format).

https://github.com/RusticiSoftware/launch/blob/master/lms_lrs.md — the
package lists activities; the ones with ``<launch>`` are opened by the LMS,
which appends endpoint, auth, actor and registration to the URL.
"""

from __future__ import annotations

from lxml import etree

from importers._manifest import file_part, is_external, is_unsafe
from importers._xml import attr, child, children, local, text
from importers.base import Importer, ParseContext
from importers.model import LaunchTarget, Package, XapiActivity
from importers.source import PackageSource

TINCAN_FILE = "tincan.xml"


def _activity(ctx: ParseContext, node: etree._Element) -> XapiActivity:
    identifier = attr(node, "id") or ""
    if not identifier:
        ctx.error("missing_identifier", "an <activity> has no id", node)
    launch_el = child(node, "launch")
    launch = text(launch_el) or None
    if launch and is_unsafe(launch):
        ctx.error(
            "unsafe_url",
            f"activity {identifier!r} launch {launch!r} is not a package file nor "
            "an http(s) URL",
            node,
        )
    elif launch and not is_external(launch) and not ctx.source.has(file_part(launch)):
        ctx.error(
            "missing_launch_file",
            f"activity {identifier!r} launches {file_part(launch)!r}, which is not "
            "in the package",
            node,
        )
    return XapiActivity(
        id=identifier,
        type=attr(node, "type"),
        name=text(child(node, "name")),
        description=text(child(node, "description")),
        launch=launch,
        launch_lang=attr(launch_el, "lang") if launch_el is not None else None,
    )


class XapiImporter(Importer):
    """Reads xAPI (Tin Can) packages."""

    format_id = "xapi"
    label = "xAPI (tincan.xml)"

    def detect(self, source: PackageSource) -> bool:
        """A ``tincan.xml`` at the package root."""
        return TINCAN_FILE in source.names

    def parse(self, ctx: ParseContext) -> Package | None:
        """Read the activities and check the launch files."""
        ctx.file = TINCAN_FILE
        ctx.report.standard, ctx.report.edition = self.format_id, "tincan.xml"
        root = ctx.source.xml(TINCAN_FILE)
        if local(root) != "tincan":
            ctx.error("not_tincan", "tincan.xml does not hold a <tincan> element", root)
            return None
        activities = tuple(
            _activity(ctx, node)
            for node in children(child(root, "activities"), "activity")
        )
        targets = tuple(
            LaunchTarget(a.id, a.name or a.id, a.launch, "activity")
            for a in activities
            if a.launch
        )
        if not targets:
            ctx.error(
                "nothing_to_launch", "tincan.xml has no activity with a <launch>", root
            )
        title = targets[0].title if targets else ""
        ctx.report.title = title
        return Package(
            standard=self.format_id,
            edition="tincan.xml",
            identifier=targets[0].identifier if targets else "",
            title=title,
            root=ctx.source.root,
            activities=activities,
            launch_targets=targets,
        )
