"""Dark-link and sensitive-word checks on the cases of the black-box audit (pure: fixture HTML → parse_page →
evaluate_*). Each test asserts what a user sees: the check's status and the finding kinds."""

from __future__ import annotations

import pytest

from edupulse.monitoring.probes import scoring
from edupulse.monitoring.probes.darklinks import (
    dark_links_result,
    evaluate_dark_links,
    evaluate_sensitive_words,
    sensitive_words_result,
    spider_redirect_finding,
)
from edupulse.monitoring.probes.html import parse_page
from edupulse.monitoring.probes.types import CheckOutcome
from edupulse.monitoring.probes.wordlists import is_trusted_host, keywords, sensitive_words

URL = "https://www.school.edu.cn/"


def _html(body: str, head: str = "", body_attrs: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>某某市第一中学</title>{head}</head>"
        f"<body{body_attrs}><ul class='nav'><li><a href='/'>首页</a></li><li><a href='/news/'>新闻</a></li></ul>"
        f"<p>学校坚持立德树人根本任务。</p>{body}"
        "<div class='footer'><a href='http://www.moe.gov.cn/'>教育部</a> "
        "<a href='https://beian.miit.gov.cn/'>京ICP备00000000号</a></div></body></html>"
    )


def dark(body: str, head: str = "", body_attrs: str = "") -> CheckOutcome:
    page = parse_page(_html(body, head, body_attrs), URL)
    return dark_links_result(evaluate_dark_links(page), cloaking_checked=False)


def kinds(result: CheckOutcome) -> set[str]:
    return {finding["kind"] for finding in result.evidence["findings"]}


def sensitive(body: str) -> CheckOutcome:
    return sensitive_words_result(evaluate_sensitive_words(parse_page(_html(body), URL)))


# --- 1. sensitive words inside a warning ---------------------------------------------------------------------
NOTICE = ("<p>学校开展“远离赌博、拒绝毒品”主题班会，教育学生抵制网络赌博和色情信息。</p>"
          "<p>本站严禁发布博彩、色情等违法信息，举报电话12377。</p>")


def test_anti_gambling_notice_passes() -> None:
    result = sensitive(NOTICE)
    assert (result.status, result.evidence["sensitive"], result.evidence["gambling_porn"]) == ("pass", [], [])


@pytest.mark.parametrize("text", [
    "<p>澳门赌场 在线博彩 注册送彩金</p>",
    NOTICE + "<p>澳门赌场 在线博彩 注册送彩金</p>",  # spam next to a notice still counts
    "<p>远离毒品。澳门赌场线上开户</p>",  # the warning ends with its clause
    "<p>拒绝毒品，拒绝烟酒，我们为你推荐最好的在线平台，立即体验六合彩</p>",  # warning word too far back
])
def test_gambling_spam_still_fails(text: str) -> None:
    result = sensitive(text)
    assert result.status == "fail"
    assert result.evidence["gambling_porn"]


@pytest.mark.parametrize("text", [
    "<p>赌博是违法行为，学生要远离。</p>",  # the warning comes after the word
    "<p>严禁参与以下违法活动：网络赌博、六合彩、时时彩等。</p>",  # a long list after the warning
    "<p>“法轮功”是危害社会的邪教组织。</p><p>揭批李洪志及其“法轮大法”歪理邪说。</p>",
    "<p>厚植红色情怀，争做时代新人；新时代考验青年担当。</p>",  # 红色情怀 is not 色情, 时代考验 is not 代考
    "<p>期中考试答案及评分标准已发布。配套现代化教学设施。太阳城小区志愿服务。</p>",
])
def test_warnings_and_ordinary_words_pass(text: str) -> None:
    result = sensitive(text)
    assert (result.status, result.evidence["sensitive"], result.evidence["gambling_porn"]) == ("pass", [], [])


