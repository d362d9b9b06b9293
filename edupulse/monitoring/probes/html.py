"""One pass over a page's HTML (selectolax/lexbor) giving everything the content checks need.

``parse_page`` is pure: HTML text + URL in, a frozen ``ParsedPage`` out. It resolves which elements are
hidden by CSS (inline styles and the page's own ``<style>`` blocks, matched with lexbor's selector engine),
the colours in effect (for "same colour as the background" links), the links with their anchor text, the
scripts, the visible text nodes and the DOM shape. External stylesheets are not fetched (a dark link hidden
only through an external stylesheet is missed — the cloaking and keyword checks still see it).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from urllib.parse import unquote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from edupulse.monitoring.probes import scoring

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


def _stylesheet_styles(tree: LexborHTMLParser, nodes: dict[int, LexborNode]) -> dict[int, dict[str, str]]:
    """Declarations from the page's ``<style>`` blocks, per matched element (by mem_id), in order. ``nodes``
    receives every matched element by mem_id."""
    styles: dict[int, dict[str, str]] = {}
    rules = 0
    reveal: list[str] = []  # selectors, without their :hover/:focus, of rules that show an element on interaction
    hiding: dict[str, list[LexborNode]] = {}  # selector → elements, of the rules setting display/visibility/opacity
    # selector → its elements (None: lexbor rejects it). A selector often comes back (in @media blocks, in another
    # rule for other properties), and each lexbor search walks the whole page.
    matched_by: dict[str, list[LexborNode] | None] = {}
    for style_node in tree.css("style"):
        css = _CSS_COMMENT.sub("", style_node.text(deep=True) or "")
        for selector_text, block in _CSS_RULE.findall(css):
            declarations = _declarations(block)
            if not declarations:
                continue
            rules += 1
            if rules > scoring.DARK_MAX_CSS_RULES:
                break
            for selector in selector_text.split(","):
                selector = selector.strip()
                if not selector:
                    continue
                if ":" in selector:  # pseudo-classes (:hover…) do not hide the resting state
                    # ".m:hover ul" shows the ul; ".m ul:hover" cannot: a display:none element is never hovered.
                    if (_reveals(declarations) and _INTERACTIVE_PSEUDO.search(selector)
                            and not _INTERACTIVE_PSEUDO.search(_COMBINATORS.split(selector)[-1])):
                        resting = _INTERACTIVE_PSEUDO.sub("", selector).strip()
                        if resting and ":" not in resting:
                            reveal.append(resting)
                    continue
                if selector in matched_by:
                    matched = matched_by[selector]
                else:
                    try:
                        matched = tree.css(selector)
                    except Exception:  # lexbor rejects selectors it does not support; skip those rules
                        matched = None
                    matched_by[selector] = matched
                if matched is None:
                    continue
                for node in matched:
                    mem_id = node.mem_id
                    styles.setdefault(mem_id, {}).update(declarations)
                    nodes[mem_id] = node
                if "display" in declarations or "visibility" in declarations or "opacity" in declarations:
                    hiding[selector] = matched  # even when empty: its :hover twin then matches nothing either
        if rules > scoring.DARK_MAX_CSS_RULES:
            break
    if reveal and any(hiding.values()):
        # A menu hidden at rest and shown on :hover/:focus is interactive, not hidden. The usual pair
        # (".m ul{display:none} .m:hover ul{display:block}") reuses the hiding rule's elements; the other revealing
        # rules take one lexbor call together (one per rule only if lexbor rejects one of the selectors).
        revealed: list[LexborNode] = []
        others = []
        for selector in dict.fromkeys(reveal):
            if selector in hiding:
                revealed.extend(hiding[selector])
            else:
                others.append(selector)
        if others:
            try:
                revealed.extend(tree.css(", ".join(others)))
            except Exception:
                for selector in others:
                    try:
                        revealed.extend(tree.css(selector))
                    except Exception:  # noqa: S112 — unsupported selector: that rule reveals nothing
                        continue
        for node in revealed:
            declared = styles.get(node.mem_id)
            if declared:
                for key in ("display", "visibility", "opacity"):
                    declared.pop(key, None)
    return styles


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


def _own_style(
    tree: LexborHTMLParser, with_styles: bool
) -> tuple[dict[int, OwnStyle], list[LexborNode], set[int] | None]:
    """Per element that declares anything relevant: (hidden reason, text colour, background colour); the page's
    frames (``<iframe src>``, ``<frame src>``); and the links that may be hidden (``_links_under_hiding``)."""
    nodes: dict[int, LexborNode] = {}  # every element in ``styles``, by mem_id
    styles = _stylesheet_styles(tree, nodes) if with_styles else {}
    for node in tree.css("[style]"):
        declarations = _declarations(node.attributes.get("style") or "")
        if declarations:
            mem_id = node.mem_id
            if node.tag == "marquee":  # a marquee clips what scrolls in it, as overflow:hidden does
                declarations.setdefault("overflow", "hidden")
            styles[mem_id] = {**styles.get(mem_id, {}), **declarations}
            nodes[mem_id] = node
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
    # Many elements declare the same thing (every <span> of a news list, every tab of a menu): each distinct set of
    # declarations is judged once.
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
    for node in hidden_attribute:
        reason, colour, background = own.get(node.mem_id, _NO_STYLE)
        hides = reason is not None and reason not in _UNDOES
        own[node.mem_id] = (reason if hides else "hidden-attribute", colour, background)
    return own, frames, _links_under_hiding(own, nodes)


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
    one of them hides itself or the link has a colour of its own, so a page costs well under a millisecond.
    """
    tree = LexborHTMLParser(html)
    base = url
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base = urljoin(url, base_node.attributes.get("href") or "")
    page_site = site_of(urlsplit(url).hostname or "")
    base_parts = urlsplit(base)
    base_origin = f"{base_parts.scheme}://{base_parts.netloc}" if base_parts.scheme in ("http", "https") else ""
    base_host = (base_parts.hostname or "").lower()
    title_node = tree.css_first("title")
    title = " ".join((title_node.text(deep=True) if title_node else "").split())

    own, frame_nodes, maybe_hidden = _own_style(tree, with_styles)
    inherited: dict[int, tuple[str | None, str | None]] = {}
    # With external stylesheets the page background is unknown: white links are not "same colour" by default.
    default_background = None if tree.css_first("link[rel~='stylesheet' i]") is not None else "#ffffff"
    links: list[Link] = []
    for anchor in tree.css(_LINKS):
        # As _make_link, inlined (it runs for every link): the target first, so that a link going nowhere
        # (#, javascript:…) costs neither its text nor its visibility.
        target = _link_target(anchor.attributes.get("href") or "", base, base_origin, base_host)
        if target is None:
            continue
        absolute, host = target
        text = anchor.text(deep=True) or ""
        # Link(href, text, host, external, hidden, source, zero_width), positionally: keywords cost more here.
        links.append(Link(absolute, " ".join(text.split())[:200], host, site_of(host) != page_site,
                          _link_visibility(anchor, own, inherited, default_background, maybe_hidden), "html",
                          has_zero_width(text)))
    frames: list[Link] = []
    for frame in frame_nodes:
        hidden = _inherited(frame, own, inherited)[0] if own else None
        if hidden is None:
            sizes = _declarations(frame.attributes.get("style") or "")
            for side in ("width", "height"):  # an iframe is a replaced element: 0 px is invisible without overflow
                px = _length_px(sizes.get(side) or frame.attributes.get(side))
                if px is not None and px <= 1:
                    hidden = "zero-size"
        link = _make_link(frame.attributes.get("src") or "", "", base, page_site, hidden, "html", base_origin,
                          base_host)
        if link is not None:
            frames.append(link)
    script_srcs: list[str] = []
    inline_scripts: list[str] = []
    scripts: list[tuple[str, str | None]] = []
    for script in tree.css("script"):
        attributes = script.attributes  # a new dict at each access: read once
        src = (attributes.get("src") or "").strip()
        scripts.append((src, attributes.get("integrity")))
        if src:
            script_srcs.append(urljoin(base, src))
        else:
            inline_scripts.append(script.text(deep=True) or "")
    metas = tuple(
        (
            (attributes.get("http-equiv") or "") if "http-equiv" in attributes else None,
            attributes.get("name"),
            attributes.get("content"),
        )
        for attributes in (meta.attributes for meta in tree.css("meta"))
    )

    redirects: list[Link] = []
    for equiv, _name, content in metas:
        if equiv is not None and equiv.strip().lower() == "refresh" and content:
            match = _META_REFRESH.match(content)
            if match:
                link = _make_link(match.group(1), "", base, page_site, None, "meta", base_origin, base_host)
                if link is not None:
                    redirects.append(link)

    referrer_hijack = False
    for body in inline_scripts:
        decoded = _decode_script(body)
        lowered = decoded.lower()
        if any(writer in lowered for writer in _SCRIPT_WRITERS):
            links.extend(_script_links(decoded, base, page_site))
        # "document.referrer" in the lower-cased script is what _REFERRER_HIJACK finds, without a case-insensitive
        # regex scan of every script (no other character case-folds to one of its letters).
        hijack = bool("document.referrer" in lowered and _SPIDER_NAMES.search(decoded)
                      and _HIJACK_ACTION.search(decoded))
        referrer_hijack = referrer_hijack or hijack
        if "location" in lowered:
            source = "referrer" if hijack else "script-conditional" if _CONDITIONAL.search(decoded) else "script"
            for match in _SCRIPT_REDIRECT.finditer(decoded):
                link = _make_link(match.group(1) or match.group(2), "", base, page_site, None, source)
                if link is not None:
                    redirects.append(link)

    tree.strip_tags(["script", "style", "template", "head"])
    root = tree.body or tree.root
    raw_text = root.text(deep=True, separator="\n") if root is not None else ""
    text_nodes = [title] if title else []
    zero_width_text = []
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
    dom_paths = _dom_paths(html)
    return ParsedPage(
        url=url,
        title=title,
        text_nodes=tuple(text_nodes),
        links=tuple(links),
        script_srcs=tuple(script_srcs),
        inline_scripts=tuple(inline_scripts),
        dom_paths=dom_paths,
        zero_width_text=tuple(zero_width_text),
        referrer_hijack=referrer_hijack,
        scripts=tuple(scripts),
        metas=metas,
        frames=tuple(frames),
        redirects=tuple(redirects),
    )


def _dom_paths(html: str) -> frozenset[int]:
    """Hashes of the distinct runs of ``scoring.TAMPER_DOM_SHINGLE`` consecutive tag names (lower case) in ``html``."""
    # Matching the page itself and lower-casing the tag names (ASCII) finds what matching the lower-cased page
    # finds, without lower-casing the whole page: lower() maps ASCII to ASCII, and every other character to
    # characters outside ASCII but these two ("İ".lower() == "i̇", "K".lower() == "k").
    tags = _TAG.findall(html if "\u0130" not in html and "\u212a" not in html else html.lower())
    width = scoring.TAMPER_DOM_SHINGLE
    runs = set(zip(*(tags[i:] for i in range(width)), strict=False)) if len(tags) >= width else {tuple(tags)}
    # Hash distinct runs only; runs differing only in case ("TD>A>B", "td>a>b") give the same hash.
    return frozenset(stable_hash(">".join(run).lower()) for run in runs)


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
