"""A compact tree of what a package delivers, for the validation report."""

from __future__ import annotations

from dataclasses import dataclass

from importers._serial import Serializable
from importers.model import Cmi5Au, Cmi5Block, Item, Package


@dataclass(frozen=True)
class OutlineNode(Serializable):
    """One node of the outline.

    ``kind`` is ``sco``, ``asset``, ``folder`` (an item that only groups),
    ``au``, ``block`` or ``activity``; ``url`` is set on launchable nodes.
    """

    identifier: str
    title: str
    kind: str
    url: str | None = None
    children: tuple[OutlineNode, ...] = ()


def _item(item: Item) -> OutlineNode:
    kind = (item.scorm_type or "asset") if item.launch_url else "folder"
    return OutlineNode(
        item.identifier,
        item.title,
        kind,
        item.launch_url,
        tuple(_item(child) for child in item.children),
    )


def _cmi5(node: Cmi5Au | Cmi5Block) -> OutlineNode:
    if isinstance(node, Cmi5Au):
        return OutlineNode(node.id, node.title, "au", node.url)
    return OutlineNode(
        node.id, node.title, "block", None, tuple(_cmi5(c) for c in node.children)
    )


def outline(package: Package) -> tuple[OutlineNode, ...]:
    """The delivered structure: default organization, course or activities."""
    if package.course is not None:
        return tuple(_cmi5(node) for node in package.course.children)
    if package.activities:
        return tuple(
            OutlineNode(a.id, a.name or a.id, "activity", a.launch)
            for a in package.activities
        )
    for org in package.organizations:
        if org.identifier == package.default_organization:
            return tuple(_item(item) for item in org.items)
    return ()