def test_snippet_shows_the_counted_occurrence() -> None:
    result = sensitive("<p>远离赌博。</p><p>网上赌博平台注册</p>")
    assert result.status == "fail"
    assert "赌博平台" in result.evidence["snippets"][0]


def test_internal_news_title_with_warning_is_not_a_dark_link() -> None:
    result = dark("<ul><li><a href='/news/12.html'>我校开展抵制网络赌博宣传教育活动</a></li></ul>")
    assert (result.status, kinds(result)) == ("pass", set())


def test_external_link_text_is_never_a_warning() -> None:
    # Decision: the warning context applies to page text and own-site news titles only, not to links elsewhere.
    result = dark("<p>友情链接：<a href='http://www.partner.com/'>远离赌博 澳门赌场</a></p>")
    assert result.status == "fail" and kinds(result) == {"keyword-link"}


# --- 2. hover drop-downs -------------------------------------------------------------------------------------
@pytest.mark.parametrize("pseudo", [":hover", ":focus-within", ":active"])
def test_hover_dropdown_is_not_hidden(pseudo: str) -> None:
    head = f"<style>.yqlj ul{{display:none}}.yqlj{pseudo} ul{{display:block}}</style>"
    body = ("<div class='yqlj'>友情链接<ul><li><a href='http://www.partner-school.com/'>兄弟学校</a></li>"
            "<li><a href='http://www.jyb.cn/'>中国教育新闻网</a></li></ul></div>")
    page = parse_page(_html(body, head), URL)
    assert all(link.hidden is None for link in page.links)
    result = dark_links_result(evaluate_dark_links(page), cloaking_checked=False)
    assert (result.status, kinds(result)) == ("pass", set())


@pytest.mark.parametrize("head", [
    "<style>.yqlj ul{display:none}.yqlj:hover a{color:red}</style>",  # the hover rule shows nothing
    "<style>.yqlj ul{display:none}.yqlj ul:hover{display:block}</style>",  # a display:none ul is never hovered
])
def test_hidden_without_reveal_rule_is_still_hidden(head: str) -> None:
    body = "<div class='yqlj'><ul><li><a href='http://www.partner-school.com/'>兄弟学校</a></li></ul></div>"
    [link] = [link for link in parse_page(_html(body, head), URL).links if "partner" in link.href]
    assert link.hidden == "display:none"
    # Hidden the way menus are hidden, matching no list: counted, not reported (scoring.DARK_SEO_TRICKS).
    result = dark(body, head)
    assert result.status == "pass" and result.evidence["hidden_external_links"] == 1
    spam = dark(body.replace("兄弟学校", "澳门赌场"), head)
    assert spam.status == "fail" and kinds(spam) == {"hidden-link"}


def test_sibling_button_reveals_menu() -> None:
    head = "<style>.menu{display:none}.btn:focus + .menu, .btn:hover ~ .menu{display:block}</style>"
    result = dark("<button class='btn'>更多</button><div class='menu'><a href='http://www.partner.com/'>合作</a></div>",
                  head)
    assert result.status == "pass"


# --- 3. common widgets on a clean page ------------------------------------------------------------------------
CLEAN_WIDGETS = (
    "<div class='weixin' style='display:none'><img src='/qr.png'><a href='https://mp.weixin.qq.com/s/abc'>官方微信</a></div>"
    "<script>document.write('<a target=\"_blank\" href=\"http://www.beian.gov.cn/portal/registerSystemInfo?recordcode="
    "11000002000001\"><img src=\"/ga.png\">京公网安备 11000002000001号</a>');</script>"
    "<script>if(document.referrer.indexOf(\"baidu.com\")>-1){console.log(\"from baidu\");}</script>"
    "<script>var _hmt=_hmt||[];(function(){var hm=document.createElement('script');"
    "hm.src='https://hm.baidu.com/hm.js?0123';})();</script>"
)


