"""One pass over a page's HTML (selectolax/lexbor) giving everything the content checks need.

``parse_page`` is pure: HTML text + URL in, a frozen ``ParsedPage`` out. It resolves which elements are
hidden by CSS (inline styles and the page's own ``<style>`` blocks, matched by ``cssmatch``), the colours in
effect (for "same colour as the background" links), the links with their anchor text, the scripts, the visible
text nodes and the DOM shape. External stylesheets are not fetched (a dark link hidden only through an external
stylesheet is missed — the cloaking and keyword checks still see it).

The work is bounded for hostile pages: markup nested too deep for lexbor's tree builder is cut first
(``_markup_cut``), and the ``<style>`` rules are matched within a work budget (``cssmatch.WORK_BUDGET``).
What either leaves out is ``ParsedPage.analysis_incomplete``, and the dark_links check then warns.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from urllib.parse import unquote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from edupulse.monitoring.probes import scoring
from edupulse.monitoring.probes.cssmatch import SelectorMatcher, UnsupportedSelectorError, WorkBudgetError

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u180e"
_ZERO_WIDTH_RE = re.compile(f"[{ZERO_WIDTH}]")
_DIGITS = re.compile(r"\d+")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_RULE = re.compile(r"([^{}@]+)\{([^{}]*)\}")
_SCRIPT_LINK = re.compile(r"""<a\b[^>]*?href\s*=\s*\\?["']?([^"'\s>\\]+)""", re.I)
_SCRIPT_WRITERS = ("document.write", "innerhtml", "insertadjacenthtml", "outerhtml", ".append(", ".html(")
_SCRIPT_ANCHOR_END = re.compile(r"<\\?/a\s*>", re.I)
_SCRIPT_STYLE = re.compile(r"""style\s*=\s*\\?["']([^"'\\]*)""", re.I)
_JS_MARKUP = re.compile(r"""<[^>]*>|\\[nrt]|\\|["']\s*\+\s*["']""")
_REFERRER_HIJACK = re.compile(r"document\.referrer", re.I)
#: What a referrer hijack does with the visitor: navigate away or rewrite the page. Branching on the referrer
#: only to log or count (``console.log``, analytics) is not a hijack.
_HIJACK_ACTION = re.compile(
    r"(?<![\w&?])location(?:\.href)?\s*=(?!=)|location\.(?:replace|assign)\s*\(|window\.open\s*\(|top\.location"
    # writing a link, frame, script or refresh (writing a counter's <img> is not a hijack)
    r"|(?:document\.write(?:ln)?\s*\(|\.innerhtml\s*=).{0,300}?(?:<a\s|<iframe|<script|http-equiv)", re.I | re.S)
#: Redirect targets written as string literals: ``location.href = "…"``, ``location.replace("…")``…
_SCRIPT_REDIRECT = re.compile(
    r"""(?<![\w&?])location(?:\.href)?\s*=\s*["']([^"']+)["']|location\.(?:replace|assign)\s*\(\s*["']([^"']+)["']""",
    re.I)
#: A script with any of these only redirects on some condition or event (a button's handler, a mobile check).
_CONDITIONAL = re.compile(r"\b(?:function|if|else|switch|case|catch)\b|=>|\?[^'\"]*:|addEventListener|\.on[a-z]+\s*=", re.I)
_META_REFRESH = re.compile(r"""^\s*[\d.]*\s*[;,]\s*(?:url\s*=\s*)?["']?([^"'\s]+)""", re.I)
#: Pseudo-classes whose rules show an element on interaction (drop-down menus): stripped to find the element.
_INTERACTIVE_PSEUDO = re.compile(r":(?:hover|focus-within|focus-visible|focus|active)\b", re.I)
_COMBINATORS = re.compile(r"\s*[>+~]\s*|\s+")
_CLIP_RECT = re.compile(r"rect\(\s*([^)]*)\)")
#: Elements whose attributes matter, in one lexbor pass: <font color>, bgcolor, the hidden attribute, width/height
#: attributes of at most 1 pixel (``<marquee width="1" height="1">``) and frames.
_ATTRIBUTE_NODES = ("font[color],[bgcolor],[background],[hidden],[width='0'],[width='1'],[height='0'],[height='1'],"
                    "iframe[src],frame[src]")
_SPACERS = frozenset({"img", "td", "th", "tr", "col", "hr", "input"})  # tiny spacer images/cells hold no links
#: Search engines a hijack script names (not a bare "360": it is in counter ids and phone numbers).
_SPIDER_NAMES = re.compile(r"baidu|sogou|so\.com|sm\.cn|google|bing|360\.cn|haosou", re.I)
#: ``String.fromCharCode(60,97,…)``: the usual way to hide a written link from a plain-text search.
_FROM_CHAR_CODE = re.compile(r"String\.fromCharCode\(\s*([\d\s,]+)\)")
_JS_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")
_TAG_TOKEN = re.compile(r"<(/?[a-zA-Z][a-zA-Z0-9-]*)")
#: An element holding only text (``<a href=…>新闻</a>``): it adds nothing to the depth of what follows.
_LEAF = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)[^<>]*>[^<]*</\1\s*>")
#: Bounds of the markup lexbor is given (``_markup_cut``): nesting depth (lexbor's cost grows with its square:
#: ~0.1 s at 10,000) and formatting elements re-created by the tree builder (~0.3 s for 500,000). Pages of at
#: most ``_SMALL_PAGE_TAGS`` tags are within both.
_MAX_DEPTH = 10_000
_MAX_REBUILT = 500_000
_SMALL_PAGE_TAGS = 1_000
#: The formatting elements of the HTML tree builder that stay open across blocks (``<a>`` and ``<nobr>`` close the
#: open one of their kind), void elements, and elements a repeated start tag closes.
_FORMATTING = frozenset({"b", "big", "code", "em", "font", "i", "s", "small", "strike", "strong", "tt", "u"})
_VOID = frozenset({"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
                   "keygen", "link", "meta", "param", "source", "track", "wbr"})
