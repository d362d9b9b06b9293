"""A bounded CSS selector matcher over a lexbor tree, for the hiding rules of a page's ``<style>`` blocks.

lexbor matches a selector with descendant combinators by backtracking: ``p div div div a`` over 500 nested
``<div>`` takes seconds, once per rule, and a page may have thousands of rules. Here a selector is split into
its compound selectors (``div.nav``, ``a[href]``…), each of which lexbor matches in one linear walk of the
tree (no combinator, so no backtracking; cached per page: the same compounds come back rule after rule), and
the combinators are applied in Python from left to right, walking up to parents and back to previous siblings
with memoisation: each element is visited at most once per combinator, so a selector costs
O(elements × compounds) whatever the nesting.

All of that is paid from one work budget per page (``WORK_BUDGET``): when it runs out the matcher raises
``WorkBudgetError`` and the caller counts the rules it could not match, so that a hostile page cannot hide a
link behind rules the probe never looked at.

Supported: type and universal selectors, ``#id``, ``.class``, attribute selectors (``[a]``, ``[a=v]``,
``[a~=v]``…, as lexbor reads them), compound selectors, the combinators `` ``, ``>``, ``+`` and ``~``.
Pseudo-classes are the caller's business (it strips ``:hover`` and the like before asking).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from selectolax.lexbor import LexborHTMLParser, LexborNode

#: Work one page may cost, in lexbor element visits (one lexbor search of the whole tree costs one visit per
#: element). At most about 0.6 s on the shared 2-vCPU VM; an ordinary page with a few hundred rules uses a few %.
WORK_BUDGET = 80_000_000
#: A step walked in Python (to a parent or a previous sibling, a memo look-up) costs about as much as this many
#: lexbor visits (~1.5 µs against ~7 ns), and an element lexbor hands back to Python (a node object) this many.
PYTHON_VISIT = 200
PYTHON_NODE = 20
#: Descendants are searched downwards from the ancestors (one lexbor search of each one's subtree) when there are
#: at most this many ancestors: ``.nav a`` searches the one ``.nav``, rather than look up from every link.
_DOWNWARD_MAX = 8

#: One compound selector: an optional type or ``*``, then ids, classes and attribute selectors. Attribute values
#: may be quoted; anything else (escapes, namespaces, pseudo-classes) is not supported.
_COMPOUND = re.compile(
    r"(?:\*|[a-zA-Z_][\w-]*)?"
    r"(?:[#.][\w-]+|\[\s*[\w-]+\s*(?:[~|^$*]?=\s*(?:\"[^\"]*\"|'[^']*'|[\w-]+)\s*(?:[iIsS]\s*)?)?\])*"
)
_COMBINATOR = re.compile(r"\s*([>+~])\s*|\s+")


class WorkBudgetError(Exception):
    """The page's work budget ran out before the selector was matched."""


class UnsupportedSelectorError(ValueError):
    """The selector is outside the supported subset (or lexbor rejects one of its compounds)."""