def test_clean_widgets_pass() -> None:
    result = dark(CLEAN_WIDGETS)
    assert (result.status, result.score, kinds(result)) == ("pass", 100, set())
    assert result.evidence["trusted_hidden_links"] == 2


def test_trusted_domain_with_list_word_is_still_a_dark_link() -> None:
    result = dark("<div style='display:none'><a href='http://x.gov.cn/'>澳门赌场</a></div>")
    assert result.status == "fail" and kinds(result) == {"hidden-link"}


def test_referrer_hijack_fails() -> None:
    script = ("<script>var r=document.referrer;if(r.indexOf('baidu')>0||r.indexOf('sogou')>0)"
              "{window.location.href='http://www.hijack-site.com/';}</script>")
    result = dark(script)
    assert result.status == "fail" and kinds(result) == {"referrer-hijack"}
    assert result.evidence["findings"][0]["href"] == "http://www.hijack-site.com/"


def test_trusted_hosts() -> None:
    assert is_trusted_host("mp.weixin.qq.com") and is_trusted_host("www.beian.gov.cn") and is_trusted_host("gov.cn")
    assert not is_trusted_host("notgov.cn") and not is_trusted_host("qq.com.evil.com")


# --- 4. zero-size containers and hidden frames -------------------------------------------------------------------
@pytest.mark.parametrize("body", [
    "<marquee height='1' width='1' scrollamount='3000'><a href='http://www.lhc-tm.com/'>特码</a></marquee>",
    "<marquee scrollamount='10000' style='width:1px;height:1px'><a href='http://www.x-site.com/'>资料</a></marquee>",
    "<div width='0' height='0'><a href='http://www.x-site.com/'>资料</a></div>",
    "<table width='1' height='1'><tr><td><a href='http://www.x-site.com/'>资料</a></td></tr></table>",
])
def test_tiny_containers_hide_links(body: str) -> None:
    result = dark(body)
    # A trick no menu uses: reported; without a list match a warning for a person to check, with one a failure.
    assert result.status == ("fail" if "特码" in body else "warn") and kinds(result) == {"hidden-link"}
    assert result.evidence["findings"][0]["reason"] == "zero-size"


@pytest.mark.parametrize("frame", [
    "<iframe src='http://www.iframe-site.com/' width='0' height='0' frameborder='0'></iframe>",
    "<div style='position:absolute;left:-9999px'><iframe src='http://www.iframe-site.com/'></iframe></div>",
])
def test_hidden_external_iframe_warns(frame: str) -> None:
    result = dark(frame)
    assert result.status == "warn" and kinds(result) == {"hidden-iframe"}
    assert result.evidence["finding_count"] == 1
    listed = dark(frame.replace("iframe-site", "bet365"))
    assert listed.status == "fail" and kinds(listed) == {"hidden-iframe"}


def test_iframe_in_a_hidden_tab_passes() -> None:
    assert dark("<div style='display:none'><iframe src='https://player.youku.com/embed/x' width='510'></iframe>"
                "</div>").status == "pass"


@pytest.mark.parametrize("frame", [
    "<iframe src='http://www.iframe-site.com/map' width='600' height='400'></iframe>",  # a visible map
    "<iframe src='/inner.html' width='0' height='0'></iframe>",  # own site
    "<iframe src='https://www.example.gov.cn/stat' width='0' height='0'></iframe>",  # trusted counter
])
def test_visible_or_own_iframe_passes(frame: str) -> None:
    assert dark(frame).status == "pass"


def test_spacer_cells_do_not_hide_links() -> None:
    result = dark("<table><tr><td width='1' bgcolor='#cccccc'></td><td><a href='http://www.x-site.com/'>资料</a>"
                  "</td></tr></table><img src='/1.gif' width='1' height='1'>")
    assert result.status == "pass"