_IMPLIED_END = frozenset({"p", "li", "dt", "dd", "option", "tr", "td", "th"})
_LENGTH = re.compile(r"^(-?\d+(?:\.\d+)?)(px|em|rem|pt|%)?$")
_NAMED_COLOURS = {
    "white": "#ffffff",
    "black": "#000000",
    "red": "#ff0000",
    "green": "#008000",
    "blue": "#0000ff",
    "yellow": "#ffff00",
    "gray": "#808080",
    "grey": "#808080",
    "silver": "#c0c0c0",
}
_HIDING_PROPERTIES = {
    "display",
    "visibility",
    "position",
    "left",
    "top",
    "right",
    "text-indent",
    "margin-left",
    "margin-top",
    "font-size",
    "width",
    "height",
    "overflow",
    "opacity",
    "color",
    "background",
    "background-color",
    "background-image",
    "line-height",
    "clip",
    "clip-path",
}


@dataclass(frozen=True, slots=True)
class Link:
    """An ``<a href>`` (or a link written by a script) as the page presents it."""

    href: str  # absolute URL
    text: str
    host: str
    external: bool
    hidden: str | None = None  # why it is invisible: display:none, off-screen, same-colour, …
    source: str = "html"  # html | script
    zero_width: bool = False


@dataclass(frozen=True, slots=True)
class AnalysisGap:
    """Rules of the page's ``<style>`` blocks that were not applied, so a link may be hidden without the probe
    knowing it. ``reason``: ``work-budget`` (matching them would cost more than a page may,
    ``cssmatch.WORK_BUDGET``), ``rule-limit`` (beyond ``scoring.DARK_MAX_CSS_RULES``) or
    ``unsupported-selector`` (a hiding rule whose selector the matcher does not read); the first of these that
    applies. ``markup-limit`` comes before them all: the page is nested too deep to parse in bounded time
    (``_markup_cut``), and only its first ``characters_read`` characters were analysed."""

    reason: str
    rules_skipped: int
    characters_read: int | None = None


@dataclass(frozen=True)
class ParsedPage:
    """What the content checks read from one page."""

    url: str
    title: str
    text_nodes: tuple[str, ...]
    links: tuple[Link, ...]
    script_srcs: tuple[str, ...]
    inline_scripts: tuple[str, ...]
    dom_paths: frozenset[int]
    zero_width_text: tuple[str, ...]  # visible text nodes carrying zero-width characters
    referrer_hijack: bool  # a script that branches on document.referrer and a search engine name, and redirects
    scripts: tuple[tuple[str, str | None], ...] = ()  # every <script>: (src or "", integrity)
    metas: tuple[tuple[str | None, str | None, str | None], ...] = ()  # every <meta>: (http-equiv, name, content)
    frames: tuple[Link, ...] = ()  # every <iframe src> / <frame src>, as a Link (text = "", hidden = why unseen)
    # Meta refresh targets (source "meta"), script redirects: source "script" (unconditional), "script-conditional"
    # (inside a function, an if…), "referrer" (in a referrer hijack).
    redirects: tuple[Link, ...] = ()
    #: ``<style>`` rules the analysis left out (None: every rule was applied): a link may be hidden unseen.
    analysis_incomplete: AnalysisGap | None = None

    @cached_property
    def text(self) -> str:
        """The visible text, one text node per line (computed once: several checks read it)."""
        return "\n".join(self.text_nodes)


@lru_cache(maxsize=65_536)
def site_of(host: str) -> str:
    """Registrable domain, approximately (no public-suffix list): ``www.xx.edu.cn`` → ``xx.edu.cn``."""
    host = host.lower().rstrip(".")
    if not host or host.replace(".", "").isdigit() or ":" in host:
        return host
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and (
            labels[-2] in scoring.SECOND_LEVEL_LABELS or (labels[-1] == "cn" and labels[-2] in scoring.CN_PROVINCE_LABELS)):
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def has_zero_width(text: str) -> bool:
    """Whether ``text`` holds a zero-width character (``ZERO_WIDTH``). Six substring tests are several times
    faster than the regex on long text, and none of these characters is ASCII: ASCII text is answered at once."""
    return not text.isascii() and (
        "\u200b" in text or "\u200c" in text or "\u200d" in text or "\u2060" in text or "\ufeff" in text
        or "\u180e" in text)


def strip_zero_width(text: str) -> str:
    return _ZERO_WIDTH_RE.sub("", text) if has_zero_width(text) else text


def stable_hash(text: str) -> int:
    """A hash that is the same in every process (``hash()`` is salted), for stored baselines."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def normalise_text(text: str) -> str:
    """Lower case, digits → 0, whitespace collapsed: counters, dates and nonces stop mattering."""
    return " ".join(_DIGITS.sub("0", strip_zero_width(text).lower()).split())


def _declarations(block: str) -> dict[str, str]:
    """The declarations of ``block`` that can hide an element or set its colours (a new dict: callers may change
    it). The same short ``style`` attributes and rules come back on page after page: those are parsed once."""
    if len(block) <= _CACHED_BLOCK_CHARS:
        return dict(_cached_declarations(block))
    return _parse_declarations(block)


#: Longer ``style`` blocks are parsed each time (they rarely repeat, and would fill the cache).
_CACHED_BLOCK_CHARS = 256


@lru_cache(maxsize=4096)
def _cached_declarations(block: str) -> tuple[tuple[str, str], ...]:
    return tuple(_parse_declarations(block).items())


def _parse_declarations(block: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for part in block.split(";"):
        name, sep, value = part.partition(":")
        if sep:
            key = name.strip().lower()
            if key in _HIDING_PROPERTIES:
                result[key] = value.replace("!important", "").strip().lower()
    return result


def _length_px(value: str | None) -> float | None:
    if not value:
        return None
    match = _LENGTH.match(value.strip())
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2) or "px"
    if unit in ("em", "rem"):
        return number * 16
    if unit == "pt":
        return number * 4 / 3
    if unit == "%":
        return None
    return number


@lru_cache(maxsize=4096)
def normalise_colour(value: str | None) -> str | None:
    """``#fff``, ``#FFFFFF``, ``rgb(255,255,255)``, ``white`` → ``#ffffff``; anything else → None."""
    if not value:
        return None
    text = value.strip().lower().split()[0] if value.strip() else ""
    if text in _NAMED_COLOURS:
        return _NAMED_COLOURS[text]
    if text == "transparent":
        return "transparent"
    if re.fullmatch(r"#[0-9a-f]{3}", text):
        return "#" + "".join(ch * 2 for ch in text[1:])
    if re.fullmatch(r"#[0-9a-f]{6}", text):
        return text
    match = re.fullmatch(r"rgba?\((\d+),(\d+),(\d+)(?:,([\d.]+))?\)", value.replace(" ", "").lower())
    if match:
        if match.group(4) is not None and float(match.group(4)) == 0:
            return "transparent"
        return "#" + "".join(f"{min(int(match.group(i)), 255):02x}" for i in (1, 2, 3))
    return None


