"""Every score, weight and threshold of the probe engine, in one place.

Scores are 0-100 (higher is better) except ``headers``, which is the MDN HTTP Observatory score as the
Observatory computes it (start at 100, add modifiers, bonuses only when the score without them is >= 90,
never below 0, so it can exceed 100); its grade table is ``OBSERVATORY_GRADES``. The Observatory's
per-test modifiers live beside its algorithm in ``observatory.py`` because they are a port of its tables.

A check's status comes from its score and the thresholds here: ``pass`` at or above the pass threshold,
``warn`` at or above the warn threshold, ``fail`` below; "does not apply" is ``pass`` with score None.
"""

from __future__ import annotations

# --- availability ---------------------------------------------------------------------------------------
#: A response slower than this is a warning (政府网站 practice counts > 15 s as a failure = the timeout).
SLOW_RESPONSE_MS = 3_000
#: Statuses a homepage may answer with and still be "available" (after redirects).
AVAILABLE_STATUSES = range(200, 400)
#: Score lost per second of latency above SLOW_RESPONSE_MS (floor at AVAILABILITY_SLOW_FLOOR).
AVAILABILITY_SLOW_PENALTY_PER_S = 10
AVAILABILITY_SLOW_FLOOR = 50
#: More redirects than this in the chain is a warning, scored at most AVAILABILITY_MANY_REDIRECTS_SCORE.
MAX_REDIRECTS_OK = 3
AVAILABILITY_MANY_REDIRECTS_SCORE = 80
#: Hard limit of redirects followed.
MAX_REDIRECTS = 10

# --- dns ---------------------------------------------------------------------------------------------------
DNS_PASS = 100  # at least one A or AAAA
DNS_NONE = 0  # no address at all

# --- IPv6 (internet.nl) -------------------------------------------------------------------------------------
#: ipv6 check: AAAA present (50) + reachable over IPv6 on the same port as IPv4 (50).
IPV6_AAAA_POINTS = 50
IPV6_REACHABLE_POINTS = 50
#: Bytes of each body compared v4 vs v6 (internet.nl compares up to 500 KB).
IPV6_CONTENT_COMPARE_BYTES = 500_000
#: At most this share of difference between the v4 and v6 page passes (internet.nl: 10 %).
IPV6_CONTENT_MAX_DIFFERENCE = 0.10
#: Same-site links sampled from the home page (level 2) and from those pages (level 3), as China's IPv6
#: monitoring measures them. The sample takes one link per host and first path segment before a second from
#: any of them (``http_checks.sample_links``), so every sub-domain and every part of the site is tried first.
IPV6_LINKS_LEVEL2_SAMPLE = 8
IPV6_LINKS_LEVEL3_SAMPLE = 4
#: Level-2 pages whose bodies are read to find level-3 links (the others are only checked for reachability).
IPV6_LINKS_BODIES = 2
#: Share of sampled same-site links reachable over IPv6 to pass / to warn.
IPV6_LINKS_PASS_SHARE = 0.95
IPV6_LINKS_WARN_SHARE = 0.50

# --- TLS (internet.nl: 1.3 good, 1.2 sufficient, 1.0/1.1 insufficient) ---------------------------------------
TLS_VERSIONS = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
TLS_INSECURE_VERSIONS = ("TLSv1", "TLSv1.1")
#: Score lost for each insecure protocol version offered.
TLS_INSECURE_PENALTY = 40
#: Score lost when TLS 1.3 is not offered (1.2 alone is "sufficient", not "good").
TLS_NO_13_PENALTY = 10
TLS_PROTOCOLS_PASS = 90
TLS_PROTOCOLS_WARN = 60
#: Certificates expiring within this many days warn; expired or invalid ones fail.
CERT_EXPIRY_WARN_DAYS = 30
CERT_EXPIRY_WARN_SCORE = 70

# --- HTTPS redirect and HSTS ---------------------------------------------------------------------------------
HTTPS_REDIRECT_OK = 100
HTTPS_REDIRECT_MISSING = 0
#: Redirects to HTTPS, but the first hop goes to another host (internet.nl / Observatory: same host first).
HTTPS_REDIRECT_OTHER_HOST = 70
#: HSTS max-age for full marks (1 year), and the minimum the Observatory accepts (6 months).
HSTS_FULL_MAX_AGE = 31_536_000
HSTS_MIN_MAX_AGE = 15_768_000
#: Score (a warning) for an HSTS header whose max-age is below HSTS_FULL_MAX_AGE: from HSTS_SHORT_MIN_SCORE,
#: rising with max-age, at most HSTS_SHORT_MAX_SCORE.
HSTS_SHORT_MIN_SCORE = 40
HSTS_SHORT_MAX_SCORE = 70

# --- headers: MDN HTTP Observatory grade table -------------------------------------------------------------
#: (minimum score, grade), first match wins; below the last → F.
OBSERVATORY_GRADES: tuple[tuple[int, str], ...] = (
    (100, "A+"),
    (90, "A"),
    (85, "A-"),
    (80, "B+"),
    (70, "B"),
    (65, "B-"),
    (60, "C+"),
    (50, "C"),
    (45, "C-"),
    (40, "D+"),
    (30, "D"),
    (25, "D-"),
)
OBSERVATORY_BONUS_THRESHOLD = 90
#: Our status from the Observatory grade: A-range passes, B/C warns, D/F fails.
HEADERS_PASS_SCORE = 85
HEADERS_WARN_SCORE = 50