# --- 5. a link to another site hidden by a trick menus never use warns; with a list match it fails -----------------
@pytest.mark.parametrize("body, head, body_attrs, reason", [
    ("<p><font color='#ffffff'><a href='http://www.dafa-site.com/' style='color:#ffffff'>大发</a></font></p>", "",
     " bgcolor='#ffffff'", "same-colour"),
    ("<div class='fl'><a href='http://www.some-seo-shop.com/'>外贸网站建设</a></div>",
     "<style>.fl{position:absolute;left:-9999px;top:-9999px}</style>", "", "off-screen"),
    ("<div style='position:absolute;clip:rect(0 0 0 0)'><a href='http://www.clip-site.com/'>资料</a></div>", "", "",
     "clipped"),
    ("<div style='position:absolute;clip-path:inset(50%)'><a href='http://www.clip-site.com/'>资料</a></div>", "", "",
     "clipped"),
    ("<div class='foot'><a class='x' href='http://www.bgcls-site.com/'>资料</a></div>",
     "<style>.foot{background:#003366}.foot a.x{color:#003366}</style>", "", "same-colour"),
    ("<div bgcolor='#000000'><a href='http://www.black-site.com/' style='color:#000'>资料</a></div>", "", "",
     "same-colour"),
])
def test_hidden_external_link_by_a_trick_warns(body: str, head: str, body_attrs: str, reason: str) -> None:
    result = dark(body, head, body_attrs)
    assert result.status == "warn" and kinds(result) == {"hidden-link"}
    assert result.evidence["findings"][0]["reason"] == reason
    spam = dark(body.replace("资料", "六合彩").replace("外贸网站建设", "六合彩").replace("大发", "六合彩"),
                head, body_attrs)
    assert spam.status == "fail"


@pytest.mark.parametrize("body, head", [
    ("<div style='font-size:0'><span style='font-size:14px'><a href='http://www.hxjyj.net/'>教育局</a></span></div>", ""),
    ("<ul class='yqlj'><li><a href='http://www.hxjyj.net/'>教育局</a></li></ul>",
     "<style>.yqlj{font-size:0}.yqlj li{font-size:14px}</style>"),
    ("<div style='visibility:hidden'><p style='visibility:visible'><a href='http://www.hxjyj.net/'>教育局</a></p></div>", ""),
    ("<div class='footer'><a href='http://www.hxjyj.net/'>教育局</a></div>",
     "<style>body{background:#fff}.footer{background:url(foot_bg.jpg)}.footer a{color:#fff}</style>"),
    ("<table background='nav_bg.jpg'><tr><td><a href='http://www.hxjyj.net/'><font color='#FFFFFF'>教育局</font></a>"
     "</td></tr></table>", ""),
])
def test_common_layout_idioms_do_not_hide_links(body: str, head: str) -> None:
    page = parse_page(_html(body, head), URL)
    assert [link.hidden for link in page.links if "hxjyj" in link.href] == [None]


def test_menus_tabs_and_share_popups_hidden_by_display_none_pass() -> None:
    body = ("<div id='shareMenu' style='display:none'><a href='http://tieba.baidu.com/f/commit/share'>百度贴吧</a>"
            "<a href='https://www.douban.com/share'>豆瓣</a></div>"
            "<div id='con_3' style='display:none'><a href='http://www.hxnews.com/1.html'>县新闻</a></div>"
            "<ul class='sub' hidden><li><a href='http://www.hxyz.com.cn/'>华县一中</a></li></ul>")
    result = dark(body)
    assert result.status == "pass" and result.evidence["hidden_external_links"] == 4


def test_white_link_with_unknown_background_is_not_hidden() -> None:
    # An external stylesheet may paint a dark footer: a white link there is visible.
    head = "<link rel='stylesheet' href='/s.css'>"
    assert dark("<p><a href='http://www.partner.com/' style='color:#fff'>合作单位</a></p>", head).status == "pass"


def test_hidden_internal_link_is_fine() -> None:
    result = dark("<div style='display:none'><a href='/login/'>登录</a></div>")
    assert result.status == "pass" and result.evidence["hidden_internal_links"] == 1