def hidden_reason(style: dict[str, str]) -> str | None:
    """Why an element with these (merged) declarations is invisible, or None. Pure."""
    if style.get("display") == "none":
        return "display:none"
    if style.get("visibility") in ("hidden", "collapse"):
        return "visibility:hidden"
    if style.get("opacity") in ("0", "0.0", "0.00"):
        return "opacity:0"
    limit = -scoring.DARK_OFFSCREEN_PX
    if style.get("position") in ("absolute", "fixed"):
        for side in ("left", "top", "right"):
            px = _length_px(style.get(side))
            if px is not None and px <= limit:
                return "off-screen"
    for prop in ("text-indent", "margin-left", "margin-top"):
        px = _length_px(style.get(prop))
        if px is not None and px <= limit:
            return "off-screen"
    if style.get("position") in ("absolute", "fixed") and _clipped(style):
        return "clipped"
    font = _length_px(style.get("font-size"))
    if font is not None and font < scoring.DARK_MIN_FONT_PX:
        return "zero-font"
    if style.get("overflow") == "hidden":
        for prop in ("width", "height", "line-height"):
            px = _length_px(style.get(prop))
            if px is not None and px <= 1:
                return "zero-size"
    if normalise_colour(style.get("color")) == "transparent":
        return "transparent-text"
    return None


def _clipped(style: dict[str, str]) -> bool:
    """``clip:rect(0 0 0 0)`` (any empty rectangle) or ``clip-path:inset(50%)``: nothing of the box is painted."""
    clip = style.get("clip")
    if clip:
        match = _CLIP_RECT.search(clip)
        if match:
            sides = [_length_px(part) for part in match.group(1).replace(",", " ").split()]
            if len(sides) == 4 and None not in sides:
                top, right, bottom, left = sides
                if bottom <= top or right <= left:  # type: ignore[operator]
                    return True
    clip_path = style.get("clip-path", "")
    if clip_path.startswith("inset("):
        first = clip_path[6:].replace(")", " ").split()
        if first and first[0].endswith("%"):
            try:
                return float(first[0][:-1]) >= 50
            except ValueError:
                return False
    return False


#: The background "colour" of an element painted with an image: unknown, so no link on it is "same colour".
IMAGE_BACKGROUND = "image"


def _background(style: dict[str, str]) -> str | None:
    if "url(" in style.get("background", "") or "url(" in style.get("background-image", ""):
        return IMAGE_BACKGROUND
    colour = normalise_colour(style.get("background-color"))
    if colour is None and "background" in style:
        for token in style["background"].replace(",", " , ").split():
            colour = normalise_colour(token)
            if colour:
                break
    return None if colour == "transparent" else colour


#: Selector → the elements it matched (an unsupported selector is left out).
_Matches = dict[str, list[LexborNode]]


@dataclass
class _StyleRules:
    """What applying a page's ``<style>`` rules gave: declarations per element, the rules that show an element on
    interaction and those that hide one, and the rules left out, by reason (``AnalysisGap``)."""

    styles: dict[int, dict[str, str]] = field(default_factory=dict)
    reveal: list[str] = field(default_factory=list)  # selectors, without their :hover/:focus, of revealing rules
    hiding: _Matches = field(default_factory=dict)  # selector → elements, of rules setting display/visibility/opacity
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str, rules: int = 1) -> None:
        if rules:
            self.skipped[reason] = self.skipped.get(reason, 0) + rules

    def gap(self) -> AnalysisGap | None:
        for reason in ("work-budget", "rule-limit", "unsupported-selector"):
            if reason in self.skipped:
                return AnalysisGap(reason, sum(self.skipped.values()))
        return None


def _stylesheet_styles(
    tree: LexborHTMLParser, html: str, nodes: dict[int, LexborNode]
) -> tuple[dict[int, dict[str, str]], AnalysisGap | None]:
    """Declarations from the page's ``<style>`` blocks, per matched element (by mem_id), in order, and what was
    left out (None: nothing). ``nodes`` receives every matched element by mem_id.

    Selectors are matched by ``cssmatch.SelectorMatcher`` within the page's work budget: once it runs out, the
    remaining rules are counted, not matched."""
    rules, over_limit = _css_rules(tree)
    applied = _StyleRules()
    matcher = SelectorMatcher(tree, html)
    for position, (selectors, declarations) in enumerate(rules):
        if not _apply_rule(selectors, declarations, matcher, applied, nodes):
            applied.skip("work-budget", len(rules) - position)
            break
    applied.skip("rule-limit", over_limit)
    if applied.reveal and any(applied.hiding.values()):
        _apply_reveals(applied, matcher)
    return applied.styles, applied.gap()


def _css_rules(tree: LexborHTMLParser) -> tuple[list[tuple[list[str], dict[str, str]]], int]:
    """The rules of the page's ``<style>`` blocks that declare something ``_declarations`` keeps, as (selectors,
    declarations), up to ``scoring.DARK_MAX_CSS_RULES`` of them; and how many more there are."""
    rules: list[tuple[list[str], dict[str, str]]] = []
    over_limit = 0
    for style_node in tree.css("style"):
        css = _CSS_COMMENT.sub("", style_node.text(deep=True) or "")
        for selector_text, block in _CSS_RULE.findall(css):
            declarations = _declarations(block)
            if not declarations:
                continue
            if len(rules) >= scoring.DARK_MAX_CSS_RULES:
                over_limit += 1
                continue
            selectors = [selector.strip() for selector in selector_text.split(",")]
            rules.append(([selector for selector in selectors if selector], declarations))
    return rules, over_limit