def split_selector(selector: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(compounds, combinators) of ``selector``, left to right: ``"ul.nav > li a"`` →
    ``(("ul.nav", "li", "a"), (">", " "))``. Raises ``UnsupportedSelectorError`` outside the supported subset."""
    compounds: list[str] = []
    combinators: list[str] = []
    text = selector.strip()
    position = 0
    while True:
        match = _COMPOUND.match(text, position)
        if match is None or match.end() == position:
            raise UnsupportedSelectorError(selector)
        compounds.append(match.group(0))
        position = match.end()
        if position == len(text):
            return tuple(compounds), tuple(combinators)
        joint = _COMBINATOR.match(text, position)
        if joint is None:
            raise UnsupportedSelectorError(selector)
        combinators.append(joint.group(1) or " ")
        position = joint.end()


class SelectorMatcher:
    """Matches selectors over one parsed page within the page's work budget (``WORK_BUDGET``)."""

    def __init__(self, tree: LexborHTMLParser, html: str, budget: int | None = None) -> None:
        """``html``: the markup ``tree`` was parsed from (its attributes are counted from it)."""
        self._tree = tree
        self._html = html
        self._left = WORK_BUDGET if budget is None else budget
        self._elements = -1  # elements of the page (counted on first use)
        self._attributes = -1  # an upper bound of the page's attributes (counted on first use)
        self._by_id: dict[int, LexborNode] = {}  # every element met so far, by mem_id
        # mem_id → its parent element's / previous element sibling's mem_id (None: none), looked up on first use
        self._parent: dict[int, int | None] = {}
        self._previous: dict[int, int | None] = {}
        self._compounds: dict[str, frozenset[int]] = {}
        self._prefixes: dict[tuple[str, ...], frozenset[int]] = {}  # compounds and combinators, interleaved

    def match(self, selector: str) -> list[LexborNode]:
        """The elements ``selector`` matches (in no particular order). Raises ``UnsupportedSelectorError`` or
        ``WorkBudgetError``."""
        compounds, combinators = split_selector(selector)
        return [self._by_id[mem_id] for mem_id in self._match(compounds, combinators)]

    def _match(self, compounds: tuple[str, ...], combinators: tuple[str, ...]) -> frozenset[int]:
        key: tuple[str, ...] = (compounds[0],)
        matched = self._compound(compounds[0])
        for combinator, compound in zip(combinators, compounds[1:], strict=True):
            key += (combinator, compound)
            known = self._prefixes.get(key)
            if known is None:
                known = self._prefixes[key] = self._combine(matched, combinator, compound) if matched else frozenset()
            matched = known
        return matched

    def _compound(self, compound: str) -> frozenset[int]:
        """mem_ids of the elements matching one compound selector (one linear lexbor search, cached)."""
        known = self._compounds.get(compound)
        if known is not None:
            return known
        self._spend(self._search_cost(compound))
        try:
            nodes = self._tree.css(compound)
        except Exception as exc:  # lexbor rejects what it cannot parse
            raise UnsupportedSelectorError(compound) from exc
        self._spend(len(nodes) * PYTHON_NODE)
        ids = [node.mem_id for node in nodes]
        self._by_id.update(zip(ids, nodes, strict=True))
        found = self._compounds[compound] = frozenset(ids)
        return found

    def _search_cost(self, compound: str) -> int:
        """What one lexbor search of the page for ``compound`` costs: a visit per element, and for an attribute
        selector one per attribute too (lexbor reads an element's attributes one by one)."""
        if self._elements < 0:
            self._elements = len(self._tree.css("*"))
        if "[" not in compound:
            return self._elements + 1
        if self._attributes < 0:
            # Every attribute follows a separator of the tag's attributes: a space character or "/".
            self._attributes = sum(self._html.count(separator) for separator in " \n\t\r\f/")
        return self._elements + self._attributes + 1

    def _up(self, mem_id: int) -> int | None:
        """The parent element of an element met so far."""
        if mem_id in self._parent:
            return self._parent[mem_id]
        parent = self._by_id[mem_id].parent
        found = None
        if parent is not None and parent.is_element_node:
            found = parent.mem_id
            self._by_id[found] = parent
        self._parent[mem_id] = found
        return found

    def _back(self, mem_id: int) -> int | None:
        """The previous element sibling of an element met so far (text and comments skipped)."""
        if mem_id in self._previous:
            return self._previous[mem_id]
        sibling = self._by_id[mem_id].prev
        steps = 0
        while sibling is not None and not sibling.is_element_node:
            sibling = sibling.prev
            steps += 1
        self._spend(steps * PYTHON_VISIT)
        found = None
        if sibling is not None:
            found = sibling.mem_id
            self._by_id[found] = sibling
        self._previous[mem_id] = found
        return found

    def _descendants(self, left: frozenset[int], compound: str) -> frozenset[int]:
        """The elements matching ``compound`` inside an element of ``left``: one lexbor search of the subtree of each
        outermost element of ``left`` (those inside another are searched with it). The subtrees searched are
        disjoint: together one search of the page at most."""
        self._spend(self._search_cost(compound))
        found: set[int] = set()
        by_id = self._by_id
        for mem_id in left - self._reaching(left, left, self._up):
            nodes = by_id[mem_id].css(compound)
            self._spend(len(nodes) * PYTHON_NODE + 1)
            for node in nodes:
                inner = node.mem_id
                if inner != mem_id:  # lexbor's subtree search includes the element itself
                    by_id[inner] = node
                    found.add(inner)
        return frozenset(found)

    def _combine(self, left: frozenset[int], combinator: str, compound: str) -> frozenset[int]:
        """The elements matching ``compound`` standing in ``combinator``'s relation to an element of ``left``. The
        descendants of a few elements are searched downwards, by lexbor; otherwise each candidate looks up."""
        if combinator == " " and len(left) <= _DOWNWARD_MAX:
            return self._descendants(left, compound)
        candidates = self._compound(compound)
        link = self._up if combinator in (" ", ">") else self._back
        if combinator in (">", "+"):
            self._spend(len(candidates) * PYTHON_VISIT)
            return frozenset(mem_id for mem_id in candidates if link(mem_id) in left)
        return self._reaching(candidates, left, link)

    def _reaching(self, candidates: frozenset[int], left: frozenset[int],
                  link: Callable[[int], int | None]) -> frozenset[int]:
        """The ``candidates`` from which following ``link`` (to the parent or the previous sibling) one or more times
        reaches an element of ``left``. Every element walked through gets the answer of the walk, so none is walked
        twice."""
        reaches: dict[int, bool] = {}
        found: list[int] = []
        for mem_id in candidates:
            walked: list[int] = []
            current = link(mem_id)
            answer = False
            while current is not None:
                known = reaches.get(current)
                if known is not None:
                    answer = known
                    break
                if current in left:
                    answer = True
                    break
                walked.append(current)
                current = link(current)
            self._spend((len(walked) + 1) * PYTHON_VISIT)
            for step in walked:
                reaches[step] = answer
            if answer:
                found.append(mem_id)
        return frozenset(found)

    def _spend(self, work: int) -> None:
        self._left -= work
        if self._left < 0:
            raise WorkBudgetError