# --- tampering ------------------------------------------------------------------------------------------------
#: Penalties (out of 100) for the share of the baseline's stable parts missing from the page now.
TAMPER_TEXT_WEIGHT = 40
TAMPER_DOM_WEIGHT = 20
TAMPER_LINKS_WEIGHT = 20
#: Per external link domain never seen in the baseline samples (capped).
TAMPER_NEW_DOMAIN_PENALTY = 5
TAMPER_NEW_DOMAIN_CAP = 20
#: Per script (external src or inline body) never seen in the baseline samples (capped).
TAMPER_NEW_SCRIPT_PENALTY = 15
TAMPER_NEW_SCRIPT_CAP = 30
#: The page title differs from the baseline's (home-page titles are stable; title hijacking is the usual SEO hack).
TAMPER_TITLE_PENALTY = 20
#: Gambling/porn words on the page that the baseline did not have: on its own enough to count as changed.
TAMPER_NEW_KEYWORD_PENALTY = 50
#: A page scoring below this differs from its baseline; repeated re-fetches must all differ to fail.
TAMPER_CHANGED_BELOW = 70
TAMPER_REFETCHES = 2
#: Stable parts kept in a baseline (bottom-k of the hashes, so containment is estimated on a sample).
TAMPER_SKETCH_SIZE = 2_000
#: DOM shape = the set of runs of this many consecutive opening tags (hashed).
TAMPER_DOM_SHINGLE = 3
#: A stable part must appear in at least this share of the baseline samples.
TAMPER_AGREEMENT = 1.0

# --- dark links (暗链) ---------------------------------------------------------------------------------------
DARK_OFFSCREEN_PX = 500
DARK_MIN_FONT_PX = 2
DARK_MAX_CSS_RULES = 2_000
#: Penalties (out of 100). Any finding with a gambling/porn keyword or domain takes DARK_KEYWORD_LINK_PENALTY.
#: A link to another, untrusted site hidden by a trick menus and tabs never use (DARK_SEO_TRICKS) is a
#: suspicion: it warns. Hidden by display:none, visibility:hidden, opacity:0 or the hidden attribute — what
#: drop-downs, tabs, carousels and share menus use — it is only counted, unless it matches the lists.
DARK_HIDDEN_EXTERNAL_PENALTY = 15
DARK_SEO_TRICKS = frozenset({"off-screen", "zero-font", "zero-size", "same-colour", "transparent-text", "clipped"})
DARK_KEYWORD_LINK_PENALTY = 60
DARK_SCRIPT_LINK_PENALTY = 20
DARK_ZERO_WIDTH_PENALTY = 20
DARK_CLOAKING_PENALTY = 60
DARK_REFERRER_HIJACK_PENALTY = 40
#: An iframe showing another, untrusted site hidden by a trick (0×0, off-screen: DARK_SEO_TRICKS); one in a
#: display:none tab is not reported.
DARK_HIDDEN_IFRAME_PENALTY = 60
#: A meta refresh or unconditional script redirect of the page to another, untrusted and unlisted site (a moved
#: site or a hijack: warn). A redirect to a listed gambling/porn site takes DARK_KEYWORD_LINK_PENALTY and fails.
DARK_EXTERNAL_REDIRECT_PENALTY = 20
#: Finding kinds that make dark_links fail whatever the score: cloaking and a referrer hijack. Any finding
#: matching the gambling/porn lists fails too. Everything else is a suspicion a person must look at: without a
#: failing finding the score does not go below DARK_WARN (a false accusation in a formal notice costs more
#: than a warning to check).
DARK_FAILING_KINDS = frozenset({"cloaking", "referrer-hijack"})
DARK_PASS = 100
DARK_WARN = 60
#: Evidence lists are cut to this many items.
EVIDENCE_ITEMS = 20

# --- sensitive words --------------------------------------------------------------------------------------
SENSITIVE_PENALTY_PER_WORD = 25
SENSITIVE_WARN_SCORE = 50
#: A listed word with a warning word (远离, 严禁, 抵制, 危害, 诈骗… ``wordlists.WARNING_CONTEXT``) in the same
#: clause, within this many characters before or after it, is part of a warning, not content: it is not counted.
SENSITIVE_WARNING_LOOKBACK = 40
SENSITIVE_WARNING_LOOKAHEAD = 20

# --- registrable-domain approximation ---------------------------------------------------------------------
SECOND_LEVEL_LABELS = frozenset({"edu", "gov", "com", "net", "org", "ac", "co", "mil"})
#: China's provincial second-level domains (xxx.sc.cn is its own site, not part of sc.cn).
CN_PROVINCE_LABELS = frozenset({
    "bj", "sh", "tj", "cq", "he", "sx", "nm", "ln", "jl", "hl", "js", "zj", "ah", "fj", "jx", "sd", "ha", "hb", "hn",
    "gd", "gx", "hi", "sc", "gz", "yn", "xz", "sn", "gs", "qh", "nx", "xj", "tw", "hk", "mo"})


def grade(score: int) -> str:
    """The Observatory's letter grade for a score."""
    for minimum, letter in OBSERVATORY_GRADES:
        if score >= minimum:
            return letter
    return "F"


def status_for(score: int, pass_at: int, warn_at: int) -> str:
    """pass / warn / fail from a score and the two thresholds."""
    if score >= pass_at:
        return "pass"
    if score >= warn_at:
        return "warn"
    return "fail"