def _apply_rule(selectors: list[str], declarations: dict[str, str], matcher: SelectorMatcher,
                applied: _StyleRules, nodes: dict[int, LexborNode]) -> bool:
    """Apply one rule to the elements its selectors match; False when the work budget ran out on the way (the rule
    then counts as skipped: part of it may be applied)."""
    hides = "display" in declarations or "visibility" in declarations or "opacity" in declarations
    unsupported = False
    for selector in selectors:
        if ":" in selector:  # pseudo-classes (:hover…) do not hide the resting state
            _note_reveal(selector, declarations, applied.reveal)
            continue
        try:
            matched = matcher.match(selector)
        except UnsupportedSelectorError:
            unsupported = True
            continue
        except WorkBudgetError:
            return False
        for node in matched:
            mem_id = node.mem_id
            applied.styles.setdefault(mem_id, {}).update(declarations)
            nodes[mem_id] = node
        if hides:
            applied.hiding[selector] = matched  # even when empty: its :hover twin then matches nothing either
    if unsupported and hidden_reason(declarations) is not None:
        applied.skip("unsupported-selector")  # invalid CSS that hides nothing does not matter
    return True


def _note_reveal(selector: str, declarations: dict[str, str], reveal: list[str]) -> None:
    """Keep the resting form of a rule showing an element on interaction: ".m:hover ul" shows the ul; ".m ul:hover"
    cannot, as a display:none element is never hovered."""
    if (_reveals(declarations) and _INTERACTIVE_PSEUDO.search(selector)
            and not _INTERACTIVE_PSEUDO.search(_COMBINATORS.split(selector)[-1])):
        resting = _INTERACTIVE_PSEUDO.sub("", selector).strip()
        if resting and ":" not in resting:
            reveal.append(resting)


def _apply_reveals(applied: _StyleRules, matcher: SelectorMatcher) -> None:
    """A menu hidden at rest and shown on :hover/:focus is interactive, not hidden: drop the hiding declarations of
    the elements a revealing rule shows. The usual pair (".m ul{display:none} .m:hover ul{display:block}") reuses
    the hiding rule's elements. A revealing rule the budget cannot match reveals nothing (the page is already
    reported as not fully analysed)."""
    revealed: list[LexborNode] = []
    for selector in dict.fromkeys(applied.reveal):
        if selector in applied.hiding:
            revealed.extend(applied.hiding[selector])
            continue
        try:
            revealed.extend(matcher.match(selector))
        except UnsupportedSelectorError:
            continue
        except WorkBudgetError:
            applied.skip("work-budget")
            break
    for node in revealed:
        declared = applied.styles.get(node.mem_id)
        if declared:
            for key in ("display", "visibility", "opacity"):
                declared.pop(key, None)


def _reveals(declarations: dict[str, str]) -> bool:
    """Whether a rule's declarations show an element (``display:block``, ``visibility:visible``)."""
    display = declarations.get("display")
    return (display is not None and display != "none") or declarations.get("visibility") == "visible"


def _char_codes(match: re.Match[str]) -> str:
    try:
        return '"' + "".join(chr(int(code)) for code in match.group(1).split(",") if code.strip()) + '"'
    except (ValueError, OverflowError):
        return match.group(0)


def _decode_script(text: str) -> str:
    if "\\" in text:  # every escape starts with a backslash: most scripts have none
        text = _JS_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    if "fromCharCode" in text:
        text = _FROM_CHAR_CODE.sub(_char_codes, text)
    # "%3c" or "%3C": what "%3c" in text.lower() finds, without lower-casing the script.
    return unquote(text) if "%3c" in text or "%3C" in text else text


def _resolve(href: str, base: str, base_origin: str, base_host: str) -> tuple[str, str] | None:
    """(absolute URL, lower-case host) of an http(s) link; fast paths for the two common shapes."""
    if href.startswith("/"):
        if not href.startswith("//") and base_origin:
            return base_origin + href, base_host
    elif href[:8].lower().startswith(("http://", "https://")):
        rest = href[href.index("//") + 2 :]
        end = len(rest)
        for stop in "/?#":
            position = rest.find(stop)
            if 0 <= position < end:
                end = position
        netloc = rest[:end]
        if "@" not in netloc and "[" not in netloc:
            return href, netloc.split(":", 1)[0].lower()
    absolute = urljoin(base, href)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https"):
        return None
    return absolute, (parts.hostname or "").lower()


def _link_target(href: str, base: str, base_origin: str, base_host: str) -> tuple[str, str] | None:
    """(absolute URL, lower-case host) an ``href`` leads to, or None: empty, a fragment, a script, mail, phone or
    data link, not http(s). Zero-width characters are dropped from the href first."""
    href = href.strip()
    if has_zero_width(href):
        href = _ZERO_WIDTH_RE.sub("", href)
    # Only an href starting with one of "jJmMtTdD" can lower-case to one of these schemes (no other character
    # lower-cases to an ASCII letter but "İ" and "K"): the others skip the slice and lower().
    if not href or href[0] == "#" or (
            href[0] in "jJmMtTdD" and href[:11].lower().startswith(("javascript:", "mailto:", "tel:", "data:"))):
        return None
    return _resolve(href, base, base_origin, base_host)


def _make_link(
    href: str, text: str, base: str, page_site: str, hidden: str | None, source: str,
    base_origin: str = "", base_host: str = "",
) -> Link | None:
    target = _link_target(href, base, base_origin, base_host)
    if target is None:
        return None
    absolute, host = target
    return Link(
        href=absolute,
        text=" ".join(text.split())[:200],
        host=host,
        external=site_of(host) != page_site,
        hidden=hidden,
        source=source,
        # Only the text can still hold zero-width characters: _link_target dropped those of the href.
        zero_width=has_zero_width(text),
    )


#: What an element's own declarations say: (hidden reason or an ``_UNDOES`` marker, text colour, background).
OwnStyle = tuple[str | None, str | None, str | None]
_NO_STYLE: OwnStyle = (None, None, None)
#: The links of a page, as parse_page selects them.
_LINKS = "a[href]"
#: Above this many elements hiding themselves, finding the links under each one (a subtree search apiece) is
#: no cheaper than walking up from every link: parse_page then walks up from every link.
_MAX_HIDING_SEARCHES = 64