# --- 6. links written by scripts --------------------------------------------------------------------------------------
@pytest.mark.parametrize("script", [
    "<script>document.write('<a href=\"http://www.hg-site.com/\">皇冠体育</a>');</script>",
    r'<script>document.write("\u003ca href=\u0022http://www.hg-site.com/\u0022\u003e\u7687\u51a0\u4f53\u80b2'
    r'\u003c/a\u003e");</script>',
    r'<script>document.write("\x3ca href=\x22http://www.hg-site.com/\x22\x3e\u7687\u51a0\u4f53\u80b2\x3c/a\x3e");'
    r"</script>",
    "<script>document.write('<a href=\"http://www.hg-site.com/\"><b>皇冠</b>' + '体育</a>');</script>",
])
def test_script_written_link_text_is_matched(script: str) -> None:
    page = parse_page(_html(script), URL)
    [link] = [link for link in page.links if link.source == "script"]
    assert link.text == "皇冠体育"
    result = dark_links_result(evaluate_dark_links(page), cloaking_checked=False)
    assert result.status == "fail" and result.evidence["findings"][0]["matches"] == ["皇冠体育"]


def test_script_written_hidden_link() -> None:
    script = ("<script>document.write(\"<div style='position:absolute;left:-9999px'><a href='http://www.some-site.com/'>"
              "资料</a></div>\");</script>")
    result = dark(script)
    assert result.status == "warn" and kinds(result) == {"hidden-link"}
    assert dark(script.replace("资料", "百家乐")).status == "fail"


def test_char_code_obfuscation_is_decoded() -> None:
    codes = ",".join(str(ord(ch)) for ch in "<a href='http://www.x-site.com/'>百家乐</a>")
    result = dark(f"<script>document.write(String.fromCharCode({codes}));</script>")
    assert result.status == "fail" and result.evidence["findings"][0]["matches"] == ["百家乐"]


def test_script_written_visible_link_only_warns() -> None:
    result = dark("<script>document.write('<a href=\"http://www.partner.com/\">合作单位</a>');</script>")
    assert result.status == "warn" and kinds(result) == {"script-link"}


# --- 7. redirects ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("head, body", [
    ("<meta http-equiv='refresh' content='3;url=http://www.js333.com/'>", ""),
    ("<meta http-equiv='Refresh' content=\"0; URL='http://www.site.com/澳门赌场/'\">", ""),
    ("", "<script>window.location.href=\"http://www.hg0088.com/\";</script>"),
    ("", "<script>location.replace('https://www.bet365.com/zh');</script>"),
])
def test_redirect_to_listed_site_fails(head: str, body: str) -> None:
    result = dark(body, head)
    assert result.status == "fail" and kinds(result) == {"redirect"}
    assert result.evidence["findings"][0]["href"].startswith("http")


@pytest.mark.parametrize("head, body", [
    ("<meta http-equiv='refresh' content='0;url=https://www.newschool.edu.cn/'>", ""),  # moved to a trusted site
    ("<meta http-equiv='refresh' content='300'>", ""),  # reloads itself
    ("<meta http-equiv='refresh' content='0;url=/portal/'>", ""),  # own site
    ("", "<script>if(x==1){window.location='http://www.other-site.com/';}</script>"),  # conditional
    ("", "<script>function go(){location.href='http://mail.other-site.com/';}</script>"),  # a button's handler
])
def test_ordinary_redirects_pass(head: str, body: str) -> None:
    assert dark(body, head).status == "pass"


@pytest.mark.parametrize("head, body", [
    ("<meta http-equiv='refresh' content='3;url=http://www.meta-other.com/'>", ""),
    ("", "<script>window.location.href=\"http://www.jsredir-other.com/\";</script>"),
])
def test_unconditional_redirect_to_unlisted_site_warns(head: str, body: str) -> None:
    result = dark(body, head)
    assert (result.status, kinds(result)) == ("warn", {"redirect"})
    assert result.score == 100 - scoring.DARK_EXTERNAL_REDIRECT_PENALTY