@dataclass(frozen=True, slots=True)
class _PageStyle:
    """What the page's styles say: per element that declares anything relevant, (hidden reason, text colour,
    background colour); the page's frames (``<iframe src>``, ``<frame src>``); the links that may be hidden
    (``_links_under_hiding``; None: any link may); and the ``<style>`` rules left out (None: none)."""

    own: dict[int, OwnStyle]
    frames: list[LexborNode]
    maybe_hidden: set[int] | None
    gap: AnalysisGap | None


def _own_style(tree: LexborHTMLParser, html: str, with_styles: bool) -> _PageStyle:
    """The page's ``<style>`` rules, ``style`` attributes and presentational attributes, judged per element."""
    nodes: dict[int, LexborNode] = {}  # every element in ``styles``, by mem_id
    styles, gap = _stylesheet_styles(tree, html, nodes) if with_styles else ({}, None)
    _add_inline_styles(tree, styles, nodes)
    frames, hidden_attribute = _add_attribute_styles(tree, styles, nodes)
    own = _judge_styles(styles)
    for node in hidden_attribute:
        reason, colour, background = own.get(node.mem_id, _NO_STYLE)
        hides = reason is not None and reason not in _UNDOES
        own[node.mem_id] = (reason if hides else "hidden-attribute", colour, background)
    return _PageStyle(own, frames, _links_under_hiding(own, nodes), gap)


def _add_inline_styles(tree: LexborHTMLParser, styles: dict[int, dict[str, str]],
                       nodes: dict[int, LexborNode]) -> None:
    """Merge each element's ``style`` attribute over what the stylesheet gave it."""
    for node in tree.css("[style]"):
        declarations = _declarations(node.attributes.get("style") or "")
        if declarations:
            mem_id = node.mem_id
            if node.tag == "marquee":  # a marquee clips what scrolls in it, as overflow:hidden does
                declarations.setdefault("overflow", "hidden")
            styles[mem_id] = {**styles.get(mem_id, {}), **declarations}
            nodes[mem_id] = node


def _add_attribute_styles(
    tree: LexborHTMLParser, styles: dict[int, dict[str, str]], nodes: dict[int, LexborNode]
) -> tuple[list[LexborNode], list[LexborNode]]:
    """Add what presentational attributes declare (``_ATTRIBUTE_NODES``, where they do not override CSS); return
    the page's frames and the elements with the ``hidden`` attribute."""
    frames: list[LexborNode] = []
    hidden_attribute: list[LexborNode] = []
    for node in tree.css(_ATTRIBUTE_NODES):
        tag = node.tag
        attributes = node.attributes
        mem_id = node.mem_id
        nodes[mem_id] = node
        if tag == "font" and "color" in attributes:  # <font color="#fff">, still common on old school sites
            styles.setdefault(mem_id, {}).setdefault("color", attributes.get("color") or "")
        if "bgcolor" in attributes:  # <body bgcolor="#fff">, <td bgcolor=…>: the background in effect
            styles.setdefault(mem_id, {}).setdefault("background-color", attributes.get("bgcolor") or "")
        if "background" in attributes:  # <table background="nav_bg.jpg">: an image, colour unknown
            styles.setdefault(mem_id, {}).setdefault("background-image", "url(" + (attributes.get("background") or "")
                                                     + ")")
        if "hidden" in attributes and tag != "input":
            hidden_attribute.append(node)
        if tag in ("iframe", "frame"):
            if not any(frame.mem_id == mem_id for frame in frames):  # lexbor may list a node once per selector
                frames.append(node)
        elif tag not in _SPACERS and (attributes.get("width") in ("0", "1") or attributes.get("height") in ("0", "1")):
            # <marquee width="1" height="1">, <div height="0">: nothing inside is seen
            styles.setdefault(mem_id, {}).setdefault("tiny-attribute", "1")
    return frames, hidden_attribute


def _judge_styles(styles: dict[int, dict[str, str]]) -> dict[int, OwnStyle]:
    """Each element's (hidden reason or ``_UNDOES`` marker, colour, background). Many elements declare the same
    thing (every <span> of a news list, every tab of a menu): each distinct set of declarations is judged once."""
    effects: dict[tuple[tuple[str, str], ...], OwnStyle] = {}
    own: dict[int, OwnStyle] = {}
    for mem_id, style in styles.items():
        key = tuple(style.items())
        effect = effects.get(key)
        if effect is None:
            effect = effects[key] = (
                hidden_reason(style) or ("zero-size" if "tiny-attribute" in style else None) or _undoes(style),
                normalise_colour(style.get("color")),
                _background(style),
            )
        own[mem_id] = effect
    return own


def _links_under_hiding(own: dict[int, OwnStyle], nodes: dict[int, LexborNode]) -> set[int] | None:
    """mem_ids of the links (``_LINKS``) at or under an element whose own style hides it, or None when too many
    elements hide themselves (``_MAX_HIDING_SEARCHES``).

    Only such an element makes a link hidden (an ``_UNDOES`` marker only lifts what an element above it hides), so
    no other link needs its ancestors walked: on the usual page one drop-down menu is hidden, not the 60 links of
    the news lists and menus. lexbor finds the links under each hiding element.
    """
    hiding = [mem_id for mem_id, (reason, _colour, _background) in own.items()
              if reason is not None and reason not in _UNDOES]
    if len(hiding) > _MAX_HIDING_SEARCHES:
        return None
    found: set[int] = set()
    for mem_id in hiding:
        found.update(link.mem_id for link in nodes[mem_id].css(_LINKS))  # the element itself included
    return found


def _link_visibility(
    anchor: LexborNode,
    own: dict[int, OwnStyle],
    inherited: dict[int, tuple[str | None, str | None]],
    default_background: str | None = "#ffffff",
    maybe_hidden: set[int] | None = None,
) -> str | None:
    """Why the link is invisible: any ancestor hidden, or its text colour equal to the background in effect.

    ``default_background`` is the page background when no element declares one: white, or None (unknown)
    when the page has external stylesheets, which may well set a dark background behind white links.

    ``inherited`` caches, per element, the nearest hidden reason and background at or above it: the links of
    one menu share their ancestors, so each ancestor chain is walked once per page, not once per link.

    ``maybe_hidden``: the links that may have a hidden ancestor (``_links_under_hiding``; None: any link may).
    The ancestors of any other link are walked only when it has a colour (for its background).
    """
    if not own:
        return None
    # The link's own colour: set on the <a> or on an element inside it (a parent's colour does not reach a link,
    # which browsers paint in the link colour unless told otherwise).
    mem_id = anchor.mem_id
    colour = own.get(mem_id, _NO_STYLE)[1]
    if colour is None:
        for child in anchor.iter(include_text=False):
            colour = own.get(child.mem_id, _NO_STYLE)[1]
            if colour is not None:
                break
        else:
            if maybe_hidden is not None and mem_id not in maybe_hidden:
                return None  # nothing above hides it, and without a colour it cannot be "same colour"
    hidden, background = _inherited(anchor, own, inherited)
    if hidden is None and colour is not None and background != IMAGE_BACKGROUND and colour == (
            background or default_background):
        hidden = "same-colour"
    return hidden


#: Markers (in place of a hidden reason) of an element whose own style undoes an inherited one: a child can set
#: a readable font size again (the ``font-size:0`` inline-block idiom) or be ``visibility:visible`` again.
_UNDOES = {"=font": "zero-font", "=visible": "visibility:hidden"}


def _undoes(style: dict[str, str]) -> str | None:
    if style.get("visibility") == "visible":
        return "=visible"
    size = _length_px(style.get("font-size"))
    if size is not None and size >= scoring.DARK_MIN_FONT_PX:
        return "=font"
    return None


def _inherited(
    node: LexborNode,
    own: dict[int, OwnStyle],
    cache: dict[int, tuple[str | None, str | None]],
) -> tuple[str | None, str | None]:
    """(nearest hidden reason, nearest background colour) at ``node`` or above it."""
    chain: list[int] = []  # mem_ids of the elements not yet in the cache, from ``node`` up
    current: LexborNode | None = node
    above: tuple[str | None, str | None] = (None, None)
    while current is not None:
        mem_id = current.mem_id
        known = cache.get(mem_id)
        if known is not None:
            above = known
            break
        chain.append(mem_id)
        current = current.parent
    for mem_id in reversed(chain):  # from the top down, each taking the nearest values
        info = own.get(mem_id)
        if info is not None:
            reason = info[0]
            # font-size:14px under font-size:0, visibility:visible under visibility:hidden: the child is seen again
            undone = reason in _UNDOES and _UNDOES[reason] == above[0]
            hidden = None if undone else above[0] if reason in _UNDOES else reason or above[0]
            above = (hidden, info[2] or above[1])
        cache[mem_id] = above
    return above


def parse_page(html: str, url: str, *, with_styles: bool = True) -> ParsedPage:
    """Parse ``html`` fetched from ``url`` (the final URL, after redirects). Pure.

    Work is done by lexbor (selectors, text extraction); Python walks up from a link to its ancestors only when
    one of them hides itself or the link has a colour of its own, so a page costs well under a millisecond. The
    ``<style>`` rules are matched within a work budget (``cssmatch``): what it leaves out is
    ``ParsedPage.analysis_incomplete``.
    """
    tags = _start_tags(html)
    cut = _markup_cut(html, tags)
    markup = html if cut is None else html[:cut]
    tree = LexborHTMLParser(markup)
    base = _base_of(tree, url)
    title = _title_of(tree)
    style = _own_style(tree, markup, with_styles)
    inherited: dict[int, tuple[str | None, str | None]] = {}  # _inherited's cache, shared by links and frames
    links = _html_links(tree, base, style, inherited)
    frames = _frame_links(style, base, inherited)
    scripts, script_srcs, inline_scripts = _scripts_of(tree, base)
    metas = _metas_of(tree)
    written_links, script_redirects, referrer_hijack = _read_inline_scripts(inline_scripts, base)
    text_nodes, zero_width_text = _visible_text(tree, title)  # last: it strips the scripts and styles
    return ParsedPage(
        url=url,
        title=title,
        text_nodes=tuple(text_nodes),
        links=(*links, *written_links),
        script_srcs=tuple(script_srcs),
        inline_scripts=tuple(inline_scripts),
        dom_paths=_dom_paths(tags),
        zero_width_text=tuple(zero_width_text),
        referrer_hijack=referrer_hijack,
        scripts=tuple(scripts),
        metas=metas,
        frames=tuple(frames),
        redirects=(*_meta_refreshes(metas, base), *script_redirects),
        analysis_incomplete=style.gap if cut is None else AnalysisGap(
            "markup-limit", style.gap.rules_skipped if style.gap else 0, cut),
    )


@dataclass(frozen=True, slots=True)
class _Base:
    """Where the page's relative links lead (``<base href>`` or the page's own URL), and the page's site."""

    url: str
    origin: str  # scheme://netloc of an http(s) base, "" otherwise
    host: str  # the base's lower-case host
    page_site: str  # site_of the page's own host (not the base's): what "external" is measured against


def _base_of(tree: LexborHTMLParser, url: str) -> _Base:
    base = url
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base = urljoin(url, base_node.attributes.get("href") or "")
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""
    return _Base(base, origin, (parts.hostname or "").lower(), site_of(urlsplit(url).hostname or ""))


def _title_of(tree: LexborHTMLParser) -> str:
    title_node = tree.css_first("title")
    return " ".join((title_node.text(deep=True) if title_node else "").split())