# --- 8. keyword lists -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["开云体育官网", "九游会", "澳门银河", "乐鱼体育", "金沙娱乐", "澳門賭場", "六合彩開獎",
                                  "百家樂", "皇冠體育"])
def test_new_gambling_keywords(text: str) -> None:
    assert keywords().find(text)


@pytest.mark.parametrize("text", ["金沙江畔", "永利小学", "银河系科普", "开云南省", "平台独立开发", "西藏独特风光",
                                  "新疆独特美食", "香港独特文化", "体育彩票公益金资助", "成人高考报名"])
def test_ordinary_words_are_not_listed(text: str) -> None:
    assert not keywords().find(text) and not sensitive_words().find(text)


def test_political_words() -> None:
    assert sensitive("<p>法轮大法好</p>").evidence["sensitive"] == ["法轮大法"]
    assert sensitive("<p>崇尚科学，坚决抵制法轮功邪教。</p>").status == "pass"


def test_brand_links_fail() -> None:
    result = dark("<p>友情链接：<a href='http://www.kaiyun-ty.com/'>开云体育官网</a> "
                  "<a href='http://www.trad-site.com/'>澳門賭場</a></p>")
    assert result.status == "fail" and kinds(result) == {"keyword-link"}


# --- 9. spider redirected elsewhere ------------------------------------------------------------------------------------
def test_spider_redirect_finding() -> None:
    finding = spider_redirect_finding(URL, None, "http://www.spider302-bet.com/")
    assert finding is not None and finding.kind == "cloaking"
    assert finding.href == "http://www.spider302-bet.com/"
    assert spider_redirect_finding(URL, "http://www.js333.com/", None).matches == ("js333",)  # type: ignore[union-attr]
    assert spider_redirect_finding(URL, "https://news.school.edu.cn/", "https://news.school.edu.cn/") is None
    assert spider_redirect_finding(URL, URL, "/index.html") is None  # relative: same site
    assert spider_redirect_finding(URL, None, None) is None
    assert spider_redirect_finding(URL, None, "//evil.example.com/x").href == "https://evil.example.com/x"  # type: ignore[union-attr]


def test_spider_only_meta_refresh_is_cloaking() -> None:
    browser = parse_page(_html(""), URL)
    spider = parse_page(_html("", "<meta http-equiv='refresh' content='0;url=http://www.spider-only.com/'>"), URL)
    result = dark_links_result(evaluate_dark_links(browser, spider), cloaking_checked=True)
    assert result.status == "fail" and kinds(result) == {"cloaking"}
    assert result.evidence["findings"][0]["href"] == "http://www.spider-only.com/"


def test_failing_kinds_are_documented() -> None:
    assert {"cloaking", "referrer-hijack"} == scoring.DARK_FAILING_KINDS


@pytest.mark.parametrize("script", [
    # a visit counter sends the referrer along; "360" is in its id, "location" is a query parameter
    "<script>document.write(\"<img src='http://count.51yes.com/sa.aspx?id=13600001&refe=\"+escape(document.referrer)"
    "+\"&location=\"+escape(document.location)+\"'>\");</script>",
    "<script>var ref=document.referrer;if(ref.indexOf('baidu.com')>-1){document.write('<img src=\"/stat.gif\">')}"
    "</script>",
])
def test_counting_search_visitors_is_not_a_hijack(script: str) -> None:
    assert dark(script).status == "pass"


def test_many_tricks_without_a_list_match_still_only_warn() -> None:
    body = "".join(f"<div style='position:absolute;left:-9999px'><a href='http://www.seo{i}.com/'>外贸</a></div>"
                   for i in range(8))
    result = dark(body)
    assert result.status == "warn" and result.score == scoring.DARK_WARN and result.evidence["finding_count"] == 8