def _html_links(tree: LexborHTMLParser, base: _Base, style: _PageStyle,
                inherited: dict[int, tuple[str | None, str | None]]) -> list[Link]:
    """Every ``<a href>`` going somewhere (http or https), with its text and why it is not seen."""
    # With external stylesheets the page background is unknown: white links are not "same colour" by default.
    default_background = None if tree.css_first("link[rel~='stylesheet' i]") is not None else "#ffffff"
    own, maybe_hidden, page_site = style.own, style.maybe_hidden, base.page_site
    links: list[Link] = []
    for anchor in tree.css(_LINKS):
        # As _make_link, inlined (it runs for every link): the target first, so that a link going nowhere
        # (#, javascript:…) costs neither its text nor its visibility.
        target = _link_target(anchor.attributes.get("href") or "", base.url, base.origin, base.host)
        if target is None:
            continue
        absolute, host = target
        text = anchor.text(deep=True) or ""
        # Link(href, text, host, external, hidden, source, zero_width), positionally: keywords cost more here.
        links.append(Link(absolute, " ".join(text.split())[:200], host, site_of(host) != page_site,
                          _link_visibility(anchor, own, inherited, default_background, maybe_hidden), "html",
                          has_zero_width(text)))
    return links


def _frame_links(style: _PageStyle, base: _Base, inherited: dict[int, tuple[str | None, str | None]]) -> list[Link]:
    """Every ``<iframe src>`` / ``<frame src>`` as a Link, hidden by an ancestor or by a size of at most 1 px."""
    frames: list[Link] = []
    for frame in style.frames:
        attributes = frame.attributes  # a new dict at each access: read once
        hidden = _inherited(frame, style.own, inherited)[0] if style.own else None
        if hidden is None:
            sizes = _declarations(attributes.get("style") or "")
            for side in ("width", "height"):  # an iframe is a replaced element: 0 px is invisible without overflow
                px = _length_px(sizes.get(side) or attributes.get(side))
                if px is not None and px <= 1:
                    hidden = "zero-size"
        link = _make_link(attributes.get("src") or "", "", base.url, base.page_site, hidden, "html", base.origin,
                          base.host)
        if link is not None:
            frames.append(link)
    return frames


def _scripts_of(tree: LexborHTMLParser, base: _Base) -> tuple[list[tuple[str, str | None]], list[str], list[str]]:
    """Every ``<script>`` as (src or "", integrity); the absolute URLs of the external ones; the inline ones' text."""
    script_srcs: list[str] = []
    inline_scripts: list[str] = []
    scripts: list[tuple[str, str | None]] = []
    for script in tree.css("script"):
        attributes = script.attributes  # a new dict at each access: read once
        src = (attributes.get("src") or "").strip()
        scripts.append((src, attributes.get("integrity")))
        if src:
            script_srcs.append(urljoin(base.url, src))
        else:
            inline_scripts.append(script.text(deep=True) or "")
    return scripts, script_srcs, inline_scripts


def _metas_of(tree: LexborHTMLParser) -> tuple[tuple[str | None, str | None, str | None], ...]:
    """Every ``<meta>`` as (http-equiv, name, content)."""
    return tuple(
        (
            (attributes.get("http-equiv") or "") if "http-equiv" in attributes else None,
            attributes.get("name"),
            attributes.get("content"),
        )
        for attributes in (meta.attributes for meta in tree.css("meta"))
    )


def _meta_refreshes(metas: tuple[tuple[str | None, str | None, str | None], ...], base: _Base) -> list[Link]:
    """The targets of ``<meta http-equiv="refresh" content="0;url=…">`` (source "meta")."""
    redirects: list[Link] = []
    for equiv, _name, content in metas:
        if equiv is not None and equiv.strip().lower() == "refresh" and content:
            match = _META_REFRESH.match(content)
            if match:
                link = _make_link(match.group(1), "", base.url, base.page_site, None, "meta", base.origin, base.host)
                if link is not None:
                    redirects.append(link)
    return redirects


def _read_inline_scripts(inline_scripts: list[str], base: _Base) -> tuple[list[Link], list[Link], bool]:
    """What the inline scripts do: the links they write, the redirects they make (source "script",
    "script-conditional" or "referrer") and whether one is a referrer hijack."""
    links: list[Link] = []
    redirects: list[Link] = []
    referrer_hijack = False
    for body in inline_scripts:
        decoded = _decode_script(body)
        lowered = decoded.lower()
        if any(writer in lowered for writer in _SCRIPT_WRITERS):
            links.extend(_script_links(decoded, base.url, base.page_site))
        # "document.referrer" in the lower-cased script is what _REFERRER_HIJACK finds, without a case-insensitive
        # regex scan of every script (no other character case-folds to one of its letters).
        hijack = bool("document.referrer" in lowered and _SPIDER_NAMES.search(decoded)
                      and _HIJACK_ACTION.search(decoded))
        referrer_hijack = referrer_hijack or hijack
        if "location" in lowered:
            source = "referrer" if hijack else "script-conditional" if _CONDITIONAL.search(decoded) else "script"
            for match in _SCRIPT_REDIRECT.finditer(decoded):
                link = _make_link(match.group(1) or match.group(2), "", base.url, base.page_site, None, source)
                if link is not None:
                    redirects.append(link)
    return links, redirects, referrer_hijack


def _visible_text(tree: LexborHTMLParser, title: str) -> tuple[list[str], list[str]]:
    """The text nodes a visitor reads (the title first), whitespace collapsed and zero-width characters dropped;
    and the lines that carried zero-width characters. Strips scripts, styles, templates and the head from
    ``tree``."""
    tree.strip_tags(["script", "style", "template", "head"])
    root = tree.body or tree.root
    raw_text = root.text(deep=True, separator="\n") if root is not None else ""
    text_nodes = [title] if title else []
    zero_width_text: list[str] = []
    if not has_zero_width(raw_text):
        # The usual page: every non-blank line, whitespace collapsed (a line is blank exactly when split() finds
        # no word in it, as when strip() leaves nothing).
        text_nodes += [" ".join(words) for words in map(str.split, raw_text.split("\n")) if words]
    else:
        for line in raw_text.split("\n"):
            if line.strip():
                if _ZERO_WIDTH_RE.search(line):
                    zero_width_text.append(" ".join(line.split())[:200])
                text_nodes.append(" ".join(strip_zero_width(line).split()))
    return text_nodes, zero_width_text


def _start_tags(html: str) -> list[str]:
    """The tag names of ``html``'s start tags, in order (ASCII letters lower-cased only where the page has one of the
    two characters whose lower case is ASCII)."""
    # Matching the page itself and lower-casing the tag names (ASCII) finds what matching the lower-cased page
    # finds, without lower-casing the whole page: lower() maps ASCII to ASCII, and every other character to
    # characters outside ASCII but these two ("İ".lower() == "i̇", "K".lower() == "k").
    return _TAG.findall(html if "\u0130" not in html and "\u212a" not in html else html.lower())


def _dom_paths(tags: list[str]) -> frozenset[int]:
    """Hashes of the distinct runs of ``scoring.TAMPER_DOM_SHINGLE`` consecutive tag names (lower case) in ``tags``."""
    width = scoring.TAMPER_DOM_SHINGLE
    runs = set(zip(*(tags[i:] for i in range(width)), strict=False)) if len(tags) >= width else {tuple(tags)}
    # Hash distinct runs only; runs differing only in case ("TD>A>B", "td>a>b") give the same hash.
    return frozenset(stable_hash(">".join(run).lower()) for run in runs)


def _markup_cut(html: str, tags: list[str]) -> int | None:
    """Where to cut ``html`` so that lexbor parses it in bounded time, or None (the usual page: parse it whole).

    The HTML tree builder is quadratic in two shapes a hostile page can take: deep nesting (each start tag looks
    down the stack of open elements) and formatting elements left open (``<b a=1>…<b a=9999>`` closed by a
    ``</div>``: every later text run re-creates all of them; a 53 KB page makes 9 million elements). A cheap
    upper bound of both is taken first from counts; only a page it cannot clear is simulated tag by tag
    (``_simulated_cut``)."""
    if len(tags) <= _SMALL_PAGE_TAGS:
        return None  # at worst ~0.1 s of parsing
    started = Counter(tags)
    formatting = sum(count for name, count in started.items() if name.lower() in _FORMATTING)
    tokens = html.count("<") + 1  # each re-creation follows a tag or a text run
    if _within_bounds(len(tags), formatting, tokens):
        return None
    leaves = Counter(_LEAF.findall(html))  # elements holding only text: opened and closed at once
    open_formatting = formatting - sum(count for name, count in leaves.items() if name.lower() in _FORMATTING)
    if _within_bounds(len(tags) - leaves.total(), open_formatting, tokens):
        return None
    return _simulated_cut(html)


def _within_bounds(open_elements: int, open_formatting: int, tokens: int) -> bool:
    """Whether a page with at most these many elements open at once, formatting elements left open, and tags and
    text runs is within ``_MAX_DEPTH`` and ``_MAX_REBUILT`` (+ 8: html, head, body, tbody…)."""
    return open_elements + open_formatting + 8 <= _MAX_DEPTH and open_formatting * tokens <= _MAX_REBUILT


def _simulated_cut(html: str) -> int | None:
    """Where the page's estimated nesting depth or re-created formatting elements pass ``_MAX_DEPTH`` or
    ``_MAX_REBUILT``, or None. Estimated from above: a stack of open elements closed by their end tags (an end tag
    closes what is open above its element, as the tree builder does), a repeated ``<p>``/``<li>``… closing the
    one before; a formatting element stays counted until its own end tag, as it stays in the tree builder's
    list of active formatting elements."""
    stack: list[str] = []
    opened: dict[str, int] = {}
    open_formatting = 0
    rebuilt = 0
    for match in _TAG_TOKEN.finditer(html):
        token = match.group(1).lower()
        if token[0] != "/":
            if token in _VOID or (stack and stack[-1] == token and token in _IMPLIED_END):
                continue
            stack.append(token)
            opened[token] = opened.get(token, 0) + 1
            if token in _FORMATTING:
                open_formatting += 1
            rebuilt += open_formatting
            if rebuilt > _MAX_REBUILT or len(stack) > _MAX_DEPTH:
                return match.start()
        elif opened.get(token[1:]):
            name = token[1:]
            if name in _FORMATTING:
                open_formatting -= 1
            while True:
                top = stack.pop()
                opened[top] -= 1
                if top == name:
                    break
    return None


def _script_links(decoded: str, base: str, page_site: str) -> list[Link]:
    """Links in HTML written by a script (``document.write('<a href=…>text</a>')``), with their text.

    The text runs from the end of the ``<a …>`` tag to ``</a>`` (tags, JS escapes and ``' + '`` joins dropped);
    the link is hidden when the tag's own ``style`` hides it or a ``style`` just before it (a wrapping element)
    does.
    """
    found: list[Link] = []
    for match in _SCRIPT_LINK.finditer(decoded):
        tail = decoded[match.end() : match.end() + 400]
        tag_end = tail.find(">")
        text = ""
        if tag_end >= 0:
            close = _SCRIPT_ANCHOR_END.search(tail, tag_end)
            if close is not None:
                text = _JS_MARKUP.sub("", tail[tag_end + 1 : close.start()])
        window = decoded[max(0, match.start() - 200) : match.end() + max(tag_end, 0)]
        hidden = None
        for style in _SCRIPT_STYLE.findall(window):
            hidden = hidden_reason(_declarations(style))
            if hidden:
                break
        link = _make_link(match.group(1), text, base, page_site, hidden, "script")
        if link is not None:
            found.append(link)
    return found


def same_site_links(html: str, url: str, limit: int) -> list[str]:
    """Up to ``limit`` distinct same-site http(s) links of a page, without fragments (cheap: no styles, no text)."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    host = (parts.hostname or "").lower()
    page_site = site_of(host)
    found: dict[str, None] = {}
    # tags("a") rather than css("a[href]"): a parser's first css() call builds lexbor's selector engine, which costs
    # as much as parsing this page. The <a> without an "href" attribute (css would also give <svg><a xlink:href>)
    # have no href to follow and are skipped below either way.
    for anchor in LexborHTMLParser(html).tags("a"):
        href = (anchor.attributes.get("href") or "").strip()
        if not href or href.startswith("#") or href[:11].lower().startswith(("javascript:", "mailto:", "tel:")):
            continue
        resolved = _resolve(href, url, origin, host)
        if resolved is not None and site_of(resolved[1]) == page_site:
            found.setdefault(resolved[0].split("#")[0], None)
            if len(found) >= limit:
                break
    return list(found)
