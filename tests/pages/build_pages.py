"""Build the saved news pages under ``tests/pages/``: run ``python -m tests.pages.build_pages``.

Each layout is one invented story on one invented outlet, saved as the series of
pages a watcher would have fetched: ``v1.html``, ``v2.html``, … plus a
``manifest.json`` that states, for every page, the article the extractor must
find (headline, byline, Posted/Updated, paragraphs) and what a correct
comparison with the previous page reports (new / unchanged / changed /
timestamp_only, declared / stealth, flags, sentences added and removed).

The article text of every version comes from the story text plus a list of
edit operations; the page around it (menus, "most read" lists with their own
dates, ad slots, clocks, counters, cookie banners, comments) is regenerated for
every fetch from a seeded random generator, so noise-only steps change the page
a lot and the article not at all. Everything is deterministic: running the
script twice writes the same bytes.

The manifest's ``expect``/``kind``/``flags``/``added``/``removed``/
``reverts_to`` are computed from the article versions and then checked against
what each step declares, so a mistake in a story script fails the build
instead of slipping into the ground truth.
"""

from __future__ import annotations

import html
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as a plain script: make ``monitor`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from monitor.text import clean_text, comparison_key

HERE = Path(__file__).resolve().parent

# --------------------------------------------------------------------------- text tools


def one_line(text: str) -> str:
    """A sentence written over several source lines, folded to one line."""
    return " ".join(text.split())


def parse_body(text: str) -> tuple[tuple[str, ...], ...]:
    """Paragraphs are separated by blank lines; a sentence starts at column 0 and
    continues on lines indented by two spaces."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        sentences: list[str] = []
        for line in block.splitlines():
            if not line.strip():
                continue
            if line.startswith(" "):
                sentences[-1] += " " + line.strip()
            else:
                sentences.append(line.strip())
        paragraphs.append(tuple(sentences))
    return tuple(paragraphs)


_NUMBER_WORDS = re.compile(
    r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|dozens?|half|thirds?)\b",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_QUOTED = re.compile(r'"([^"]*)"')
_CORRECTION = re.compile(
    r"^(?:correction|clarification)\b|earlier version of this article|"
    r"was amended .*to correct|바로잡",
    re.IGNORECASE,
)


def numbers_in(sentence: str) -> list[str]:
    key = comparison_key(sentence)
    return _DIGITS.findall(key) + [w.lower() for w in _NUMBER_WORDS.findall(key)]


def quotes_in(sentence: str) -> list[str]:
    return _QUOTED.findall(comparison_key(sentence))


def curl(text: str) -> str:
    """What a CMS "smart quotes" filter does to straight quotes and apostrophes."""
    text = re.sub(r'(^|[\s(\[—-])"', "\\1\u201c", text)
    return text.replace('"', "\u201d").replace("'", "\u2019")


# --------------------------------------------------------------------------- article model


@dataclass(frozen=True)
class Art:
    """The article as one page version shows it."""

    title: str
    byline: str  # as the page shows it: "A and B" (the manifest lists names joined by ", ")
    posted: datetime
    updated: datetime | None
    paras: tuple[tuple[str, ...], ...]

    def raw(self) -> list[str]:
        """Paragraph text as the page writes it (non-breaking spaces kept)."""
        return [" ".join(p) for p in self.paras]

    def paragraphs(self) -> list[str]:
        return [clean_text(" ".join(p)) for p in self.paras]

    def sentences(self) -> list[str]:
        return [clean_text(s) for p in self.paras for s in p]

    def key(self) -> tuple[str, str, tuple[str, ...]]:
        """What a version is compared on: headline, byline and body, typography folded."""
        return (
            comparison_key(self.title),
            comparison_key(self.byline),
            tuple(comparison_key(p) for p in self.paragraphs()),
        )


Op = tuple  # ("sub", old, new) and friends: see apply_ops


def _find(paras: list[list[str]], needle: str) -> tuple[int, int]:
    hits = [
        (i, j)
        for i, para in enumerate(paras)
        for j, sentence in enumerate(para)
        if needle in sentence
    ]
    if len(hits) != 1:
        raise ValueError(f"{needle!r} found in {len(hits)} sentences, expected exactly one")
    return hits[0]


def apply_ops(art: Art, ops: tuple[Op, ...]) -> Art:
    title, byline, updated = art.title, art.byline, art.updated
    paras = [list(p) for p in art.paras]
    for op in ops:
        name, args = op[0], op[1:]
        if name == "title":
            title = args[0]
        elif name == "byline":
            byline = args[0]
        elif name == "updated":
            updated = args[0]
        elif name == "sub":  # replace a piece of one sentence
            old, new = args
            i, j = _find(paras, old)
            if paras[i][j].count(old) != 1:
                raise ValueError(f"{old!r} occurs more than once in its sentence")
            paras[i][j] = paras[i][j].replace(old, new)
        elif name == "replace":  # replace a whole sentence
            i, j = _find(paras, args[0])
            paras[i][j] = one_line(args[1])
        elif name == "add":  # a sentence after the one containing the anchor
            i, j = _find(paras, args[0])
            paras[i].insert(j + 1, one_line(args[1]))
        elif name == "drop":
            i, j = _find(paras, args[0])
            del paras[i][j]
            if not paras[i]:
                raise ValueError("drop emptied a paragraph: use drop_para")
        elif name == "drop_para":
            i, _ = _find(paras, args[0])
            del paras[i]
        elif name == "add_para":  # after the paragraph holding the anchor; "TOP" / "END"
            anchor, sentences = args[0], [one_line(s) for s in args[1:]]
            if anchor == "TOP":
                at = 0
            elif anchor == "END":
                at = len(paras)
            else:
                at = _find(paras, anchor)[0] + 1
            paras.insert(at, sentences)
        elif name == "curl":
            paras = [[curl(s) for s in para] for para in paras]
        else:
            raise ValueError(f"unknown op {name!r}")
    return Art(title, byline, art.posted, updated, tuple(tuple(p) for p in paras))


@dataclass(frozen=True)
class Step:
    """One fetch after the first: what changed and what a correct checker reports."""

    expect: str  # unchanged / changed / timestamp_only
    note: str
    ops: tuple[Op, ...] = ()
    kind: str | None = None
    flags: tuple[str, ...] = ()
    reverts_to: int | None = None
    gap_minutes: int = 55  # how long after the previous fetch this page was fetched


@dataclass
class Story:
    layout: str
    outlet: str
    host: str
    url: str
    timezone: str | None  # for naive page times; None when the page gives offsets
    display_tz: str  # the outlet's local time, for clocks and sidebars
    encoding: str
    first: Art
    steps: list[Step]
    render: Callable[[Story, Art, Noise, int], str]
    pool: list[tuple[str, str, str]]
    times: str = ""  # how the page states Posted/Updated, for the README
    extra: dict[str, object] = field(default_factory=dict)


def dt(text: str, zone: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


# --------------------------------------------------------------------------- noise


POOL_EN: list[tuple[str, str, str]] = [
    ("Business", "Regional airline adds direct flights to three coastal cities",
     "The carrier says the new routes will start in the spring and use its newest jets."),
    ("Politics", "Mayor unveils budget with smaller property tax increase",
     "The proposal would raise the average homeowner's bill by less than expected."),
    ("Sport", "Late penalty sends Rovers into cup semi-final",
     "A stoppage-time spot kick settled a tense tie in front of a sell-out crowd."),
    ("Health", "Hospital waiting lists fall for the first time in two years",
     "Figures published on Monday show a small drop in patients waiting for surgery."),
    ("Education", "School board delays vote on later start times",
     "Parents packed the meeting to argue for and against the plan."),
    ("Crime", "Police appeal for witnesses after jewellery shop raid",
     "Officers say two men on a motorbike fled with watches and rings."),
    ("Technology", "Phone maker recalls chargers over overheating fears",
     "Customers are being told to stop using the affected plugs immediately."),
    ("Environment", "Rare orchids return to restored wetland",
     "Volunteers spent four years clearing scrub from the site."),
    ("Culture", "Jazz festival announces headline acts for summer",
     "Organisers promise the biggest line-up in the event's history."),
    ("Transport", "Bridge repairs to close main road for six weeks",
     "Drivers are being warned to expect long delays while the work is carried out."),
    ("Business", "Bakery chain to open 40 new stores despite rising costs",
     "The company said sales had held up better than expected."),
    ("Weather", "Forecasters warn of strong winds along the coast",
     "Gusts could reach gale force on exposed headlands on Friday."),
    ("Politics", "Senator faces questions over campaign donations",
     "An ethics panel has asked for records covering the last two elections."),
    ("Science", "Astronomers spot comet that will be visible to the naked eye",
     "The comet should be at its brightest just after sunset late next month."),
    ("Housing", "Rents climb again as supply of new homes slows",
     "A new report says tenants are spending a larger share of income on housing."),
    ("Sport", "Veteran goalkeeper announces retirement at 38",
     "He made more than 500 appearances over a 20-year career."),
    ("Food", "Family-run diner closes after 62 years",
     "Regulars queued around the block for a final breakfast."),
    ("Crime", "Man charged after crash that injured cyclist",
     "The cyclist remains in hospital in a stable condition."),
    ("Technology", "City council approves free public Wi-Fi downtown",
     "The network is expected to go live by the end of the year."),
    ("Environment", "Water company fined for sewage spills into river",
     "Regulators said the company had failed to report several incidents."),
    ("Health", "New clinic aims to cut emergency room waits",
     "The walk-in centre will open seven days a week."),
    ("Business", "Factory to cut 300 jobs as orders dry up",
     "Unions say they will fight to save as many jobs as possible."),
    ("Opinion", "Our towns need more than a fresh coat of paint",
     "Regeneration schemes too often ignore the people who live there."),
    ("Culture", "Museum unveils restored 18th-century map of the harbour",
     "Conservators spent months repairing the fragile parchment."),
    ("Travel", "The best winter walks within an hour of the city",
     "From frosty ridges to quiet woodland trails, here are our picks."),
    ("Sport", "Marathon route changed after roadworks",
     "Runners will now finish in the park rather than on the seafront."),
    ("Politics", "Union leaders to meet ministers over pay offer",
     "Talks are expected to focus on the length of the proposed deal."),
    ("Education", "University applications rise among older students",
     "More people over 25 are returning to study, new figures suggest."),
    ("Science", "Fossil hunters find giant footprint on beach",
     "Experts believe it was left by a plant-eating dinosaur."),
    ("Crime", "Fraud gang targeted elderly victims, court hears",
     "Prosecutors say the group posed as bank staff on the phone."),
    ("Transport", "Train operator promises fewer cancellations this winter",
     "The company has hired more drivers and repaired its older carriages."),
    ("Business", "Local brewery wins national award",
     "Its dark ale beat more than 200 entries from around the country."),
    ("Environment", "Plan to plant a million trees by 2030 falls behind",
     "Fewer than a fifth of the saplings have gone in so far."),
    ("Health", "Flu cases rise earlier than usual this season",
     "Doctors are urging people in high-risk groups to get vaccinated."),
    ("Culture", "Theatre saved from closure by community buy-out",
     "Hundreds of residents bought shares to keep the doors open."),
    ("Technology", "Start-up raises funds for battery recycling plant",
     "The plant would recover metals from old electric car batteries."),
    ("World", "Earthquake shakes coastal region, no damage reported",
     "The tremor was felt in several towns but lasted only seconds."),
    ("World", "Election count delayed after storm damages polling stations",
     "Officials say results may not be known until the weekend."),
    ("Lifestyle", "How to keep your energy bills down this winter",
     "Small changes at home can make a noticeable difference."),
    ("Sport", "Rowing club celebrates centenary with regatta",
     "Crews from across the region took part in the races."),
    ("Politics", "Council leader survives no-confidence vote",
     "The motion was defeated by a narrow margin after a heated debate."),
    ("Business", "Port handles record number of containers",
     "Managers credit a new crane system for the rise in traffic."),
    ("Opinion", "Why local news matters more than ever",
     "Without reporters in the room, decisions go unexamined."),
    ("Crime", "Stolen painting recovered in garage raid",
     "The work had been missing from a private collection for a decade."),
    ("Housing", "Tower block residents to be rehoused during repairs",
     "The work is expected to take at least 18 months."),
]  # fmt: skip

POOL_KO: list[tuple[str, str, str]] = [
    ("정치", "여야, 추경 협상 막판 진통…본회의 처리 불투명", ""),
    ("경제", "기준금리 동결에 대출 금리 하락세 이어질까", ""),
    ("사회", "출근길 지하철 고장으로 30분 지연…시민 불편", ""),
    ("사회", "미세먼지 '나쁨'…수도권 비상저감조치 발령", ""),
    ("국제", "일본 동북부 규모 5.8 지진…쓰나미 우려 없어", ""),
    ("문화", "국립박물관, 고려 불화 특별전 개막", ""),
    ("스포츠", "프로야구 개막전 매진…관중 10만 명 몰려", ""),
    ("경제", "반도체 수출 석 달 만에 반등", ""),
    ("사회", "초등학교 돌봄교실 신청 경쟁 치열", ""),
    ("IT", "5G 요금제 출시 앞두고 통신3사 경쟁 가열", ""),
    ("사회", "고속도로 졸음운전 사고 잇따라…경찰 단속 강화", ""),
    ("경제", "서울 아파트값 20주 연속 하락", ""),
    ("정치", "국회의장, 개헌 논의 재개 제안", ""),
    ("문화", "한옥마을 봄꽃 축제 다음 달 개막", ""),
    ("사회", "전국 초미세먼지 농도 올해 최고치", ""),
    ("스포츠", "축구대표팀, 평가전서 2-1 역전승", ""),
    ("생활", "봄철 황사 대비 건강 관리 요령", ""),
    ("경제", "편의점 업계, 무인 점포 확대", ""),
    ("국제", "중국 양회 폐막…성장률 목표 6%대", ""),
    ("사회", "대학가 원룸 월세 상승…학생들 부담 커져", ""),
    ("날씨", "내일 전국 흐리고 비…기온 평년보다 낮아", ""),
    ("IT", "인공지능 스피커 판매 급증", ""),
    ("사회", "119 구급대원 폭행 올해만 50건", ""),
    ("경제", "중소기업 체감경기 석 달째 악화", ""),
]

SPONSORED = [
    ("Doctors are stunned by this simple morning habit", "HealthyDaily"),
    ("This new gadget cuts heating bills in half", "SmartHome Review"),
    ("Homeowners are switching to this little-known trick", "Better Living Tips"),
    ("The investment strategy retirees swear by", "Wealth Weekly"),
    ("Seniors in your area may qualify for free hearing aids", "HearWell"),
    ("Why everyone is talking about this new travel card", "CardCompare"),
    ("The sofa that is selling out everywhere", "Comfort Living"),
    ("Forget expensive hotels: book this instead", "Trip Deals"),
]

COMMENTS = [
    ("BayWatcher", "Third breach at a local provider in two years. Who is auditing these systems?"),
    ("mkrueger", "My mother had her surgery moved twice during this. Nobody called to explain."),
    ("Lena_P", "Credit monitoring is the bare minimum. Pay for identity theft insurance too."),
    ("oldsalt62", "Paper records worked fine for a hundred years, just saying."),
    ("J. Ortega", "Was the Eastside clinic affected? Their phone line has been busy all day."),
    ("quietreader", "Thanks for staying on this story."),
    ("harbor_mom", "Got a letter from them about a different incident last year. Not reassuring."),
    ("TechNurse", "Staff worked incredibly hard through all of this. Give them some credit."),
    ("R. Alvarez", "Will there be a public hearing? The board owes the community answers."),
    ("pdx_dan", "Pay the ransom or not, the patients lose either way."),
    ("sunnyside", "Same thing happened to my dentist. This is everywhere now."),
    ("M. Brandt", "How long before we find out how many people were affected?"),
]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


@dataclass
class Teaser:
    section: str
    headline: str
    teaser: str
    when: datetime
    views: int
    slug: str


class Noise:
    """Everything on a page that is not the article, different on every fetch."""

    def __init__(self, story: Story, n: int, fetched: datetime) -> None:
        self.rng = r = random.Random(f"{story.layout}:{n}")
        self.fetched = fetched.astimezone(ZoneInfo(story.display_tz))
        picks = r.sample(story.pool, 15)
        now = self.fetched
        self.most_read = sorted(
            (self._teaser(p, now - timedelta(minutes=r.randrange(40, 60 * 70))) for p in picks[:5]),
            key=lambda t: -t.views,
        )
        self.latest = sorted(
            (self._teaser(p, now - timedelta(minutes=r.randrange(2, 60 * 9))) for p in picks[5:10]),
            key=lambda t: t.when,
            reverse=True,
        )
        self.related = [
            self._teaser(p, now - timedelta(days=r.randrange(1, 40), minutes=r.randrange(1440)))
            for p in picks[10:13]
        ]
        self.video = self._teaser(picks[13], now - timedelta(hours=r.randrange(2, 200)))
        self.extra = self._teaser(picks[14], now - timedelta(minutes=r.randrange(5, 300)))
        self.sponsored = r.sample(SPONSORED, 3)
        self.comment_count = r.randrange(4, 480)
        self.views = r.randrange(1200, 98000)
        self.shares = r.randrange(10, 5200)
        self.cookie = r.random() < 0.6
        self.breaking = self.extra.headline if r.random() < 0.4 else None
        self.temp = r.randrange(-4, 31)
        self.request_id = f"{r.getrandbits(128):032x}"
        self.build = f"{r.getrandbits(28):07x}"
        self.comments = [
            (name, text, now - timedelta(minutes=r.randrange(3, 600)), r.randrange(0, 60))
            for name, text in r.sample(COMMENTS, 3)
        ]
        self.comments.sort(key=lambda c: c[2], reverse=True)

    def _teaser(self, pick: tuple[str, str, str], when: datetime) -> Teaser:
        section, headline, teaser = pick
        return Teaser(
            section, headline, teaser, when, self.rng.randrange(800, 250000), slug(headline)
        )

    def hex(self, digits: int) -> str:
        return f"{self.rng.getrandbits(4 * digits):0{digits}x}"

    def gpt_id(self) -> str:
        return f"div-gpt-ad-{self.rng.randrange(10**12, 10**13)}-{self.rng.randrange(9)}"

    def ago(self, when: datetime) -> str:
        minutes = int((self.fetched - when).total_seconds() // 60)
        if minutes < 60:
            return f"{max(minutes, 1)} min ago"
        if minutes < 60 * 24:
            hours = minutes // 60
            return f"{hours} hour{'s' if hours > 1 else ''} ago"
        days = minutes // (60 * 24)
        return f"{days} day{'s' if days > 1 else ''} ago"


# --------------------------------------------------------------------------- html helpers


def esc(text: str) -> str:
    return html.escape(text, quote=False).replace("\u00a0", "&nbsp;")


def att(text: str) -> str:
    return html.escape(text, quote=True)


def linked(text: str, links: dict[str, str], used: set[str], quote: bool = False) -> str:
    """Escaped paragraph text with the outlet's in-body links added (text unchanged)."""

    def escape(value: str) -> str:
        return html.escape(value, quote=quote).replace("\u00a0", "&nbsp;")

    out = escape(text)
    for phrase, href in links.items():
        target = escape(phrase)
        if phrase not in used and target in out:
            out = out.replace(target, f'<a href="{att(href)}">{target}</a>', 1)
            used.add(phrase)
    return out


def ld_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=None).replace("</", "<\\/")


def us_date(d: datetime) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def uk_date(d: datetime) -> str:
    return f"{d.day} {d:%B} {d.year}"


def ampm(d: datetime, dotted: bool = True) -> str:
    hour = d.hour % 12 or 12
    if dotted:
        return f"{hour}:{d:%M} {'a.m.' if d.hour < 12 else 'p.m.'}"
    return f"{hour}:{d:%M} {'AM' if d.hour < 12 else 'PM'}"


def gdate(d: datetime) -> str:
    return d.strftime("%Y/%b/%d").lower()


def iso(d: datetime) -> str:
    return d.isoformat(timespec="seconds")


def zulu(d: datetime) -> str:
    return d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def cookie_banner(nz: Noise, style: str) -> str:
    if not nz.cookie:
        return ""
    variants = [
        "We use cookies and similar technologies to improve your experience, measure our "
        "audience and show you personalised advertising.",
        "We and our partners store and access information on your device to deliver "
        "content, ads and measurement.",
        "This site uses cookies. By continuing to browse you agree to our use of cookies.",
    ]
    text = nz.rng.choice(variants)
    if style == "onetrust":
        return f"""
<div id="onetrust-consent-sdk"><div class="onetrust-pc-dark-filter ot-hide ot-fade-in"></div>
<div id="onetrust-banner-sdk" class="otFlat" tabindex="0" role="region" aria-label="Cookie banner">
<div role="dialog" aria-label="Privacy"><div class="ot-sdk-container"><div class="ot-sdk-row">
<div id="onetrust-group-container"><div id="onetrust-policy"><p id="onetrust-policy-text">{text}
<a href="/privacy-notice/" aria-label="More information about your privacy">Privacy notice</a></p>
</div></div><div id="onetrust-button-group-parent"><div id="onetrust-button-group">
<button id="onetrust-pc-btn-handler">Manage preferences</button>
<button id="onetrust-accept-btn-handler">Accept all</button></div></div></div></div></div></div>
</div>"""
    return f"""
<div class="cookie-notice" id="cookie-notice-{nz.hex(6)}" role="dialog" aria-live="polite">
<p class="cookie-notice__text">{text} <a href="/cookies">Find out more</a>.</p>
<button type="button" class="cookie-notice__accept">OK</button>
<button type="button" class="cookie-notice__settings">Settings</button></div>"""


def analytics(nz: Noise, site: str) -> str:
    return f"""<script>
window.dataLayer = window.dataLayer || [];
function gtag(){{dataLayer.push(arguments);}}
gtag('js', new Date());
gtag('config', 'G-{nz.hex(10).upper()}', {{'page_type': 'article', 'site': '{site}'}});
window._sf_async_config = {{uid: {nz.rng.randrange(10000, 99999)}, domain: '{site}',
  useCanonical: true, flickerControl: false}};
window.__rid = "{nz.request_id}";
</script>"""


# --------------------------------------------------------------------------- layout 1: jsonld


def render_jsonld(s: Story, art: Art, nz: Noise, n: int) -> str:
    """WordPress + Yoast: dates only in the JSON-LD graph, none visible."""
    base = f"https://{s.host}"
    img = f"{base}/wp-content/uploads/2019/03/marlow-flood-harlan-street.jpg"
    desc = "Days of heavy rain pushed the Marlow River over its banks; shelters are open."
    author_slug = slug(art.byline)
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Organization", "@id": f"{base}/#organization", "name": s.outlet,
             "url": f"{base}/", "logo": {"@type": "ImageObject", "url": f"{base}/logo.png"},
             "sameAs": ["https://social.example/dailyledger"]},
            {"@type": "WebSite", "@id": f"{base}/#website", "url": f"{base}/", "name": s.outlet,
             "publisher": {"@id": f"{base}/#organization"}},
            {"@type": "WebPage", "@id": f"{s.url}#webpage", "url": s.url, "name": art.title,
             "isPartOf": {"@id": f"{base}/#website"},
             "breadcrumb": {"@id": f"{s.url}#breadcrumb"}, "inLanguage": "en-US"},
            {"@type": "BreadcrumbList", "@id": f"{s.url}#breadcrumb", "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{base}/"},
                {"@type": "ListItem", "position": 2, "name": "News", "item": f"{base}/news/"},
                {"@type": "ListItem", "position": 3, "name": "Weather",
                 "item": f"{base}/news/weather/"},
                {"@type": "ListItem", "position": 4, "name": art.title}]},
            {"@type": "NewsArticle", "@id": f"{s.url}#article", "headline": art.title,
             "description": desc, "isPartOf": {"@id": f"{s.url}#webpage"},
             "mainEntityOfPage": {"@id": f"{s.url}#webpage"},
             "datePublished": iso(art.posted), "dateModified": iso(art.updated or art.posted),
             "author": {"@type": "Person", "name": art.byline,
                        "url": f"{base}/author/{author_slug}/"},
             "publisher": {"@id": f"{base}/#organization"},
             "image": {"@type": "ImageObject", "url": img, "width": 1200, "height": 800},
             "articleSection": ["News", "Weather"], "keywords": ["flooding", "Marlow River"],
             "inLanguage": "en-US"},
        ],
    }  # fmt: skip
    video = {
        "@context": "https://schema.org",
        "@type": "VideoObject",
        "name": nz.video.headline,
        "description": nz.video.teaser,
        "thumbnailUrl": f"https://cdn.vidplayer.example/thumbs/{nz.hex(12)}.jpg",
        "uploadDate": iso(nz.video.when),
        "datePublished": iso(nz.video.when),
        "duration": f"PT{nz.rng.randrange(1, 4)}M{nz.rng.randrange(10, 59)}S",
        "contentUrl": f"https://cdn.vidplayer.example/v/{nz.hex(16)}.mp4",
    }
    ads = [nz.gpt_id() for _ in range(5)]
    used: set[str] = set()
    links = s.extra["links"]
    assert isinstance(links, dict)

    def ad(i: int, size: str) -> str:
        w, h = size.split("x")
        return (
            f'<div class="ad-slot ad-{size}"><div class="ad-label">Advertisement</div>'
            f'<div id="{ads[i]}" data-google-query-id="C{nz.hex(22)}" style="min-height:{h}px">'
            f'<div id="google_ads_iframe_/21775744923/ledger/news_{i}__container__">'
            f'<iframe id="google_ads_iframe_/21775744923/ledger/news_{i}" title="3rd party ad '
            f'content" width="{w}" height="{h}" scrolling="no" frameborder="0" '
            f'data-load-complete="true"></iframe></div></div></div>'
        )

    body = []
    for i, para in enumerate(art.raw()):
        if para.startswith("Correction:"):
            body.append(f'<p class="correction"><em>{linked(para, {}, used, quote=True)}</em></p>')
            continue
        body.append(f"<p>{linked(para, links, used, quote=True)}</p>")
        if i == 1:
            body.append(
                '<figure class="wp-block-image size-large"><img loading="lazy" width="1024" '
                f'height="683" src="{base}/wp-content/uploads/2019/03/marlow-shelter-1024x683.jpg" '
                'alt="Cots in a school gym"><figcaption>Volunteers set up cots in the gym at '
                "Marlow High School on Tuesday. (Daily Ledger photo)</figcaption></figure>"
            )
        if i == 2:
            body.append(ad(1, "300x250"))
        if i == 5:
            body.append(ad(2, "300x250"))
    most_read = "\n".join(
        f'<li><a href="{base}/{t.section.lower()}/{t.when:%Y/%m/%d}/{t.slug}/">{esc(t.headline)}</a>'
        f'<span class="post-date">{us_date(t.when)}</span>'
        f'<span class="views">{t.views:,} views</span></li>'
        for t in nz.most_read
    )
    latest = "\n".join(
        f'<li><a href="{base}/{t.section.lower()}/{t.when:%Y/%m/%d}/{t.slug}/">{esc(t.headline)}</a>'
        f' <span class="rel-time">{nz.ago(t.when)}</span></li>'
        for t in nz.latest
    )
    related = "\n".join(
        f'<article class="related-post"><a href="{base}/{t.section.lower()}/{t.when:%Y/%m/%d}/'
        f'{t.slug}/"><h4>{esc(t.headline)}</h4></a><span class="date">{us_date(t.when)}</span>'
        f'<p class="excerpt">{esc(t.teaser)}</p></article>'
        for t in nz.related
    )
    sponsored = "\n".join(
        f'<li class="trc-item"><a href="https://trk.native.example/c?id={nz.hex(10)}">'
        f'<span class="trc-title">{esc(h)}</span><span class="trc-brand">{esc(b)}</span></a></li>'
        for h, b in nz.sponsored
    )
    today = nz.fetched
    breaking = (
        f'<div class="breaking-bar"><strong>BREAKING</strong> <a href="{base}/news/'
        f'{nz.extra.slug}/">{esc(nz.breaking)}</a></div>'
        if nz.breaking
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en-US" class="no-js">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="profile" href="https://gmpg.org/xfn/11">
<title>{esc(art.title)} | {s.outlet}</title>
<meta name="description" content="{att(desc)}">
<meta name="robots" content="index, follow, max-image-preview:large, max-snippet:-1">
<link rel="canonical" href="{s.url}">
<meta property="og:locale" content="en_US">
<meta property="og:type" content="article">
<meta property="og:title" content="{att(art.title)}">
<meta property="og:description" content="{att(desc)}">
<meta property="og:url" content="{s.url}">
<meta property="og:site_name" content="{s.outlet}">
<meta property="og:image" content="{img}">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:site" content="@dailyledger">
<meta name="twitter:label1" content="Written by">
<meta name="twitter:data1" content="{att(art.byline)}">
<meta name="twitter:label2" content="Est. reading time">
<meta name="twitter:data2" content="4 minutes">
<script type="application/ld+json" class="yoast-schema-graph">{ld_json(graph)}</script>
<link rel="dns-prefetch" href="//securepubads.g.doubleclick.example">
<link rel="stylesheet" id="wp-block-library-css" href="{base}/wp-includes/css/dist/block-library/style.min.css?ver=5.1.1" media="all">
<link rel="stylesheet" id="ledger-style-css" href="{base}/wp-content/themes/ledger/style.css?ver={nz.build}" media="all">
<script src="{base}/wp-includes/js/jquery/jquery.js?ver=1.12.4"></script>
{analytics(nz, s.host)}
<script async src="https://securepubads.g.doubleclick.example/tag/js/gpt.js"></script>
<script>
var googletag = googletag || {{}}; googletag.cmd = googletag.cmd || [];
googletag.cmd.push(function() {{
  googletag.defineSlot('/21775744923/ledger/leaderboard', [[728, 90], [970, 250]], '{ads[0]}').addService(googletag.pubads());
  googletag.defineSlot('/21775744923/ledger/incontent_1', [300, 250], '{ads[1]}').addService(googletag.pubads());
  googletag.defineSlot('/21775744923/ledger/incontent_2', [300, 250], '{ads[2]}').addService(googletag.pubads());
  googletag.defineSlot('/21775744923/ledger/sidebar', [300, 600], '{ads[3]}').addService(googletag.pubads());
  googletag.pubads().setTargeting('postid', '48213').setTargeting('pv', '{nz.hex(8)}');
  googletag.enableServices();
}});
</script>
<script type="application/ld+json">{ld_json(video)}</script>
</head>
<body class="post-template-default single single-post postid-48213 single-format-standard wp-embed-responsive">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<div class="top-bar"><div class="wrap">
<span class="today">Today is {today:%A}, {us_date(today)}</span>
<span class="weather-widget"><a href="{base}/weather/">Marlow {nz.temp * 9 // 5 + 32}&deg;F</a></span>
<span class="account"><a href="{base}/subscribe/">Subscribe</a> | <a href="{base}/my-account/">Log in</a> | <a href="{base}/e-edition/">E-Edition</a></span>
</div></div>
<header id="masthead" class="site-header">
<div class="site-branding"><p class="site-title"><a href="{base}/" rel="home">{s.outlet}</a></p>
<p class="site-description">News for the Marlow Valley since 1887</p></div>
<nav id="site-navigation" class="main-navigation" aria-label="Primary">
<button class="menu-toggle" aria-controls="primary-menu" aria-expanded="false">Menu</button>
<ul id="primary-menu" class="menu">
<li class="menu-item current-menu-ancestor"><a href="{base}/news/">News</a>
<ul class="sub-menu"><li><a href="{base}/news/local/">Local</a></li><li><a href="{base}/news/weather/">Weather</a></li><li><a href="{base}/news/state/">State</a></li><li><a href="{base}/news/nation-world/">Nation &amp; World</a></li></ul></li>
<li class="menu-item"><a href="{base}/sports/">Sports</a></li>
<li class="menu-item"><a href="{base}/business/">Business</a></li>
<li class="menu-item"><a href="{base}/opinion/">Opinion</a></li>
<li class="menu-item"><a href="{base}/obituaries/">Obituaries</a></li>
<li class="menu-item"><a href="{base}/classifieds/">Classifieds</a></li>
</ul></nav>
</header>
{breaking}
<div class="ad-leaderboard">{ad(0, "728x90")}</div>
<div id="content" class="site-content">
<div id="primary" class="content-area"><main id="main" class="site-main">
<nav class="yoast-breadcrumbs" aria-label="Breadcrumb"><span><span><a href="{base}/">Home</a> &raquo; <span><a href="{base}/news/">News</a> &raquo; <span><a href="{base}/news/weather/">Weather</a> &raquo; <span class="breadcrumb_last" aria-current="page">{esc(art.title)}</span></span></span></span></span></nav>
<article id="post-48213" class="post-48213 post type-post status-publish format-standard has-post-thumbnail hentry category-news category-weather tag-flooding">
<header class="entry-header">
<span class="cat-links"><a href="{base}/news/weather/" rel="category tag">Weather</a></span>
<h1 class="entry-title">{esc(art.title)}</h1>
<div class="entry-meta"><span class="byline">By <span class="author vcard"><a class="url fn n" href="{base}/author/{author_slug}/">{esc(art.byline)}</a></span></span>
<span class="reading-time">4 min read</span></div>
<div class="share-buttons" data-share-count="{nz.shares}">
<a class="share-facebook" href="https://social.example/share?u={s.url}">Facebook</a>
<a class="share-twitter" href="https://microblog.example/intent/tweet?url={s.url}">Twitter</a>
<a class="share-email" href="mailto:?subject={att(art.title)}">Email</a>
<a class="share-print" href="javascript:window.print()">Print</a>
<span class="share-total">{nz.shares:,} shares</span></div>
</header>
<figure class="post-thumbnail"><img width="1200" height="800" src="{img}" class="attachment-post-thumbnail wp-post-image" alt="Flooded street">
<figcaption class="wp-caption-text">Water covers Harlan Street in the Riverside neighborhood of Marlow on Tuesday afternoon. (Photo: Daily Ledger staff)</figcaption></figure>
<div class="entry-content">
{chr(10).join(body)}
</div>
<footer class="entry-footer"><span class="tags-links">Tags: <a href="{base}/tag/flooding/" rel="tag">flooding</a>, <a href="{base}/tag/marlow-river/" rel="tag">Marlow River</a>, <a href="{base}/tag/weather/" rel="tag">weather</a></span></footer>
</article>
<div class="comments-link"><a href="{s.url}#comments">{nz.comment_count} Comments</a></div>
<section class="related-posts"><h3 class="related-title">Related</h3>
{related}
</section>
<div class="trc_related_container"><div class="trc-header">Promoted Stories</div><ul>
{sponsored}
</ul></div>
<div id="comments" class="comments-area"><h2 class="comments-title">{nz.comment_count} thoughts on &ldquo;{esc(art.title)}&rdquo;</h2>
<div id="respond" class="comment-respond"><h3 id="reply-title">Leave a Reply</h3>
<form action="{base}/wp-comments-post.php" method="post" id="commentform"><p class="comment-notes">Your email address will not be published.</p>
<textarea id="comment" name="comment" cols="45" rows="8"></textarea>
<input type="hidden" name="comment_post_ID" value="48213"><input type="hidden" name="_wpnonce" value="{nz.hex(10)}">
<input name="submit" type="submit" id="submit" class="submit" value="Post Comment"></form></div></div>
</main></div>
<aside id="secondary" class="widget-area">
<section class="widget widget_most_read"><h2 class="widget-title">Most Read</h2><ol>
{most_read}
</ol></section>
<section class="widget widget_ad">{ad(3, "300x600")}</section>
<section class="widget widget_newsletter"><h2 class="widget-title">Morning Ledger</h2>
<p>Get the day's top stories from the Marlow Valley in your inbox every morning.</p>
<form class="newsletter-form" action="https://lists.mailer.example/subscribe" method="post"><input type="email" name="EMAIL" placeholder="Email address"><button>Sign up</button></form></section>
<section class="widget widget_recent_entries"><h2 class="widget-title">Latest News</h2><ul>
{latest}
</ul></section>
<section class="widget widget_video"><h2 class="widget-title">Video</h2><div class="vid-player" data-video-id="{nz.hex(8)}"><p class="vid-title">{esc(nz.video.headline)}</p></div></section>
</aside>
</div>
<footer id="colophon" class="site-footer">
<nav class="footer-navigation"><ul><li><a href="{base}/about/">About Us</a></li><li><a href="{base}/contact/">Contact</a></li><li><a href="{base}/advertise/">Advertise</a></li><li><a href="{base}/privacy-policy/">Privacy Policy</a></li><li><a href="{base}/terms/">Terms of Use</a></li></ul></nav>
<div class="site-info">&copy; 2026 Daily Ledger Media Co. All rights reserved. 412 Main Street, Marlow.</div>
</footer>
</div>
{cookie_banner(nz, "plain")}
<script src="{base}/wp-includes/js/wp-embed.min.js?ver=5.1.1"></script>
<!-- Page generated in {nz.rng.randrange(80, 900)} ms by node {nz.rng.randrange(1, 12)} at {nz.fetched.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC; cache {nz.rng.choice(["HIT", "MISS"])} -->
</body>
</html>
"""


# --------------------------------------------------------------------------- layout 2: meta


def render_meta(s: Story, art: Art, nz: Noise, n: int) -> str:
    """A UK regional publisher: Open Graph article times only, no JSON-LD, no visible time."""
    base = f"https://{s.host}"
    desc = "The Hollins Cross to Fairfield Park line was backed after a seven-hour meeting."
    img = f"{base}/incoming/article4471820.ece/ALTERNATES/s1200/0_tram-render.jpg"
    used: set[str] = set()
    links = s.extra["links"]
    assert isinstance(links, dict)
    mpu = [f"mpu{i}-{nz.hex(8)}" for i in range(4)]
    body = []
    for i, para in enumerate(art.raw()):
        body.append(f'<p class="article__paragraph">{linked(para, links, used)}</p>')
        if i == 0:
            body.append(
                '<figure class="article__image in-article-image"><div class="img-container">'
                f'<img src="{base}/incoming/article4471822.ece/ALTERNATES/s615/1_tram-stop.jpg" '
                'alt="A computer image of a tram at a stop" width="615" height="409"></div>'
                '<figcaption class="caption"><span class="caption-text">How a stop on the new '
                'line could look</span> <span class="credit">(Image: Northfield City Council)'
                "</span></figcaption></figure>"
            )
        if i in (2, 6):
            k = 1 if i == 2 else 2
            body.append(
                f'<div class="mpu-ad" id="{mpu[k]}" data-ad-slot="mpu{k}" data-refresh="'
                f'{nz.rng.randrange(2)}"><span class="ad-text">Advertisement</span>'
                f'<div class="ad-container" data-creative="{nz.rng.randrange(10**9)}"></div></div>'
            )
        if i == 3:
            items = "".join(
                f'<li><a href="{base}/news/local/{t.slug}-{nz.rng.randrange(10**7, 10**8)}">'
                f"{esc(t.headline)}</a></li>"
                for t in nz.most_read[:3]
            )
            body.append(
                '<aside class="mid-article-most-read" data-tmdatatrack="most-read-inline">'
                f'<h3 class="widget-title">Most Read</h3><ol class="most-read-list">{items}</ol></aside>'
            )
    popular = "\n".join(
        f'<li class="teaser"><a class="headline" href="{base}/news/local/{t.slug}-'
        f'{nz.rng.randrange(10**7, 10**8)}">{esc(t.headline)}</a>'
        f'<span class="time-stamp">{nz.ago(t.when)}</span>'
        f'<span class="teaser-views">{t.views:,} reads</span></li>'
        for t in nz.most_read
    )
    more = "\n".join(
        f'<div class="teaser teaser--related"><a href="{base}/news/local/{t.slug}-'
        f'{nz.rng.randrange(10**7, 10**8)}"><span class="section-label">{t.section}</span>'
        f'<h3 class="teaser__title">{esc(t.headline)}</h3></a>'
        f'<p class="teaser__summary">{esc(t.teaser)}</p>'
        f'<span class="teaser__date">{t.when:%H:%M}, {t.when.day} {t.when:%b %Y}</span></div>'
        for t in nz.related
    )
    trending = " ".join(
        f'<a href="{base}/all-about/{slug(t.section)}">{esc(t.section)}</a>' for t in nz.latest
    )
    sponsored = "\n".join(
        f'<a class="native-card" href="https://trk.native.example/?c={nz.hex(12)}">'
        f'<span class="native-card__title">{esc(h)}</span>'
        f'<span class="native-card__brand">Sponsored | {esc(b)}</span></a>'
        for h, b in nz.sponsored
    )
    when = nz.fetched
    breaking = (
        f'<div class="breaking-news" data-type="breaking"><span class="label">Breaking</span>'
        f'<a href="{base}/news/{nz.extra.slug}-{nz.rng.randrange(10**7, 10**8)}">'
        f"{esc(nz.breaking)}</a></div>"
        if nz.breaking
        else ""
    )
    state = {
        "env": "production",
        "requestId": nz.request_id,
        "edition": "northfield",
        "ab": {"nlBox": nz.rng.choice("AB"), "recirc": nz.rng.choice(["grid", "list"])},
        "ads": {"mpus": mpu, "refresh": nz.rng.randrange(20, 60)},
        "user": {"loggedIn": False, "consent": nz.cookie},
    }
    return f"""<!doctype html>
<html lang="en-GB" data-theme="northern">
<head>
<meta charset="utf-8">
<title>{esc(art.title)} - The Northern Post</title>
<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=5">
<meta name="description" content="{att(desc)}">
<meta name="keywords" content="Northfield, trams, transport, council">
<meta name="author" content="{att(art.byline)}">
<link rel="canonical" href="{s.url}">
<link rel="amphtml" href="{s.url}.amp">
<meta property="og:site_name" content="The Northern Post">
<meta property="og:type" content="article">
<meta property="og:title" content="{att(art.title)}">
<meta property="og:description" content="{att(desc)}">
<meta property="og:url" content="{s.url}">
<meta property="og:image" content="{img}">
<meta property="og:locale" content="en_GB">
<meta property="article:published_time" content="{iso(art.posted)}">
<meta property="article:modified_time" content="{iso(art.updated or art.posted)}">
<meta property="article:section" content="Local News">
<meta property="article:tag" content="Trams">
<meta property="article:tag" content="Northfield City Council">
<meta property="article:publisher" content="https://social.example/northernpost">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:site" content="@NorthernPost">
<meta name="twitter:title" content="{att(art.title)}">
<meta name="news_keywords" content="tram, transport, council">
<meta name="theme-color" content="#8a0f2e">
<link rel="preload" as="font" href="/fonts/northern-serif.woff2" crossorigin>
<link rel="stylesheet" href="/static/css/article.{nz.build}.css">
<script src="https://cdn.cookielaw.example/scripttemplates/otSDKStub.js" data-domain-script="{nz.hex(8)}-{nz.hex(4)}-{nz.hex(4)}" async></script>
<script>window.__PRELOADED_STATE__ = {ld_json(state)};</script>
{analytics(nz, s.host)}
<script async src="/static/js/ads.{nz.build}.js"></script>
</head>
<body class="article-page article-page--local">
{cookie_banner(nz, "onetrust")}
<div class="trending-bar"><span class="trending-bar__label">Trending:</span> {trending}</div>
<header class="site-header" role="banner">
<div class="site-header__top"><a class="logo" href="{base}/"><img src="/static/img/northern-post-logo.svg" alt="The Northern Post"></a>
<span class="header-date">{when:%A} {uk_date(when)}</span>
<a class="subscribe-btn" href="{base}/subscribe">Get the paper</a> <a class="signin" href="{base}/account">Sign in</a></div>
<nav class="primary-nav" aria-label="Main"><ul>
<li><a href="{base}/news/">News</a></li><li><a href="{base}/sport/">Sport</a></li><li><a href="{base}/whats-on/">What's On</a></li><li><a href="{base}/property/">Property</a></li><li><a href="{base}/jobs/">Jobs</a></li><li><a href="{base}/funeral-notices/">Funeral Notices</a></li><li><a href="{base}/weather/">Weather {nz.temp}&deg;C</a></li>
</ul></nav>
</header>
{breaking}
<div class="billboard-ad" id="billboard-{nz.hex(8)}" data-ad-slot="billboard"><span class="ad-text">Advertisement</span></div>
<main class="article-main" id="content">
<article class="article" data-article-id="4471820" data-article-type="news">
<nav class="breadcrumbs" aria-label="breadcrumbs"><ol>
<li><a href="{base}/news/">News</a></li><li><a href="{base}/news/local/">Local News</a></li><li><a href="{base}/all-about/trams">Trams</a></li>
</ol></nav>
<h1 class="article__headline">{esc(art.title)}</h1>
<div class="article__meta">
<div class="article__author"><span class="publication-theme-byline">By <a class="author-name" href="{base}/authors/{slug(art.byline)}/">{esc(art.byline)}</a></span>
<span class="author-role">Local Democracy Reporter</span></div>
<div class="article__share"><a href="https://social.example/sharer?u={s.url}" class="share share--facebook">Share</a>
<a href="https://microblog.example/intent/tweet?url={s.url}" class="share share--x">Post</a>
<a href="{s.url}#comments-wrapper" class="comment-count">Comments (<span>{nz.comment_count}</span>)</a></div>
</div>
<div class="article__body">
{chr(10).join(body)}
</div>
<div class="article__tags"><span>Read more on:</span> <a href="{base}/all-about/trams">Trams</a> <a href="{base}/all-about/northfield-city-council">Northfield City Council</a></div>
</article>
<section class="newsletter-signup" data-variant="{state["ab"]["nlBox"]}">
<h2>Get the biggest Northfield stories first</h2>
<p>Sign up to our free daily newsletter for news, sport and what's on, straight to your inbox.</p>
<form action="https://newsletters.mailer.example/np-daily" method="post"><input type="email" name="email" aria-label="Email"><button type="submit">Subscribe</button></form>
<p class="small-print">We use your sign-up to provide content in ways you've consented to. See our <a href="{base}/privacy-notice">privacy notice</a>.</p>
</section>
<section class="more-on-this" aria-label="More on this story"><h2>More On</h2>
{more}
</section>
<section class="native-grid"><h2>More from the web</h2>
{sponsored}
</section>
<div id="comments-wrapper" class="comments" data-count="{nz.comment_count}"><h2>Comments</h2><button class="load-comments">Show {nz.comment_count} comments</button></div>
</main>
<aside class="sidebar" role="complementary">
<div class="mpu-ad" id="{mpu[3]}" data-ad-slot="mpu3"><span class="ad-text">Advertisement</span></div>
<section class="most-popular"><h2 class="widget-title">Most Popular</h2><ol>
{popular}
</ol></section>
</aside>
<footer class="site-footer">
<ul class="footer-links"><li><a href="{base}/contact-us">Contact us</a></li><li><a href="{base}/how-to-complain">How to complain</a></li><li><a href="{base}/corrections-clarifications">Corrections &amp; clarifications</a></li><li><a href="{base}/privacy-notice">Privacy notice</a></li><li><a href="{base}/cookie-notice">Cookie notice</a></li></ul>
<p class="copyright">&copy; 2026 Northern Post Media Ltd. Registered in England No. 00125601.</p>
</footer>
<script src="/static/js/article.{nz.build}.js" defer></script>
</body>
</html>
"""


# --------------------------------------------------------------------------- layout 3: time_elements


def render_time(s: Story, art: Art, nz: Noise, n: int) -> str:
    """An American metro daily: <time> elements labelled Published/Updated in the header;
    the sidebar and the comments carry their own <time> elements."""
    base = f"https://{s.host}"
    tz = ZoneInfo(s.display_tz)
    used: set[str] = set()
    links = s.extra["links"]
    assert isinstance(links, dict)

    def stamp(d: datetime) -> str:
        local = d.astimezone(tz)
        return f"{us_date(local)} at {ampm(local)}"

    times = (
        '<p class="story-timestamp"><span class="timestamp-label">Published</span> '
        f'<time class="published" datetime="{iso(art.posted)}">{stamp(art.posted)}</time></p>'
    )
    if art.updated:
        times += (
            '\n<p class="story-timestamp"><span class="timestamp-label">Updated</span> '
            f'<time class="updated" datetime="{iso(art.updated)}">{stamp(art.updated)}</time></p>'
        )
    byline_html = " and ".join(
        f'<a rel="author" href="{base}/author/{slug(name)}/">{esc(name)}</a>'
        for name in art.byline.split(" and ")
    )
    body = []
    for i, para in enumerate(art.raw()):
        body.append(f'<p class="story-paragraph">{linked(para, links, used)}</p>')
        if i in (1, 5):
            body.append(
                f'<div class="arc-ad ad-inline" id="arcad_{nz.hex(10)}" data-slot-name='
                f'"story-inline-{1 if i == 1 else 2}" data-targeting=\'{{"pos":"{i}",'
                f'"refresh":"{nz.rng.randrange(3)}"}}\'><span class="ad-label">Advertisement'
                "</span></div>"
            )
    latest = "\n".join(
        f'<li class="latest-item"><time datetime="{iso(t.when)}">{ampm(t.when)}</time> '
        f'<a href="{base}/{t.when:%Y/%m/%d}/{t.slug}/">{esc(t.headline)}</a></li>'
        for t in nz.latest
    )
    popular = "\n".join(
        f'<li><a href="{base}/{t.when:%Y/%m/%d}/{t.slug}/">{esc(t.headline)}</a> '
        f'<time datetime="{iso(t.when)}" class="popular-date">{us_date(t.when)}</time></li>'
        for t in nz.most_read
    )
    comments = "\n".join(
        f'<li class="comment"><div class="comment-author">{esc(name)}</div>'
        f'<time class="comment-time" datetime="{iso(when)}">{nz.ago(when)}</time>'
        f'<div class="comment-text">{esc(text)}</div>'
        f'<span class="comment-likes">{likes} likes</span></li>'
        for name, text, when, likes in nz.comments
    )
    related = "\n".join(
        f'<li><a href="{base}/{t.when:%Y/%m/%d}/{t.slug}/"><span class="kicker">{t.section}'
        f'</span> {esc(t.headline)}</a> <time datetime="{iso(t.when)}">{us_date(t.when)}</time></li>'
        for t in nz.related
    )
    now = nz.fetched
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(art.title)} – Bay City Chronicle</title>
<meta name="description" content="The health system said names, addresses and some treatment details were taken.">
<link rel="canonical" href="{s.url}">
<meta property="og:type" content="article">
<meta property="og:title" content="{att(art.title)}">
<meta property="og:url" content="{s.url}">
<meta property="og:site_name" content="Bay City Chronicle">
<meta property="og:image" content="{base}/resizer/{nz.hex(16)}/1200x630/harborview.jpg">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:site" content="@baycitychron">
<meta name="parsely-section" content="Health">
<meta name="sailthru.tags" content="health,cybersecurity,hospitals">
<link rel="stylesheet" href="{base}/pf/resources/dist/css/story.css?d={nz.rng.randrange(100, 999)}">
<script>var Fusion=Fusion||{{}};Fusion.arcSite="baycity";Fusion.deployment="{nz.rng.randrange(400, 900)}";Fusion.contextPath="/pf";Fusion.requestId="{nz.request_id}";</script>
{analytics(nz, s.host)}
<script async src="https://c.amazon-adsystem.example/aax2/apstag.js"></script>
</head>
<body class="story-page health">
<a class="skip" href="#main">Skip to main content</a>
<div class="masthead-bar">
<span class="todays-paper"><a href="{base}/e-edition/">Today's Paper</a> &middot; {now:%a}, {now:%b} {now.day}, {now.year}</span>
<span class="weather"><a href="{base}/weather/">{nz.temp * 9 // 5 + 32}&deg; Bay City</a></span>
<a class="subscribe" href="{base}/subscribe/?offer=99c">Subscribe for 99&cent;</a>
<a class="login" href="{base}/login/">Log In</a></div>
<header class="site-header"><a class="logo" href="{base}/">Bay City Chronicle</a>
<nav class="sections" aria-label="Sections"><ul>
<li><a href="{base}/local/">Local</a></li><li><a href="{base}/health/">Health</a></li><li><a href="{base}/business/">Business</a></li><li><a href="{base}/sports/">Sports</a></li><li><a href="{base}/entertainment/">Entertainment</a></li><li><a href="{base}/opinion/">Opinion</a></li><li><a href="{base}/real-estate/">Real Estate</a></li>
</ul></nav></header>
<div class="arc-ad ad-leaderboard" id="arcad_{nz.hex(10)}" data-slot-name="leaderboard"></div>
<main id="main" class="story-layout">
<article class="story" data-content-id="{nz.hex(26).upper()[:26]}">
<header class="story-header">
<div class="kicker"><a href="{base}/health/">Health</a></div>
<h1 class="headline">{esc(art.title)}</h1>
<div class="byline">By {byline_html}</div>
<div class="story-meta">
{times}
</div>
<ul class="share-tools"><li><a href="https://social.example/sharer?u={s.url}">Facebook</a></li><li><a href="https://microblog.example/intent/tweet?url={s.url}">Twitter</a></li><li><a href="mailto:?subject={att(art.title)}">Email</a></li><li><a href="#comments" class="comment-count">{nz.comment_count}</a></li></ul>
</header>
<figure class="lead-art"><img src="{base}/resizer/{nz.hex(16)}/1440x960/harborview.jpg" alt="Harborview Medical Center" width="1440" height="960">
<figcaption>Harborview Medical Center diverted ambulances for several days after the attack. <span class="credit">(Chronicle file photo)</span></figcaption></figure>
<div class="story-body">
{chr(10).join(body)}
</div>
<div class="story-footer"><p class="contact">Have a tip? <a href="{base}/tips/">Send it to the Chronicle</a>.</p></div>
</article>
<section class="related-stories"><h2>Related stories</h2><ul>
{related}
</ul></section>
<section id="comments" class="comments"><h2>Conversation <span class="count">{nz.comment_count}</span></h2>
<p class="comments-policy">Comments are moderated. Please keep it civil.</p>
<ol class="comment-list">
{comments}
</ol></section>
</main>
<aside class="rail">
<section class="latest"><h2>Latest Headlines</h2><ul>
{latest}
</ul></section>
<div class="arc-ad ad-rail" id="arcad_{nz.hex(10)}" data-slot-name="rail-1"></div>
<section class="most-popular"><h2>Most Popular</h2><ol>
{popular}
</ol></section>
<section class="newsletter"><h2>Morning Report</h2><p>The Bay Area's most important news, delivered weekday mornings.</p><form action="/newsletters/subscribe"><input type="email" name="email"><button>Sign Up</button></form></section>
</aside>
<footer class="site-footer"><p>&copy; 2026 Bay City Chronicle. All rights reserved.</p>
<ul><li><a href="{base}/about/">About</a></li><li><a href="{base}/ethics/">Ethics policy</a></li><li><a href="{base}/privacy/">Privacy Policy</a></li><li><a href="{base}/terms/">Terms of Service</a></li></ul></footer>
{cookie_banner(nz, "plain")}
</body>
</html>
"""


# --------------------------------------------------------------------------- layout 4: posted_text


def render_posted(s: Story, art: Art, nz: Noise, n: int) -> str:
    """An older CMS: "Posted : 2019-03-26 17:08" text in the outlet's local time, the
    headline in a <div>, the body as one block split by <br><br>."""
    base = f"https://{s.host}"
    tz = ZoneInfo(s.display_tz)
    stamp = f"Posted : {art.posted.astimezone(tz):%Y-%m-%d %H:%M}"
    if art.updated:
        stamp += f"<br>\nUpdated : {art.updated.astimezone(tz):%Y-%m-%d %H:%M}"
    paras = [f"<i>{esc(p)}</i>" if p.startswith("Correction:") else esc(p) for p in art.raw()]
    chunks = []
    for i, para in enumerate(paras):
        chunks.append(para)
        if i == 2:
            chunks.append(
                f'<div class="ad_in_article" id="ad_{nz.rng.randrange(10**5, 10**6)}">'
                "<span>ADVERTISEMENT</span><script>document.write('<iframe src=\"https://"
                f'ads.courier-adnet.example/serve?zone=37&amp;cb={nz.rng.randrange(10**9)}" '
                'width="300" height="250" frameborder="0" scrolling="no"></iframe>\');'
                "</script></div>"
            )
    body = "<br><br>\n".join(chunks)
    latest = "\n".join(
        f'<tr><td class="list_title"><a href="{base}/{t.section.lower()}/{t.when:%Y/%m}/'
        f'{t.slug}-{nz.rng.randrange(10**8)}.html">{esc(t.headline)}</a></td>'
        f'<td class="list_date">{t.when:%Y-%m-%d %H:%M}</td></tr>'
        for t in nz.latest
    )
    most = "\n".join(
        f'<li><span class="num">{k}</span><a href="{base}/{t.section.lower()}/{t.when:%Y/%m}/'
        f'{t.slug}-{nz.rng.randrange(10**8)}.html">{esc(t.headline)}</a></li>'
        for k, t in enumerate(nz.most_read, 1)
    )
    photos = "\n".join(
        f'<td><a href="{base}/photos/{t.slug}.html"><img src="{base}/upload/thumb/'
        f'{nz.hex(10)}.jpg" width="140" height="90" alt=""><br>{esc(t.headline[:38])}...</a></td>'
        for t in nz.related
    )
    now = nz.fetched
    rate = f"{nz.rng.uniform(68.5, 70.2):.2f}"
    index = f"{nz.rng.uniform(37800, 38900):,.2f}"
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{esc(art.title)} - The Deccan Courier</title>
<meta name="description" content="{att(art.title)}" />
<meta name="keywords" content="banking, regulator, cooperative bank, Kaveri" />
<meta property="og:title" content="{att(art.title)}" />
<meta property="og:type" content="article" />
<meta property="og:url" content="{s.url}" />
<meta property="og:image" content="{base}/upload/2019/03/kaveri_bank_{nz.rng.randrange(100, 999)}.jpg" />
<meta property="og:site_name" content="The Deccan Courier" />
<link href="{base}/css/common.css?v=20190301" rel="stylesheet" type="text/css" />
<link href="{base}/css/view.css?v=20190301" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="{base}/js/jquery-1.8.3.min.js"></script>
<script type="text/javascript">
var _sv = "{nz.request_id[:12]}"; var _artno = "266318"; var _section = "business";
function fontSize(n) {{ document.getElementById('startts').style.fontSize = n + 'px'; }}
</script>
{analytics(nz, s.host)}
</head>
<body>
<div id="wrap">
<div id="top_bar"><span class="today">{now:%a}, {now:%b} {now.day}, {now.year} | {now:%H:%M} IST</span>
<span class="market">SENSEX {index} | USD/INR {rate}</span>
<span class="top_links"><a href="{base}/epaper/">e-Paper</a> | <a href="{base}/member/login.asp">Login</a> | <a href="{base}/member/join.asp">Join</a></span></div>
<div id="header"><a href="{base}/"><img src="{base}/img/logo_courier.gif" alt="The Deccan Courier" width="280" height="60" /></a>
<div class="top_banner"><iframe src="https://ads.courier-adnet.example/serve?zone=12&amp;cb={nz.rng.randrange(10**9)}" width="728" height="90" frameborder="0" scrolling="no"></iframe></div></div>
<div id="gnb"><ul>
<li><a href="{base}/nation/">Nation</a></li><li class="on"><a href="{base}/business/">Business</a></li><li><a href="{base}/opinion/">Opinion</a></li><li><a href="{base}/lifestyle/">Lifestyle</a></li><li><a href="{base}/sports/">Sports</a></li><li><a href="{base}/world/">World</a></li><li><a href="{base}/photos/">Photos</a></li>
</ul></div>
<table width="100%" border="0" cellspacing="0" cellpadding="0" id="contents">
<tr><td valign="top" class="left_area">
<div class="location"><a href="{base}/">Home</a> &gt; <a href="{base}/business/">Business</a> &gt; <a href="{base}/business/banking/">Banking</a></div>
<div class="view_page">
<div class="view_headline"><strong>{esc(art.title)}</strong></div>
<div class="view_info">
<div class="view_date">{stamp}</div>
<div class="view_tool"><a href="javascript:fontSize(16)">A+</a> <a href="javascript:fontSize(13)">A-</a> <a href="javascript:window.print()">Print</a> <a href="mailto:?subject={att(art.title)}">E-mail</a></div>
</div>
<div class="view_byline">By {esc(art.byline)}</div>
<table class="img_box" align="center" cellpadding="0" cellspacing="0"><tr><td><img src="{base}/upload/2019/03/kaveri_hq.jpg" width="560" alt="" /></td></tr>
<tr><td class="img_caption">The head office of Kaveri Cooperative Bank. Courier file photo</td></tr></table>
<div class="view_article" id="startts"><span>
{body}
</span></div>
<div class="view_copyright">&copy; The Deccan Courier. Reproduction prohibited without permission.</div>
<div class="sns_share"><a href="https://social.example/sharer?u={s.url}">Facebook</a> <a href="https://microblog.example/share?url={s.url}">Twitter</a> <span class="view_cnt">Views {nz.views:,}</span></div>
</div>
<div class="photo_news"><h3>Photo News</h3><table><tr>
{photos}
</tr></table></div>
</td>
<td valign="top" class="right_area" width="300">
<div class="right_banner"><iframe src="https://ads.courier-adnet.example/serve?zone=14&amp;cb={nz.rng.randrange(10**9)}" width="300" height="250" frameborder="0" scrolling="no"></iframe></div>
<div class="most_read"><h3>Most Read</h3><ol>
{most}
</ol></div>
<div class="latest_news"><h3>Latest News</h3><table class="list">
{latest}
</table></div>
</td></tr></table>
<div id="footer"><p><a href="{base}/company/about.asp">About Us</a> | <a href="{base}/company/contact.asp">Contact</a> | <a href="{base}/company/privacy.asp">Privacy Policy</a> | <a href="{base}/company/advertise.asp">Advertise</a></p>
<p>The Deccan Courier, Courier House, MG Road. Copyright &copy; 2026 The Deccan Courier. All rights reserved.</p></div>
</div>
{cookie_banner(nz, "plain")}
</body>
</html>
"""


# --------------------------------------------------------------------------- layout 5: wire


def render_wire(s: Story, art: Art, nz: Noise, n: int) -> str:
    """A wire service: a dateline line before the body, "Published … at 5:08 a.m. GMT" and
    "Updated 3:05 PM GMT, November 14, 2022" as text, no machine-readable dates."""
    base = f"https://{s.host}"
    tz = ZoneInfo(s.display_tz)
    posted = art.posted.astimezone(tz)
    info = (
        f'<span class="date-line__published__2Lh8q">Published {us_date(posted)} at '
        f"{ampm(posted)} {posted:%Z}</span>"
    )
    if art.updated:
        up = art.updated.astimezone(tz)
        info += (
            f'\n<span class="date-line__updated__8UwLk">Updated {ampm(up, dotted=False)} '
            f"{up:%Z}, {us_date(up)}</span>"
        )
    body = [
        f'<p class="article-dateline" data-testid="dateline">{esc(str(s.extra["dateline"]))}</p>'
    ]
    for i, para in enumerate(art.raw()):
        body.append(
            f'<p data-testid="paragraph-{i}" class="text__text__1FZLe text__dark-grey__3Ml43 '
            f'body__full_width__ekUdw article-body__element__2p5pI">{esc(para)}</p>'
        )
        if i == 3:
            body.append(
                f'<div data-testid="ResponsiveAdSlot" class="ad-slot__container__Rrt0c">'
                f'<div id="ad-slot-{nz.hex(6)}" data-slot="mid_1" data-pos="{nz.rng.randrange(9)}"'
                f' class="ad-slot__inner__2Ky3m"><span class="ad-slot__label__3Xq9A">'
                "Advertisement · Scroll to continue</span></div></div>"
            )
    tickers = [("FTSE 100", 7380), ("DAX", 14310), ("Nikkei", 27960), ("S&P 500", 3990),
               ("Brent", 93), ("Gold", 1770)]  # fmt: skip
    ticker = " ".join(
        f'<li class="ticker__item"><span class="ticker__name">{esc(name)}</span> '
        f'<span class="ticker__value">{value * nz.rng.uniform(0.985, 1.015):,.2f}</span> '
        f'<span class="ticker__change">{nz.rng.uniform(-1.9, 1.9):+.2f}%</span></li>'
        for name, value in tickers
    )
    read_next = "\n".join(
        f'<li data-testid="ReadNextItem"><a href="{base}/{slug(t.section)}/{t.slug}-'
        f'{t.when:%Y-%m-%d}/"><span class="kicker">{t.section}</span>'
        f'<span class="heading">{esc(t.headline)}</span></a>'
        f'<span class="date">{ampm(t.when, dotted=False)} GMT</span></li>'
        for t in nz.latest
    )
    most = "\n".join(
        f'<li><a href="{base}/{slug(t.section)}/{t.slug}-{t.when:%Y-%m-%d}/">{esc(t.headline)}'
        f'</a> <span class="date">{t.when:%B} {t.when.day}, {t.when.year}</span></li>'
        for t in nz.most_read
    )
    breaking = (
        f'<div class="breaking-banner" role="alert"><span>BREAKING</span> {esc(nz.breaking)}</div>'
        if nz.breaking
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(art.title)} | Meridian</title>
<meta name="description" content="At least a dozen people died when the Island Star overturned in high waves.">
<link rel="canonical" href="{s.url}">
<meta property="og:title" content="{att(art.title)}">
<meta property="og:type" content="article">
<meta property="og:url" content="{s.url}">
<meta property="og:image" content="https://{s.host}/resizer/{nz.hex(20)}=/1200x628/smart/filters:quality(80)/ferry.jpg">
<meta property="og:site_name" content="Meridian">
<meta name="twitter:site" content="@MeridianWire">
<meta name="twitter:card" content="summary_large_image">
<meta name="analyticsAttributes.contentChannel" content="World">
<meta name="analyticsAttributes.topicChannel" content="Asia Pacific">
<link rel="preload" href="/pf/resources/fonts/knowledge2017/knowledge-regular.woff2?d={nz.rng.randrange(100, 200)}" as="font" crossorigin="anonymous">
<link rel="stylesheet" href="/pf/resources/styles/default/main.{nz.build}.css">
{analytics(nz, s.host)}
<script id="fusion-metadata" type="application/javascript">window.Fusion=window.Fusion||{{}};Fusion.arcSite="meridian";Fusion.contextPath="/pf";Fusion.mxId="{nz.hex(8)}";Fusion.deployment="{nz.rng.randrange(100, 300)}";Fusion.lastModified={nz.rng.randrange(10**12, 2 * 10**12)};</script>
</head>
<body>
<div id="fusion-app" class="app">
<header class="site-header__container__2hOvp">
<div class="site-header__logo__3T3w1"><a href="{base}/" aria-label="Meridian homepage">Meridian</a></div>
<nav class="site-header__nav__3xh7i" aria-label="Main"><ul>
<li><a href="{base}/world/">World</a></li><li><a href="{base}/business/">Business</a></li><li><a href="{base}/markets/">Markets</a></li><li><a href="{base}/sustainability/">Sustainability</a></li><li><a href="{base}/legal/">Legal</a></li><li><a href="{base}/breakingviews/">Breakingviews</a></li><li><a href="{base}/technology/">Technology</a></li><li><a href="{base}/investigations/">Investigations</a></li>
</ul></nav>
<a class="button__link__3qT8l" href="{base}/account/register/">Register</a></header>
<div class="ticker" data-testid="MarketTicker"><ul>{ticker}</ul></div>
{breaking}
<main id="main-content" class="regular-article-layout__main__1tt2h">
<article class="article__container__2W3Ek">
<header class="article-header__container__3Lq5j">
<nav aria-label="Tags" class="article-header__tags__3h5Hx"><ul><li><a href="{base}/world/">World</a></li><li><a href="{base}/world/asia-pacific/">Asia Pacific</a></li></ul></nav>
<h1 data-testid="Heading" class="text__text__1FZLe text__dark-grey__3Ml43 heading__base__2T28j heading__heading_1__1SwKQ">{esc(art.title)}</h1>
<div class="article-header__byline__1EXgA"><span>By</span> <a href="{base}/authors/{slug(art.byline)}/" rel="author">{esc(art.byline)}</a></div>
<div class="article-header__dateline-container__2Fv3Y" data-testid="DatelineContainer">
{info}
</div>
<div class="article-header__toolbar__1xu6J"><span class="read-time">4 minute read</span>
<button class="share-button" aria-label="Share this article">Share</button>
<a href="{base}/info-pages/reprints/?id={nz.hex(8)}" class="reprints">Purchase Licensing Rights</a></div>
</header>
<figure class="article-image"><img src="https://{s.host}/resizer/{nz.hex(20)}=/960x0/filters:quality(80)/ferry-rescue.jpg" alt="Rescuers search the water" width="960" height="640">
<figcaption class="image-caption__container__2dXN9">Rescuers search for survivors near the mouth of Selwyn Bay, November 14, 2022. Meridian/Staff <a href="{base}/info-pages/reprints/">Purchase Licensing Rights</a></figcaption></figure>
<div class="article-body__content__17Yit" data-testid="ArticleBody">
{chr(10).join(body)}
</div>
<div class="trust-badge"><p class="trust-badge__text">Our Standards: <a href="{base}/info-pages/trust-principles/">The Meridian Trust Principles.</a></p></div>
</article>
<section class="read-next" data-testid="ReadNext"><h2>Read Next</h2><ul>
{read_next}
</ul></section>
<section class="most-read" aria-label="Most read"><h2>Most Read</h2><ol>
{most}
</ol></section>
</main>
<footer class="site-footer__container__1CJ6x">
<p>All quotes delayed a minimum of 15 minutes. See <a href="{base}/info-pages/disclaimer/">here</a> for a complete list of exchanges and delays.</p>
<p>&copy; 2026 Meridian. All rights reserved.</p></footer>
</div>
{cookie_banner(nz, "onetrust")}
<script src="/pf/dist/engine/react.js?d={nz.rng.randrange(100, 300)}&amp;mxId={nz.hex(8)}" defer></script>
</body>
</html>
"""


# --------------------------------------------------------------------------- layout 6: bbc_blocks


def render_bbc(s: Story, art: Art, nz: Noise, n: int) -> str:
    """A public broadcaster: the body as many text-block components, a byline block with a
    role, the date as "26 May 2023" inside <time datetime=…Z>."""
    base = f"https://{s.host}"
    tz = ZoneInfo(s.display_tz)
    h = nz.hex(8)
    css = f"ssrcss-{h[:7]}"

    def text_block(text: str, intro: bool = False) -> str:
        inner = f'<b id="{nz.hex(8)}">{esc(text)}</b>' if intro else esc(text)
        return (
            f'<div data-component="text-block" class="{css}-ComponentWrapper e1xue1i88">'
            f'<div class="ssrcss-7uxr49-RichTextContainer e5tfeyi1">'
            f'<p class="ssrcss-1q0x1qg-Paragraph e1jhz7w10">{inner}</p></div></div>'
        )

    stamp = (
        f'<time data-testid="timestamp" datetime="{zulu(art.posted)}">'
        f"{uk_date(art.posted.astimezone(tz))}</time>"
    )
    updated = ""
    if art.updated:
        updated = (
            '<span class="ssrcss-1if1g9v-MetadataText">Updated</span> '
            f'<time data-testid="updated-timestamp" datetime="{zulu(art.updated)}">'
            f"{uk_date(art.updated.astimezone(tz))}</time>"
        )
    blocks = []
    for i, para in enumerate(art.raw()):
        blocks.append(text_block(para, intro=i == 0))
        if i == 2:
            blocks.append(
                f'<div data-component="image-block" class="{css}-ComponentWrapper e1xue1i88">'
                '<figure class="ssrcss-wpgbih-StyledFigure e34k3c23"><div class="ssrcss-ab5fd8-'
                'StyledFigureContainer e34k3c21"><img src="https://ichef.bcn-news.example/news/'
                f"976/cpsprodpb/{nz.hex(4)}/production/_129822{nz.rng.randrange(100, 999)}_cliff"
                '.jpg" alt="Houses on the edge of a cliff" width="976" height="549"><span '
                'class="ssrcss-1ifb7mt-Copyright">BCN</span></div><figcaption class="ssrcss-1p'
                '8a9gl-Caption"><span class="visually-hidden">Image caption, </span>The homes on '
                "Seaview Road are now only a few metres from the cliff edge</figcaption></figure>"
                "</div>"
            )
        if i == 6:
            blocks.append(
                f'<div data-component="ad-slot" class="{css}-AdSlot"><div id="dotcom-mpu-'
                f'{nz.hex(6)}" class="dotcom-ad dotcom-mpu" data-ad-type="mpu"><span class='
                '"dotcom-ad-text">Advertisement</span></div></div>'
            )
    most = "\n".join(
        f'<li class="ssrcss-18rpbpm-PromoItem"><span class="ssrcss-8g95ls-Rank">{k}</span>'
        f'<a href="{base}/news/uk-{nz.rng.randrange(60000000, 66000000)}" class="ssrcss-'
        f'1y8c9sy-PromoLink"><span>{esc(t.headline)}</span></a></li>'
        for k, t in enumerate(nz.most_read + nz.latest[:5], 1)
    )
    more = "\n".join(
        f'<li><div class="ssrcss-promo"><a href="{base}/news/uk-england-'
        f'{nz.rng.randrange(60000000, 66000000)}"><p>{esc(t.headline)}</p></a>'
        f'<span class="ssrcss-date"><time datetime="{zulu(t.when)}">{uk_date(t.when)}</time>'
        "</span></div></li>"
        for t in nz.related
    )
    top = "\n".join(
        f'<li><a href="{base}/news/world-{nz.rng.randrange(60000000, 66000000)}">'
        f'{esc(t.headline)}</a><span class="ssrcss-rel">{nz.ago(t.when)}</span></li>'
        for t in nz.latest
    )
    role = str(s.extra["role"])
    return f"""<!DOCTYPE html>
<html lang="en-GB" class="no-js">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(art.title)} - BCN News</title>
<meta name="description" content="Eight properties on the crumbling cliff top are no longer safe, the council says.">
<link rel="canonical" href="{s.url}">
<meta property="og:title" content="{att(art.title)}">
<meta property="og:type" content="article">
<meta property="og:description" content="Eight properties on the crumbling cliff top are no longer safe, the council says.">
<meta property="og:site_name" content="BCN News">
<meta property="og:url" content="{s.url}">
<meta property="og:image" content="https://ichef.bcn-news.example/news/1024/branded_news/{nz.hex(4)}/production/_129822445_cliff.jpg">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:site" content="@BCNNews">
<link rel="preload" href="https://static.files.bcn.example/fonts/Reith/ReithSans/BCNReithSans_W_Rg.woff2" as="font" crossorigin="anonymous">
<style>.{css}-ComponentWrapper{{margin:0 0 1rem}}.visually-hidden{{position:absolute;clip:rect(0 0 0 0)}}</style>
<script>window.__INITIAL_DATA__="{{\\"requestId\\":\\"{nz.request_id}\\",\\"edition\\":\\"{nz.rng.choice(["domestic", "international"])}\\",\\"variant\\":\\"{nz.hex(4)}\\"}}";</script>
{analytics(nz, s.host)}
</head>
<body>
<div id="main-wrapper">
<header data-testid="header" class="ssrcss-1pgr76c-GlobalNavigation" role="banner">
<a href="#main-heading" class="ssrcss-skip">Skip to content</a>
<nav aria-label="BCN"><ul class="ssrcss-global-nav">
<li><a href="{base}/">Home</a></li><li><a href="{base}/news">News</a></li><li><a href="{base}/sport">Sport</a></li><li><a href="{base}/weather">Weather</a></li><li><a href="{base}/iplayer">iPlayer</a></li><li><a href="{base}/sounds">Sounds</a></li><li><a href="{base}/bitesize">Bitesize</a></li>
</ul></nav>
<nav aria-label="News" class="ssrcss-news-nav"><ul>
<li><a href="{base}/news">Home</a></li><li><a href="{base}/news/coronavirus">Cost of Living</a></li><li><a href="{base}/news/world">World</a></li><li><a href="{base}/news/uk" aria-current="page">UK</a></li><li><a href="{base}/news/business">Business</a></li><li><a href="{base}/news/politics">Politics</a></li><li><a href="{base}/news/science_and_environment">Climate</a></li>
</ul></nav>
<nav aria-label="UK" class="ssrcss-secondary-nav"><ul><li><a href="{base}/news/england">England</a></li><li><a href="{base}/news/england/humberside">Local News</a></li><li><a href="{base}/news/england/york_and_north_yorkshire">Yorkshire</a></li></ul></nav>
</header>
<div id="dotcom-leaderboard-{nz.hex(6)}" class="dotcom-ad dotcom-leaderboard" data-ad-type="leaderboard"></div>
<main id="main-content" data-testid="main-content" class="ssrcss-1sxxp3s-Main">
<article class="ssrcss-pv1rh6-ArticleWrapper e1nh2i2l6">
<header data-component="headline-block" class="{css}-ComponentWrapper e1xue1i88"><h1 id="main-heading" tabindex="-1" class="ssrcss-15xko80-StyledHeading e1fj1fc10">{esc(art.title)}</h1></header>
<div data-component="metadata-block" class="{css}-ComponentWrapper e1xue1i88"><ul class="ssrcss-1s9qf6s-MetadataStripContainer">
<li class="ssrcss-1xw9ufx-MetadataStripItem"><div class="ssrcss-m5j4pi-MetadataSnippet"><span class="visually-hidden">Published</span>{stamp}</div></li>
<li class="ssrcss-1xw9ufx-MetadataStripItem"><div class="ssrcss-m5j4pi-MetadataSnippet">{updated}</div></li>
<li class="ssrcss-share"><button class="ssrcss-share-btn" aria-label="Share">Share</button></li>
</ul></div>
<div data-component="byline-block" class="{css}-ComponentWrapper e1xue1i88"><div class="ssrcss-68pt20-Text-TextContributorName">
<div class="ssrcss-1uiczid-Contributor"><span class="visually-hidden">By </span><span data-testid="byline-name" class="ssrcss-68pt20-Text-TextContributorName e8mq1e96">{esc(art.byline)}</span>
<div data-testid="byline-role" class="ssrcss-84ltp5-Text e1mx1cx50">{esc(role)}</div></div></div></div>
{chr(10).join(blocks)}
<div data-component="links-block" class="{css}-ComponentWrapper e1xue1i88"><div class="ssrcss-more"><h2 class="ssrcss-heading">More on this story</h2><ul>
{more}
</ul></div></div>
<div data-component="topicList" class="{css}-ComponentWrapper e1xue1i88"><div class="ssrcss-topics"><h2 class="ssrcss-heading">Related topics</h2><ul>
<li><a href="{base}/news/topics/coastal-erosion">Coastal erosion</a></li><li><a href="{base}/news/topics/holmcliffe">Holmcliffe</a></li><li><a href="{base}/news/topics/east-riding-council">East Riding of Yorkshire Council</a></li>
</ul></div></div>
</article>
<section data-component="most-read" aria-labelledby="mostRead" class="ssrcss-most-read"><h2 id="mostRead">Most read</h2><ol>
{most}
</ol></section>
<section aria-labelledby="topStories" class="ssrcss-top-stories"><h2 id="topStories">Top Stories</h2><ul>
{top}
</ul></section>
</main>
<footer data-testid="footer" class="ssrcss-footer"><ul><li><a href="{base}/usingthebcn/terms">Terms of Use</a></li><li><a href="{base}/aboutthebcn">About the BCN</a></li><li><a href="{base}/usingthebcn/privacy">Privacy Policy</a></li><li><a href="{base}/usingthebcn/cookies">Cookies</a></li><li><a href="{base}/accessibility">Accessibility Help</a></li><li><a href="{base}/contact">Contact the BCN</a></li></ul>
<p class="ssrcss-copyright"><span>Copyright &copy; 2026 BCN.</span> The BCN is not responsible for the content of external sites. <a href="{base}/editorialguidelines/guidance/feeds-and-links">Read about our approach to external linking.</a></p></footer>
</div>
{cookie_banner(nz, "plain")}
<script src="https://static.files.bcn.example/orbit/{nz.build}/js/orb.min.js" defer></script>
</body>
</html>
"""


# --------------------------------------------------------------------------- layout 7: korean_euckr


def render_korean(s: Story, art: Art, nz: Noise, n: int) -> str:
    """A Korean daily in EUC-KR: "입력 2019-03-26 17:08" / "수정 …" in Seoul time."""
    base = f"https://{s.host}"
    tz = ZoneInfo(s.display_tz)
    dates = f'<span class="date">입력 {art.posted.astimezone(tz):%Y-%m-%d %H:%M}</span>'
    if art.updated:
        dates += f' <span class="date">수정 {art.updated.astimezone(tz):%Y-%m-%d %H:%M}</span>'
    body = []
    for i, para in enumerate(art.raw()):
        if para.startswith("바로잡습니다"):
            body.append(f'<p class="correct_notice"><b>{esc(para)}</b></p>')
        else:
            body.append(f"<p>{esc(para)}</p>")
        if i == 1:
            body.append(
                '<div class="article_photo"><img src="//img.koreatimes.co.kr/upload/newsV2/'
                f'images/201903/{nz.hex(32)}.jpg" alt="" width="560"><p class="photo_caption">'
                "26일 경기 여주시 가남읍의 한 물류창고에서 불이 나 소방대원들이 진화 작업을 "
                "벌이고 있다. 경기소방재난본부 제공</p></div>"
            )
        if i == 4:
            body.append(
                '<div class="ad_box ad_article_mid"><iframe src="//ad.adnet.example.co.kr/cgi-'
                f"bin/PelicanC.dll?impr?pageid={nz.rng.randrange(10**4)}&amp;out=iframe&amp;"
                f'r={nz.rng.randrange(10**9)}" width="300" height="250" frameborder="0" '
                'scrolling="no" marginwidth="0" marginheight="0"></iframe></div>'
            )
    most = "\n".join(
        f'<li><em>{k}</em><a href="{base}/www/{slug(t.section) or "nation"}/{t.when:%Y/%m}/'
        f'{nz.rng.randrange(100, 999)}_{nz.rng.randrange(260000, 267000)}.html">'
        f"{esc(t.headline)}</a></li>"
        for k, t in enumerate(nz.most_read + nz.latest[:3], 1)
    )
    latest = "\n".join(
        f'<li><a href="{base}/www/nation/{t.when:%Y/%m}/{nz.rng.randrange(100, 999)}_'
        f'{nz.rng.randrange(260000, 267000)}.html">{esc(t.headline)}</a>'
        f'<span class="time">{t.when:%m-%d %H:%M}</span></li>'
        for t in nz.latest
    )
    related = "\n".join(
        f'<li><a href="{base}/www/nation/{t.when:%Y/%m}/{nz.rng.randrange(100, 999)}_'
        f'{nz.rng.randrange(250000, 266000)}.html">{esc(t.headline)}</a>'
        f'<span class="date">{t.when:%Y.%m.%d}</span></li>'
        for t in nz.related
    )
    keywords = " ".join(f"<a href=\"{base}/search?q={k}\">{k}</a>" for k in nz.rng.sample(
        ["#미세먼지", "#추경", "#프로야구", "#아파트값", "#5G", "#황사", "#개헌", "#봄꽃축제"], 5
    ))  # fmt: skip
    now = nz.fetched
    weekday = "월화수목금토일"[now.weekday()]
    return f"""<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="euc-kr">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{esc(art.title)} - 코리아타임스</title>
<meta name="description" content="{att(art.title)}">
<meta name="keywords" content="화재, 물류창고, 여주, 소방">
<meta property="og:type" content="article">
<meta property="og:title" content="{att(art.title)}">
<meta property="og:url" content="{s.url}">
<meta property="og:image" content="//img.koreatimes.co.kr/upload/newsV2/images/201903/{nz.hex(32)}.jpg">
<meta property="og:site_name" content="코리아타임스 한국어판">
<link rel="canonical" href="{s.url}">
<link rel="stylesheet" type="text/css" href="/www/css/news_view.css?v={now:%Y%m%d%H}">
<script type="text/javascript" src="/www/js/jquery-1.11.3.min.js"></script>
<script type="text/javascript">
var article_no = "266012"; var section_cd = "113"; var sid = "{nz.request_id[:16]}";
document.domain = "koreatimes.co.kr";
</script>
{analytics(nz, "koreatimes.co.kr")}
</head>
<body>
<div id="wrap">
<div id="top_util"><span class="today">{now.year}년 {now.month}월 {now.day}일 ({weekday}) {now:%H:%M}</span>
<span class="weather">서울 {nz.temp}℃ 미세먼지 {nz.rng.choice(["좋음", "보통", "나쁨"])}</span>
<a href="{base}/member/login.asp">로그인</a> | <a href="{base}/member/join.asp">회원가입</a></div>
<div id="header"><h2 class="logo"><a href="{base}/">코리아타임스</a></h2>
<div class="banner_top"><iframe src="//ad.adnet.example.co.kr/cgi-bin/PelicanC.dll?impr?pageid=0A1B&amp;out=iframe&amp;r={nz.rng.randrange(10**9)}" width="728" height="90" frameborder="0" scrolling="no"></iframe></div>
<div class="hot_keyword"><strong>실시간 인기 검색어</strong> {keywords}</div></div>
<div id="gnb"><ul>
<li><a href="{base}/www/politics/">정치</a></li><li><a href="{base}/www/economy/">경제</a></li><li class="on"><a href="{base}/www/nation/">사회</a></li><li><a href="{base}/www/world/">국제</a></li><li><a href="{base}/www/culture/">문화</a></li><li><a href="{base}/www/sports/">스포츠</a></li><li><a href="{base}/www/opinion/">오피니언</a></li><li><a href="{base}/www/photo/">포토</a></li>
</ul></div>
<div id="container">
<div id="content">
<div class="article_view">
<div class="location"><a href="{base}/">홈</a> &gt; <a href="{base}/www/nation/">사회</a> &gt; <a href="{base}/www/nation/accident/">사건·사고</a></div>
<h1 class="article_tit">{esc(art.title)}</h1>
<div class="article_info">
<span class="byline">{esc(art.byline)}</span>
{dates}
<span class="util"><a href="javascript:fontUp();">글자크게</a> <a href="javascript:fontDown();">글자작게</a> <a href="javascript:window.print();">인쇄</a></span>
</div>
<div class="sns_box"><a href="https://social.example/sharer?u={s.url}">페이스북</a> <a href="https://microblog.example/share?url={s.url}">트위터</a> <a href="https://talk.example/share?url={s.url}">카카오톡</a> <span class="cnt">공유 {nz.shares:,}</span></div>
<div id="article_body" class="article_txt">
{chr(10).join(body)}
</div>
<div class="copyright">ⓒ 코리아타임스, 무단 전재 및 재배포 금지</div>
<div class="reaction"><span>좋아요 {nz.rng.randrange(0, 300)}</span> <span>화나요 {nz.rng.randrange(0, 90)}</span> <span>슬퍼요 {nz.rng.randrange(0, 200)}</span> <span class="cmt">댓글 {nz.comment_count}</span></div>
<div class="relation_news"><h3>관련기사</h3><ul>
{related}
</ul></div>
</div>
</div>
<div id="aside">
<div class="banner_side"><iframe src="//ad.adnet.example.co.kr/cgi-bin/PelicanC.dll?impr?pageid=0A1C&amp;out=iframe&amp;r={nz.rng.randrange(10**9)}" width="300" height="250" frameborder="0" scrolling="no"></iframe></div>
<div class="most_view"><h3>많이 본 뉴스</h3><ol>
{most}
</ol></div>
<div class="latest_news"><h3>최신 기사</h3><ul>
{latest}
</ul></div>
</div>
</div>
<div id="footer"><p><a href="{base}/company/">회사소개</a> | <a href="{base}/company/privacy.asp">개인정보처리방침</a> | <a href="{base}/company/youth.asp">청소년보호정책</a> | <a href="{base}/company/ad.asp">광고안내</a></p>
<p>서울특별시 중구 가상로 17 | 등록번호 서울 아00000 | 발행·편집인 홍길동</p>
<p>Copyright ⓒ 2026 코리아타임스. All rights reserved.</p></div>
</div>
</body>
</html>
"""


# --------------------------------------------------------------------------- layout 8: inline_ads


def render_inline(s: Story, art: Art, nz: Noise, n: int) -> str:
    """A cable-news site: JSON-LD plus "Updated 9:41 AM EST, Thu January 16, 2025"; the body
    is cut up by ad slots, "Read more" links, a pull quote, a related box and a newsletter."""
    base = f"https://{s.host}"
    tz = ZoneInfo(s.display_tz)
    up = (art.updated or art.posted).astimezone(tz)
    label = "Updated" if art.updated else "Published"
    visible = f"{label} {ampm(up, dotted=False)} {up:%Z}, {up:%a} {us_date(up).replace(',', '')}"
    visible = visible.replace(f"{up.day} {up.year}", f"{up.day}, {up.year}")
    names = art.byline.split(" and ")
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": s.url},
        "url": s.url,
        "headline": art.title,
        "description": "Freezing rain brought down trees and power lines across the region.",
        "datePublished": iso(art.posted),
        "dateModified": iso(art.updated or art.posted),
        "author": [{"@type": "Person", "name": name, "url": f"{base}/profiles/{slug(name)}"}
                   for name in names],
        "publisher": {"@type": "Organization", "name": "The Current",
                      "logo": {"@type": "ImageObject", "url": f"{base}/media/logo.png"}},
        "image": [f"{base}/media/{nz.hex(8)}/ice-storm-lines.jpg"],
        "articleSection": ["weather"],
        "isAccessibleForFree": True,
    }  # fmt: skip

    def para_html(text: str) -> str:
        return (
            f'<p class="paragraph inline-placeholder vossi-paragraph" data-component-name='
            f'"paragraph" id="paragraph_{nz.hex(8)}-{nz.hex(4)}" data-editable="text" '
            f'data-article-gutter="true">{esc(text)}</p>'
        )

    def ad(pos: int) -> str:
        return (
            f'<div class="ad-slot-dynamic ad-slot-dynamic--inline" data-ad-position="'
            f'ad_in_article_{pos}" data-uuid="{nz.hex(8)}-{nz.hex(4)}-{nz.hex(4)}-{nz.hex(4)}-{nz.hex(12)}">'
            f'<div class="ad-slot__wrapper"><div id="ad_{nz.hex(10)}" class="ad-slot__ad">'
            f'</div></div><div class="ad-feedback-link-container"><button class="ad-feedback-'
            'link">Ad Feedback</button></div></div>'
        )

    r1, r2, r3 = nz.related
    extras: dict[int, str] = {
        0: (
            '<div class="image image__hide-placeholder" data-component-name="image"><picture>'
            f'<img src="{base}/media/{nz.hex(8)}/ice-covered-lines.jpg" alt="Ice-covered power '
            'lines" width="1100" height="619"></picture><div class="image__metadata"><div '
            'class="image__caption attribution"><span data-editable="metaCaption">Ice coats '
            "power lines along a rural road in Carver County early Thursday.</span></div>"
            '<figcaption class="image__credit">Lakeside Power via The Current</figcaption>'
            "</div></div>"
        ),
        1: ad(1),
        2: (
            f'<p class="read-more"><strong>Read more:</strong> <a href="{base}/{r1.when:%Y/%m/%d}'
            f'/weather/{r1.slug}/index.html">{esc(r1.headline)}</a></p>'
        ),
        3: (
            '<aside class="pull-quote" data-component-name="pull-quote"><blockquote class='
            '"pull-quote__text">“This is one of the most damaging storms we have dealt with in '
            'the last decade.”</blockquote><cite class="pull-quote__author">Angela Ruiz, '
            "Lakeside Power</cite></aside>"
        ),
        4: (
            '<div class="newsletter-inline" data-component-name="newsletter-inline"><div '
            'class="newsletter-inline__content"><h3 class="newsletter-inline__title">Weather '
            'Brief</h3><p class="newsletter-inline__description">Storm warnings and forecasts '
            'that matter to you, every morning.</p><form class="newsletter-inline__form">'
            '<input type="email" placeholder="Enter your email" aria-label="Email"><button>'
            'Sign me up</button></form><p class="newsletter-inline__legal">By subscribing you '
            'agree to our <a href="/privacy">privacy policy</a>.</p></div></div>'
        ),
        5: (
            '<div class="related-content related-content--article" data-component-name='
            f'"related-content"><span class="related-content__label">Related:</span> <a '
            f'href="{base}/{r2.when:%Y/%m/%d}/us/{r2.slug}/index.html"><span class="related-'
            f'content__headline">{esc(r2.headline)}</span></a> <span class="related-content__'
            f'date">{r2.when:%b} {r2.when.day}, {r2.when.year}</span></div>'
        ),
        7: ad(2),
        8: (
            f'<p class="read-more"><strong>Read more:</strong> <a href="{base}/{r3.when:%Y/%m/%d}'
            f'/us/{r3.slug}/index.html">{esc(r3.headline)}</a></p>'
        ),
    }
    body = []
    for i, para in enumerate(art.raw()):
        body.append(para_html(para))
        if i in extras:
            body.append(extras[i])
    trending = " ".join(
        f'<a class="trending__link" href="{base}/{t.when:%Y/%m/%d}/us/{t.slug}/index.html">'
        f"{esc(t.headline)}</a>"
        for t in nz.latest[:4]
    )
    cards = "\n".join(
        f'<div class="card container__item"><a href="{base}/{t.when:%Y/%m/%d}/us/{t.slug}/'
        f'index.html"><span class="container__headline-text">{esc(t.headline)}</span></a>'
        f'<div class="container__date">{t.when:%b} {t.when.day}, {t.when.year}</div></div>'
        for t in nz.most_read
    )
    paid = "\n".join(
        f'<li class="paid-partner"><a href="https://trk.native.example/p?{nz.hex(10)}">'
        f'{esc(h)}</a><span class="paid-partner__brand">{esc(b)}</span></li>'
        for h, b in nz.sponsored
    )
    byline_html = " and ".join(
        f'<a class="byline__link" href="{base}/profiles/{slug(name)}"><span class="byline__name">'
        f"{esc(name)}</span></a>"
        for name in names
    )
    return f"""<!DOCTYPE html>
<html lang="en" data-uri="current.example/_pages/{nz.hex(24)}@published" data-layout-uri="current.example/_layouts/layout-with-rail/instances/weather-v1@published">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,shrink-to-fit=no">
<title>{esc(art.title)} | The Current</title>
<meta name="description" content="Freezing rain brought down trees and power lines across the region.">
<link rel="canonical" href="{s.url}">
<meta property="og:title" content="{att(art.title)}">
<meta property="og:site_name" content="The Current">
<meta property="og:type" content="article">
<meta property="og:url" content="{s.url}">
<meta property="og:image" content="{base}/media/{nz.hex(8)}/ice-storm-lines.jpg">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:site" content="@thecurrent">
<meta name="section" content="weather">
<meta name="type" content="article">
<meta name="template_type" content="article_leaf">
<script type="application/ld+json">{ld_json(ld)}</script>
<link rel="stylesheet" href="/css/{nz.build}/page.css">
{analytics(nz, s.host)}
<script>window.CNNPageVars={{"pageId":"{nz.hex(24)}","adsRefresh":{nz.rng.randrange(20, 45)},"edition":"{nz.rng.choice(["domestic", "international"])}"}};</script>
</head>
<body class="layout layout-with-rail__body">
{cookie_banner(nz, "onetrust")}
<header class="header" data-editable="header"><div class="header__wrapper">
<a class="brand-logo" href="{base}/">The Current</a>
<nav class="header__nav" aria-label="Main"><a href="{base}/us">US</a> <a href="{base}/world">World</a> <a href="{base}/politics">Politics</a> <a href="{base}/business">Business</a> <a href="{base}/health">Health</a> <a href="{base}/entertainment">Entertainment</a> <a href="{base}/style">Style</a> <a href="{base}/travel">Travel</a> <a href="{base}/sport">Sports</a> <a href="{base}/weather">Weather</a></nav>
<a class="header__subscribe" href="{base}/subscription">Subscribe</a> <a class="header__user" href="{base}/account/log-in">Sign in</a></div>
<div class="trending"><span class="trending__title">Trending:</span> {trending}</div></header>
<div class="ad-slot-header" data-ad-position="ad_bnr_atf_01" id="ad_bnr_{nz.hex(8)}"></div>
<section class="layout__wrapper">
<section class="layout__main">
<div class="headline headline--has-lowertext">
<h1 data-editable="headlineText" class="headline__text inline-placeholder" id="maincontent">{esc(art.title)}</h1>
<div class="headline__footer"><div class="headline__sub-container">
<div class="byline byline--lite" data-component-name="byline">By {byline_html}, The Current</div>
<div class="timestamp vossi-timestamp">{visible}</div>
</div></div>
<div class="social-share"><a href="https://social.example/sharer?u={s.url}">Facebook</a> <a href="https://microblog.example/intent/tweet?url={s.url}">Tweet</a> <a href="mailto:?subject={att(art.title)}">Email</a> <a href="#" class="social-share__link">Link Copied!</a></div>
</div>
<main class="article__main" data-editable="main">
<div class="article__content-container"><div class="article__content" data-editable="content" itemprop="articleBody">
{chr(10).join(body)}
</div></div>
</main>
<section class="zone zone--paid"><h2 class="zone__title">Paid Partner Content</h2><ul>
{paid}
</ul></section>
</section>
<aside class="layout__rail">
<div class="ad-slot-rail" data-ad-position="ad_rect_atf_01" id="ad_rect_{nz.hex(8)}"></div>
<section class="container container_list-headlines"><h2 class="container__title">Most Read</h2>
{cards}
</section>
</aside>
</section>
<footer class="footer"><nav class="footer__links"><a href="{base}/terms">Terms of Use</a> <a href="{base}/privacy">Privacy Policy</a> <a href="{base}/ad-choices">Ad Choices</a> <a href="{base}/accessibility">Accessibility &amp; CC</a> <a href="{base}/about">About</a> <a href="{base}/newsletters">Newsletters</a></nav>
<p class="footer__copyright-text">&copy; 2026 The Current News Network. All Rights Reserved.</p></footer>
<script src="/js/{nz.build}/page.js" defer></script>
</body>
</html>
"""


# --------------------------------------------------------------------------- layout 9: microdata


def render_micro(s: Story, art: Art, nz: Noise, n: int) -> str:
    """A UK national: schema.org microdata (itemprop datePublished/dateModified meta tags)
    and only the day visible; a reader-funding appeal in prose right after the article."""
    base = f"https://{s.host}"
    tz = ZoneInfo(s.display_tz)
    posted = art.posted.astimezone(tz)
    modified = f'<meta itemprop="dateModified" content="{iso(art.updated)}">' if art.updated else ""
    byline_html = " and ".join(
        f'<a rel="author" data-link-name="auto tag link" href="{base}/profile/{slug(name)}" '
        f'itemprop="author" itemscope itemtype="http://schema.org/Person">'
        f'<span itemprop="name">{esc(name)}</span></a>'
        for name in art.byline.split(" and ")
    )
    body = []
    for i, para in enumerate(art.raw()):
        if para.startswith("This article was amended"):
            body.append(f'<p class="dcr-s23rjr"><em>{esc(para)}</em></p>')
        else:
            body.append(f'<p class="dcr-s23rjr">{esc(para)}</p>')
        if i == 3:
            body.append(
                f'<aside class="ad-slot-container dcr-{nz.hex(6)}"><div id="dfp-ad--inline1" '
                'data-link-name="ad slot inline1" data-name="inline1" class="js-ad-slot '
                f'ad-slot ad-slot--inline" data-refresh="{str(nz.rng.random() < 0.5).lower()}"'
                f' aria-hidden="true" data-label-show="true" data-id="{nz.hex(8)}"></div></aside>'
            )
        if i == 1:
            r = nz.related[0]
            body.append(
                '<aside data-gu-name="rich-link" class="dcr-rich-link"><div class="rich-link">'
                f'<a href="{base}/education/{gdate(r.when)}/{r.slug}">'
                f'<span class="rich-link__kicker">Education</span> {esc(r.headline)}</a></div>'
                "</aside>"
            )
    supporters = f"{nz.rng.randrange(1_100_000, 1_400_000):,}"
    epic_open = nz.rng.choice(
        [
            "I hope you appreciated this article. Before you move on, I wonder if you would "
            "consider supporting our journalism.",
            "You've read articles in the last year. And you're not alone; millions of readers "
            "rely on our independent journalism.",
            "With news under pressure from every side, we're asking readers to help keep our "
            "reporting open to everyone.",
        ]
    )
    most = "\n".join(
        f'<li class="most-viewed__item"><span class="dcr-number">{k}</span><a href="{base}/'
        f'{slug(t.section)}/{gdate(t.when)}/{t.slug}">{esc(t.headline)}</a></li>'
        for k, t in enumerate(nz.most_read + nz.latest[:5], 1)
    )
    related = "\n".join(
        f'<li class="card"><a href="{base}/{slug(t.section)}/{gdate(t.when)}/{t.slug}">'
        f'<h3 class="card__headline">{esc(t.headline)}</h3></a><p class="card__standfirst">'
        f'{esc(t.teaser)}</p><time class="card__age" datetime="{iso(t.when)}">'
        f"{t.when.day} {t.when:%b %Y}</time></li>"
        for t in nz.related
    )
    now = nz.fetched
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(art.title)} | Education | The Morning Herald</title>
<meta name="description" content="More than 300 students must sit their finals again after the papers appeared online.">
<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">
<link rel="canonical" href="{s.url}">
<meta property="og:url" content="{s.url}">
<meta property="og:title" content="{att(art.title)}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="The Morning Herald">
<meta property="og:image" content="https://i.morningherald.example/img/media/{nz.hex(40)}/0_0_4000_2400/master/4000.jpg?width=1200&amp;quality=85&amp;auto=format&amp;fit=max&amp;s={nz.hex(32)}">
<meta name="twitter:site" content="@morningherald">
<meta name="twitter:card" content="summary_large_image">
<meta name="theme-color" content="#052962">
<script>window.herald={{"config":{{"page":{{"contentType":"Article","section":"education","pageId":"education/2026/jan/20/exam-paper-leak-university-medical-finals","edition":"{nz.rng.choice(["UK", "US", "AU", "INT"])}","abTests":{{"epicVariant":"{nz.hex(4)}"}}}},"ophan":{{"pageViewId":"{nz.hex(20)}","browserId":"{nz.hex(16)}"}}}}}};</script>
{analytics(nz, s.host)}
</head>
<body>
<div data-link-name="nav3" class="dcr-nav">
<a href="{base}/" class="dcr-logo">The Morning Herald</a>
<span class="dcr-edition-date">{now:%A} {now.day} {now:%B} {now.year}</span>
<nav aria-label="Herald sections"><ul>
<li><a href="{base}/">News</a></li><li><a href="{base}/commentisfree">Opinion</a></li><li><a href="{base}/sport">Sport</a></li><li><a href="{base}/culture">Culture</a></li><li><a href="{base}/lifeandstyle">Lifestyle</a></li>
</ul></nav>
<ul class="dcr-subnav"><li><a href="{base}/uk-news">UK</a></li><li><a href="{base}/world">World</a></li><li><a href="{base}/climate-crisis">Climate crisis</a></li><li><a href="{base}/education" aria-current="page">Education</a></li><li><a href="{base}/society">Society</a></li><li><a href="{base}/science">Science</a></li></ul>
<a class="dcr-support" href="https://support.morningherald.example/?ref={nz.hex(6)}">Support us</a>
</div>
<div id="dfp-ad--top-above-nav" class="js-ad-slot ad-slot ad-slot--top-above-nav" data-name="top-above-nav" data-refresh="{nz.hex(4)}"></div>
<main data-layout="StandardLayout">
<article itemscope itemtype="http://schema.org/NewsArticle" class="dcr-article">
<meta itemprop="mainEntityOfPage" content="{s.url}">
<meta itemprop="datePublished" content="{iso(art.posted)}">
{modified}
<div class="dcr-section"><a href="{base}/education" data-link-name="article section">Universities</a></div>
<h1 itemprop="headline" class="dcr-headline">{esc(art.title)}</h1>
<div class="dcr-meta">
<address aria-label="Contributor info" class="dcr-byline">{byline_html}</address>
<div class="dcr-dateline"><span>{posted:%a} {posted.day} {posted:%b} {posted.year}</span></div>
<div class="dcr-share"><a href="mailto:?subject={att(art.title)}">Share</a> <span class="dcr-share-count">{nz.shares:,}</span> <a href="#comments" class="dcr-comment-count">{nz.comment_count}</a></div>
</div>
<figure class="dcr-main-media" itemprop="image" itemscope itemtype="http://schema.org/ImageObject"><img src="https://i.morningherald.example/img/media/{nz.hex(40)}/master/2000.jpg" alt="Students in an exam hall" itemprop="contentUrl">
<figcaption class="dcr-caption">The university said the leaked questions were shared in a private messaging group. Photograph: David Hale/Alamy</figcaption></figure>
<div class="article-body-commercial-selector article-body-viewer-selector dcr-body" itemprop="articleBody">
{chr(10).join(body)}
</div>
</article>
<div class="contributions__epic" data-component="contributions-epic" data-variant="{nz.hex(4)}">
<h2 class="epic__heading">{nz.rng.choice(["Can you spare a moment?", "Before you go", "A note to our readers"])}</h2>
<p class="epic__text">{epic_open}</p>
<p class="epic__text">We have no shareholders and no billionaire owner. That means we can investigate without fear, and our reporting stays free for everyone to read.</p>
<p class="epic__text">More than {supporters} readers now support us. If you can, please join them today. It takes less than a minute.</p>
<div class="epic__buttons"><a href="https://support.morningherald.example/contribute?ref={nz.hex(6)}">Support us</a></div></div>
<section class="dcr-related" data-link-name="related"><h2>More on this story</h2><ul>
{related}
</ul></section>
<section id="comments" class="dcr-discussion"><h2>Comments ({nz.comment_count})</h2><p>This discussion is now closed for comments but you can still sign in or create your account to manage your profile.</p></section>
<section class="most-viewed" data-link-name="most-viewed"><h2>Most viewed</h2><ol>
{most}
</ol></section>
</main>
<footer class="dcr-footer"><ul><li><a href="{base}/about">About us</a></li><li><a href="{base}/help/contact-us">Contact us</a></li><li><a href="{base}/info/complaints-and-corrections">Complaints &amp; corrections</a></li><li><a href="{base}/info/privacy">Privacy policy</a></li><li><a href="{base}/info/cookies">Cookie policy</a></li></ul>
<p class="dcr-copyright">&copy; 2026 Morning Herald News &amp; Media Limited or its affiliated companies. All rights reserved.</p></footer>
{cookie_banner(nz, "plain")}
</body>
</html>
"""


# --------------------------------------------------------------------------- the stories

NOISE = (
    "Noise only: most-read/latest lists, ad ids, clock and counters change; the article does not."
)


def story_jsonld() -> Story:
    tz = "America/Chicago"
    body = parse_body("""
Rising water from the Marlow River forced about 400 families from their homes on Tuesday, after
  days of heavy rain pushed the river over its banks at three points along the valley floor.

County officials opened emergency shelters at Marlow High School and the Eastgate community
  center, and said buses would run through the night for residents without cars.
Sheriff's deputies went door to door in the lowest streets of Riverside and Old Mill, urging
  people to leave before dark.

The river stood at 23.4 feet at the Harlan Street gauge late Tuesday afternoon, more than five
  feet above flood stage, according to the National Weather Service.
Forecasters expect it to crest on Thursday morning.

"We have not seen water move this fast since 2008," said Denise Carraway, the county's
  emergency management director.
She urged anyone told to leave to take their medicines, phone chargers and important papers with
  them.

No deaths or serious injuries had been reported by Tuesday evening.
Two people were rescued from the roof of a stalled pickup truck on Route 9, and a nursing home
  near the river moved its residents to a sister facility in Bramwell as a precaution.

The Marlow Valley School District canceled Wednesday classes at all of its schools.
Several roads, including parts of Route 9 and the Cedar Avenue bridge, were closed, and the
  state transportation department warned drivers not to cross flooded streets.

Governor Lauren Pike declared a state of emergency for Marlow and Dunmore counties, clearing the
  way for National Guard help and state money for the cleanup.

Many of the families who left on Tuesday had only just finished repairing homes damaged by
  flooding last spring.
At the high school shelter, volunteers handed out blankets and hot meals while children played
  on cots set up across the gym floor.

The weather service said another inch of rain could fall on the valley before the storm system
  moves east on Wednesday night.
""")
    first = Art(
        title="Floodwaters force hundreds of families from homes in Marlow Valley",
        byline="Rachel Okafor",
        posted=dt("2019-03-26 17:08", tz),
        updated=dt("2019-03-26 17:12", tz),
        paras=body,
    )
    steps = [
        Step("unchanged", NOISE + " A different related video (its own JSON-LD uploadDate)."),
        Step(
            "changed",
            "Declared: a sentence about boil-water advice added; dateModified moves.",
            ops=(
                ("add", "Several roads, including parts of Route 9",
                 """The county asked residents of Riverside to boil tap water until further notice
                 after the main pumping station lost power."""),
                ("updated", dt("2019-03-26 19:40", tz)),
            ),
            kind="declared",
        ),
        Step("unchanged", NOISE),
        Step(
            "changed",
            "Stealth number change: about 400 families becomes about 450; dateModified stays.",
            ops=(("sub", "about 400 families", "about 450 families"),),
            kind="stealth",
            flags=("numbers",),
        ),
        Step(
            "timestamp_only",
            "Only dateModified moves (overnight re-save); article text identical.",
            ops=(("updated", dt("2019-03-27 08:15", tz)),),
            gap_minutes=600,
        ),
        Step(
            "changed",
            "Stealth headline change (JSON-LD headline, og:title and <title> follow).",
            ops=(("title", "Marlow Valley braces for river crest as hundreds of families flee "
                  "rising water"),),
            kind="stealth",
            flags=("headline",),
        ),
        Step(
            "changed",
            "Declared correction: the shelter's name fixed (Eastgate to Eastbrook) and a "
            "correction notice appended at the end of the body.",
            ops=(
                ("sub", "Eastgate community center", "Eastbrook community center"),
                ("add_para", "END",
                 """Correction: An earlier version of this article misstated the name of a
                 community center being used as an emergency shelter."""),
                ("updated", dt("2019-03-27 11:02", tz)),
            ),
            kind="declared",
            flags=("correction",),
        ),
    ]  # fmt: skip
    return Story(
        layout="jsonld",
        times="JSON-LD only: a Yoast @graph NewsArticle with datePublished/dateModified (-05:00) and a Person author; a rotating VideoObject JSON-LD carries its own uploadDate. Nothing visible.",
        outlet="The Daily Ledger",
        host="www.daily-ledger.example",
        url="https://www.daily-ledger.example/news/2019/03/26/marlow-valley-flooding-evacuations/",
        timezone=None,
        display_tz=tz,
        encoding="utf-8",
        first=first,
        steps=steps,
        render=render_jsonld,
        pool=POOL_EN,
        extra={
            "links": {
                "National Weather Service": "https://www.weather.example/marlow",
                "Marlow Valley School District": "https://www.daily-ledger.example/tag/schools/",
            }
        },
    )


def story_meta() -> Story:
    tz = "Europe/London"
    body = parse_body("""
Councillors in Northfield have approved plans for a £1.2bn tram line linking the city's eastern
  estates with the university and the main railway station, after a meeting that ran for almost
  seven hours.

The scheme was backed by 41 votes to 17, with four abstentions, at a session that ended shortly
  before midnight on Tuesday.
Dozens of residents watched from the public gallery, and some left before the final vote.

The 9.4-mile route will run from Hollins Cross to Fairfield Park, with 18 stops along the way.
Construction is due to begin in 2022, and the first trams are expected to carry passengers by
  the end of 2026.

"This is the biggest investment in the city's transport for a generation," said council leader
  Priya Natarajan.
She told the chamber that the line would put 60,000 more people within a short walk of a fast and
  reliable service.

Opposition councillors argued that the cost had risen sharply since the plan was first published
  and that bus services should be improved first.
"We are being asked to sign a blank cheque," said Graham Holt, leader of the Liberal Democrat
  group.

Traders on Hollins Road have warned that years of roadworks could drive small shops out of
  business.
The council said it would set up a fund to help affected firms, although it has not said how much
  money will be available.

About two thirds of the cost is expected to come from central government, with the rest raised
  through borrowing and a levy on large employers in the city centre.

A public consultation last year found that 68 per cent of respondents supported the scheme,
  although support was much lower in the villages to the north of the city.

The plans must still be approved by the transport secretary before work can start.
Officials hope to have a decision early next year.

The city's last trams ran in 1951, and rails from the old network can still be seen on parts of
  Market Street.
""")
    first = Art(
        title="Council approves £1.2bn crosstown tram line after marathon meeting",
        byline="Tom Ashworth",
        posted=dt("2020-08-12 09:30", tz),
        updated=dt("2020-08-12 09:34", tz),
        paras=body,
    )
    steps = [
        Step("unchanged", NOISE + " The mid-article 'Most Read' box changes too."),
        Step(
            "changed",
            "Declared quote change: Graham Holt's quote is extended; modified_time moves.",
            ops=(
                ("sub", '"We are being asked to sign a blank cheque,"',
                 '"We are being asked to sign a blank cheque on behalf of every council tax payer '
                 'in Northfield,"'),
                ("updated", dt("2020-08-12 11:45", tz)),
            ),
            kind="declared",
            flags=("quote",),
        ),
        Step("unchanged", NOISE),
        Step(
            "changed",
            "Stealth removal of the paragraph about Hollins Road traders; modified_time stays.",
            ops=(("drop_para", "Traders on Hollins Road"),),
            kind="stealth",
        ),
        Step(
            "unchanged",
            "Typography only: straight quotes and apostrophes become curly ones and a "
            "non-breaking space appears in '68 per cent'. Must count as no change.",
            ops=(("curl",), ("sub", "68 per cent", "68\u00a0per cent")),
        ),
        Step(
            "changed",
            "Stealth revert: the traders paragraph is put back, so the article equals v3 again "
            "(typography aside).",
            ops=(
                ("add_para", "Graham Holt",
                 "Traders on Hollins Road have warned that years of roadworks could drive small "
                 "shops out of business.",
                 "The council said it would set up a fund to help affected firms, although it has "
                 "not said how much money will be available."),
            ),
            kind="stealth",
            flags=("reverted",),
            reverts_to=3,
        ),
    ]  # fmt: skip
    return Story(
        layout="meta",
        times="Only <meta property=article:published_time / article:modified_time> (+01:00). No JSON-LD, no visible time.",
        outlet="The Northern Post",
        host="www.northernpost.example",
        url="https://www.northernpost.example/news/local-news/council-approves-crosstown-tram-line-4471820",
        timezone=None,
        display_tz=tz,
        encoding="utf-8",
        first=first,
        steps=steps,
        render=render_meta,
        pool=POOL_EN,
        extra={
            "links": {
                "public consultation": "https://www.northernpost.example/news/tram-consultation-3310442"
            }
        },
    )


def story_time() -> Story:
    tz = "America/New_York"
    body = parse_body("""
Harborview Health, which runs hospitals and clinics across the Bay City region, said Thursday
  that hackers had gained access to patient records during a ransomware attack that crippled its
  computer systems last week.

The breach affected records at three of the group's hospitals, including names, addresses, dates
  of birth and some treatment details, the company said in a statement.
It said it had found no evidence that bank or credit card information had been taken.

Harborview did not say how many patients were affected.
A person familiar with the investigation, who was not authorized to speak publicly, said the
  number was likely to run into the hundreds of thousands.

The attack, first detected on May 27, forced the hospitals to divert ambulances and to keep
  patient records on paper for several days.
Some scheduled surgeries were postponed.

"We deeply regret the worry this will cause our patients and their families," said Harborview's
  chief executive, Alan Brewster.

The company said it was working with the FBI and an outside cybersecurity firm, and that it would
  offer free credit monitoring to anyone whose records were involved.

Letters to affected patients will be mailed in the coming weeks, and a call center has been set
  up to answer questions.

Hospitals have become frequent targets of ransomware gangs, which lock computer systems and
  demand payment to restore them.
Federal officials have warned that such attacks can put lives at risk by delaying care.

Harborview said its systems had been fully restored by Tuesday.
""")
    first = Art(
        title="Harborview Health says hackers stole patient records in ransomware attack",
        byline="Dana Whitfield",
        posted=dt("2021-06-03 09:14", tz),
        updated=None,
        paras=body,
    )
    steps = [
        Step("unchanged", NOISE + " Sidebar and comment <time> elements all differ."),
        Step(
            "changed",
            "Declared byline change: a second reporter is added; an Updated <time> appears for "
            "the first time (none before).",
            ops=(("byline", "Dana Whitfield and Marcus Oyelaran"),
                 ("updated", dt("2021-06-03 15:40", tz))),
            kind="declared",
            flags=("byline",),
        ),
        Step(
            "changed",
            "Stealth sentence removal: 'Some scheduled surgeries were postponed.' is gone; "
            "Updated stays.",
            ops=(("drop", "Some scheduled surgeries were postponed."),),
            kind="stealth",
        ),
        Step("unchanged", NOISE),
        Step(
            "timestamp_only",
            "Only the Updated <time> moves; article text identical.",
            ops=(("updated", dt("2021-06-04 08:05", tz)),),
            gap_minutes=900,
        ),
        Step(
            "changed",
            "Declared number change: three of the group's hospitals becomes four.",
            ops=(("sub", "at three of the group's hospitals", "at four of the group's hospitals"),
                 ("updated", dt("2021-06-04 12:30", tz))),
            kind="declared",
            flags=("numbers",),
        ),
    ]  # fmt: skip
    return Story(
        layout="time_elements",
        times="Only <time datetime> elements labelled Published / Updated in the story header (-04:00); the Latest, Most Popular, Related and comment lists carry their own <time> elements.",
        outlet="Bay City Chronicle",
        host="news.baycity-chronicle.example",
        url="https://news.baycity-chronicle.example/2021/06/03/harborview-health-data-breach/",
        timezone=None,
        display_tz=tz,
        encoding="utf-8",
        first=first,
        steps=steps,
        render=render_time,
        pool=POOL_EN,
        extra={
            "links": {
                "ransomware attack": "https://news.baycity-chronicle.example/2021/05/28/harborview-outage/"
            }
        },
    )


def story_posted() -> Story:
    tz = "Asia/Kolkata"
    body = parse_body("""
The state's banking regulator on Tuesday fined Kaveri Cooperative Bank 40 million rupees for
  breaking lending rules, after an inspection found that loans had been approved without proper
  checks on borrowers.

The inspection, carried out between June and September last year, found that the bank had lent
  heavily to a small group of property developers.
Several of those loans were later restructured to hide missed payments, the regulator said in an
  order published on its website.

The bank has 212 branches, most of them in small towns and villages, and about 1.8 million
  depositors.

"Depositors' money is safe and the bank remains well capitalised," the bank's chairman, Ravi
  Shankar Iyer, said in a statement.
He said the bank had already replaced the managers involved and tightened its approval process.

The regulator also ordered the bank to appoint an independent auditor - a step it has taken only
  rarely - and to report every month on its recovery of bad loans.

Cooperative banks, which are owned by their members, have come under closer scrutiny since the
  collapse of a large lender in the neighbouring state two years ago.

Shares of listed lenders with exposure to the cooperative sector fell slightly in afternoon
  trading on Tuesday.

The bank has 30 days to appeal against the order.
""")
    first = Art(
        title="Regulator fines Kaveri Cooperative Bank over loan irregularities",
        byline="Anjali Menon",
        posted=dt("2019-03-26 17:08", tz),
        updated=None,
        paras=body,
    )
    steps = [
        Step(
            "unchanged",
            NOISE + " Sidebar list times are unlabelled 'YYYY-MM-DD HH:MM' strings.",
            gap_minutes=15,
        ),
        Step(
            "changed",
            "Stealth sentence added while the page shows no Updated time at all.",
            ops=(("add", "He said the bank had already replaced",
                  "He declined to say whether any employees would face criminal charges."),),
            kind="stealth",
            gap_minutes=15,
        ),
        Step(
            "changed",
            "Declared quote change: the chairman's quote is reworded and 'Updated : 2019-03-26 "
            "18:05' appears for the first time.",
            ops=(
                ("sub", "\"Depositors' money is safe and the bank remains well capitalised,\"",
                 "\"Depositors' money is completely safe and the bank will cooperate fully with "
                 "the regulator,\""),
                ("updated", dt("2019-03-26 18:05", tz)),
            ),
            kind="declared",
            flags=("quote",),
        ),
        Step("unchanged", NOISE),
        Step(
            "unchanged",
            "Typography only: ' - ' becomes an em dash, straight quotes become curly, and "
            "non-breaking spaces appear in '212 branches' and '30 days'. Must count as no change.",
            ops=(
                ("sub", "auditor - a step it has taken only rarely - and",
                 "auditor \u2014 a step it has taken only rarely \u2014 and"),
                ("sub", "212 branches", "212\u00a0branches"),
                ("sub", "30 days", "30\u00a0days"),
                ("curl",),
            ),
        ),
        Step(
            "changed",
            "Declared correction that is also a number change: the fine was 14 million rupees, "
            "not 40 million; a correction notice appears at the top of the body. Flags "
            "correction and numbers.",
            ops=(
                ("sub", "40 million rupees", "14 million rupees"),
                ("add_para", "TOP",
                 "Correction: An earlier version of this article misstated the amount of the fine "
                 "imposed on the bank."),
                ("updated", dt("2019-03-27 10:20", tz)),
            ),
            kind="declared",
            flags=("correction", "numbers"),
            gap_minutes=700,
        ),
    ]  # fmt: skip
    return Story(
        layout="posted_text",
        times="Only visible text 'Posted : 2019-03-26 17:08' / 'Updated : …', naive, outlet zone Asia/Kolkata; headline in a <div>, body split by <br><br>.",
        outlet="The Deccan Courier",
        host="www.deccancourier.example",
        url="https://www.deccancourier.example/business/2019/03/kaveri-cooperative-bank-fined-266318.html",
        timezone=tz,
        display_tz=tz,
        encoding="utf-8",
        first=first,
        steps=steps,
        render=render_posted,
        pool=POOL_EN,
    )


def story_wire() -> Story:
    tz = "Europe/London"
    body = parse_body("""
A passenger ferry carrying more than 200 people capsized in rough seas off Selwyn Island early on
  Monday, killing at least 12 people, and rescuers were searching for dozens more who were
  missing, officials said.

The Island Star left Port Selwyn shortly after dawn on its regular run to the mainland and
  overturned about an hour later, when it was hit by high waves near the mouth of the bay.

Coast guard vessels, fishing boats and a navy helicopter pulled survivors from the water
  throughout the morning.
Many were taken to the island's only hospital, which appealed for blood donations.

"The sea was like a wall, and then everything tipped over," said a survivor, Teodoro Salas,
  speaking by telephone from the hospital.

Officials said the ferry was licensed to carry 250 passengers, but a manifest released by the
  operator listed 231 names, and local media reported that some passengers may have boarded
  without tickets.

The operator, Blue Channel Lines, did not respond to requests for comment.
Its offices in Port Selwyn were closed on Monday.

The weather agency had issued a warning for small vessels on Sunday evening, but larger ferries
  were allowed to sail.

Ferry accidents are common in the island chain, where many people depend on boats to travel
  between islands and safety rules are often loosely enforced.

The transport minister said an investigation had been ordered and that the operator's other
  vessels would be inspected before they were allowed to sail again.
""")
    first = Art(
        title="Ferry capsizes off Selwyn Island as rescuers search for the missing",
        byline="Martin Keane",
        posted=dt("2022-11-14 05:08", tz),
        updated=dt("2022-11-14 06:40", tz),
        paras=body,
    )
    steps = [
        Step("unchanged", NOISE + " Market ticker values change."),
        Step(
            "changed",
            "Declared number change: the death toll rises from at least 12 to at least 17.",
            ops=(("sub", "killing at least 12 people", "killing at least 17 people"),
                 ("updated", dt("2022-11-14 09:15", tz))),
            kind="declared",
            flags=("numbers",),
        ),
        Step("unchanged", NOISE),
        Step(
            "changed",
            "Declared headline change only.",
            ops=(("title", "Search for survivors resumes after ferry capsizes off Selwyn Island"),
                 ("updated", dt("2022-11-14 11:32", tz))),
            kind="declared",
            flags=("headline",),
        ),
        Step(
            "changed",
            "Stealth removal of the paragraph about the operator not responding.",
            ops=(("drop_para", "The operator, Blue Channel Lines"),),
            kind="stealth",
        ),
        Step(
            "changed",
            "Stealth revert: the operator paragraph comes back; the article equals v5 again.",
            ops=(("add_para", "Officials said the ferry was licensed",
                  "The operator, Blue Channel Lines, did not respond to requests for comment.",
                  "Its offices in Port Selwyn were closed on Monday."),),
            kind="stealth",
            flags=("reverted",),
            reverts_to=5,
        ),
        Step(
            "timestamp_only",
            "Only the Updated line moves (to 3:05 PM GMT); article text identical.",
            ops=(("updated", dt("2022-11-14 15:05", tz)),),
        ),
    ]  # fmt: skip
    return Story(
        layout="wire",
        times="Only visible text: 'Published November 14, 2022 at 5:08 a.m. GMT' and 'Updated 3:05 PM GMT, November 14, 2022'; a dateline-only line opens the body.",
        outlet="Meridian",
        host="www.meridianwire.example",
        url="https://www.meridianwire.example/world/asia-pacific/ferry-capsizes-off-selwyn-island-2022-11-14/",
        timezone=None,
        display_tz=tz,
        encoding="utf-8",
        first=first,
        steps=steps,
        render=render_wire,
        pool=POOL_EN,
        extra={"dateline": "PORT SELWYN, Nov 14 (Meridian) -"},
    )


def story_bbc() -> Story:
    tz = "Europe/London"
    body = parse_body("""
Eight homes on the edge of a crumbling cliff in the East Yorkshire village of Holmcliffe are to be
  demolished after the coastline retreated faster than expected over the winter.

Residents were told on Thursday that the properties on Seaview Road were no longer safe to live
  in.

Some of the families have lived there for more than 30 years.

The local council said about 12 metres of land had been lost in places since October, after a
  series of storms and a very wet winter.

"We always knew the sea would win in the end, but nobody thought it would be this soon," said
  Margaret Fenwick, 74, whose bungalow is among those to be pulled down.

She said she had watched from her kitchen window as a large section of her garden slid onto the
  beach in March.

The council said residents would be offered help to find new homes, and that a relocation grant
  was being discussed with the government.

A spokesperson said the demolition work was expected to start in July.

The Holderness coast is one of the fastest eroding coastlines in northern Europe, losing on
  average about two metres a year.

Experts say rising sea levels and more frequent storms are likely to speed up the process.

Campaigners have called for stronger sea defences, but the Environment Agency has said that
  protecting the whole coastline would not be affordable.

Residents are due to meet council officials at the village hall next week.
""")
    first = Art(
        title="Holmcliffe: Cliff-top homes to be demolished as erosion speeds up",
        byline="Hannah Mercer",
        posted=dt("2023-05-26 05:12", "UTC"),  # the page states UTC ("…Z")
        updated=None,
        paras=body,
    )
    steps = [
        Step("unchanged", NOISE + " 'Most read' has ten different items."),
        Step("unchanged", NOISE + " Second noise-only fetch in a row."),
        Step(
            "changed",
            "Declared body edit: a sentence added after Margaret Fenwick's account and the "
            "demolition-date sentence replaced by a different one; an Updated <time> appears.",
            ops=(
                ("add", "She said she had watched from her kitchen window",
                 "Her neighbours said they had been given very little warning by the council."),
                ("replace", "A spokesperson said the demolition work",
                 "A spokesperson said contractors would be appointed once the residents had "
                 "moved out."),
                ("updated", dt("2023-05-26 11:47", "UTC")),
            ),
            kind="declared",
        ),
        Step(
            "changed",
            "Stealth quote change: 'nobody thought it would be this soon' becomes 'nobody told "
            "us it would be this soon'.",
            ops=(("sub", "but nobody thought it would be this soon",
                  "but nobody told us it would be this soon"),),
            kind="stealth",
            flags=("quote",),
        ),
        Step(
            "changed",
            "Stealth byline change: the story is re-credited to another reporter (the role line "
            "under the name stays).",
            ops=(("byline", "Owen Pritchard"),),
            kind="stealth",
            flags=("byline",),
        ),
        Step(
            "unchanged",
            "Typography only: straight quotes and apostrophes become curly. Must count as no "
            "change.",
            ops=(("curl",),),
        ),
    ]  # fmt: skip
    return Story(
        layout="bbc_blocks",
        times="Only <time datetime=…000Z> showing '26 May 2023' (Published visually hidden; Updated labelled); body as data-component=text-block divs.",
        outlet="BCN News",
        host="www.bcn-news.example",
        url="https://www.bcn-news.example/news/uk-england-humber-65712304",
        timezone=None,
        display_tz=tz,
        encoding="utf-8",
        first=first,
        steps=steps,
        render=render_bbc,
        pool=POOL_EN,
        extra={"role": "BCN News, Yorkshire"},
    )


def story_korean() -> Story:
    tz = "Asia/Seoul"
    body = parse_body("""
26일 오후 1시 10분께 경기 여주시 가남읍의 한 물류창고에서
  불이 나 작업자 12명이 연기를 마셔 병원으로 옮겨졌다.

불이 나자 창고 안에 있던 작업자 80여 명이 긴급히 대피했다.
부상자 가운데 2명은 화상을 입어 중상인 것으로 알려졌다.

소방당국은 오후 1시 30분께 대응 2단계를 발령하고 소방차 60여 대와
  소방관 180여 명을 투입해 진화에 나섰다.
큰 불길은 약 3시간 만에 잡혔다.

불이 난 창고는 물류업체 한빛로지스가 운영하는 곳으로,
  생활용품과 의류 등을 보관해 왔다.
창고는 지상 4층, 연면적 2만 3천여㎡ 규모다.

현장에 있던 한 작업자는 “3층에서 갑자기 검은 연기가 쏟아져 나와
  계단으로 뛰어 내려왔다”고 말했다.

경찰은 창고 3층에서 용접 작업을 하던 중 불꽃이 튀었다는
  목격자 진술을 토대로 정확한 화재 원인을 조사하고 있다.

경기도는 현장에 재난안전대책본부를 꾸리고 인근 주민들에게 창문을
  닫고 외출을 자제해 달라는 안내 문자를 보냈다.
인근 도로는 한때 통제됐다가 오후 4시 50분께 다시 열렸다.

소방당국은 잔불 정리가 끝나는 대로 경찰, 한국전기안전공사 등과
  합동 감식을 벌일 예정이다.
창고 운영사는 정확한 피해 규모를 파악하고 있다고 밝혔다.
""")
    first = Art(
        title="여주 물류창고에 큰불…작업자들 연기 마시고 긴급 대피",
        byline="김민수 기자",
        posted=dt("2019-03-26 17:08", tz),
        updated=None,
        paras=body,
    )
    steps = [
        Step("unchanged", NOISE + " 많이 본 뉴스, 실시간 인기 검색어, 날씨, 광고 변경.", gap_minutes=20),
        Step(
            "changed",
            "Declared number change: 작업자 12명 (hurt by smoke) becomes 15명; '수정 2019-03-26 18:05' appears "
            "for the first time.",
            ops=(("sub", "작업자 12명이", "작업자 15명이"),
                 ("updated", dt("2019-03-26 18:05", tz))),
            kind="declared",
            flags=("numbers",),
        ),
        Step("unchanged", NOISE),
        Step(
            "changed",
            "Declared correction: the operator's name is fixed (한빛로지스 to 한별로지스) and a "
            "'바로잡습니다' notice is appended.",
            ops=(
                ("sub", "물류업체 한빛로지스가", "물류업체 한별로지스가"),
                ("add_para", "END",
                 """바로잡습니다: 이 기사는 당초 창고 운영업체 이름을 한빛로지스로 잘못
                 표기했기에 한별로지스로 바로잡습니다."""),
                ("updated", dt("2019-03-26 21:40", tz)),
            ),
            kind="declared",
            flags=("correction",),
        ),
        Step(
            "changed",
            "Stealth sentence removal: the operator's damage-assessment sentence is gone.",
            ops=(("drop", "창고 운영사는 정확한 피해 규모를"),),
            kind="stealth",
        ),
        Step(
            "changed",
            "Stealth headline change only.",
            ops=(("title", "여주 물류창고 화재 진화…경찰, 용접 작업 중 불꽃 튄 듯"),),
            kind="stealth",
            flags=("headline",),
        ),
    ]  # fmt: skip
    return Story(
        layout="korean_euckr",
        times="Only visible text '입력 2019-03-26 17:08' / '수정 …', naive, Asia/Seoul (koreatimes.co.kr default); the file is EUC-KR.",
        outlet="코리아타임스",
        host="www.koreatimes.co.kr",
        url="https://www.koreatimes.co.kr/www/nation/2019/03/113_266012.html",
        timezone=tz,
        display_tz=tz,
        encoding="euc-kr",
        first=first,
        steps=steps,
        render=render_korean,
        pool=POOL_KO,
    )


def story_inline() -> Story:
    tz = "America/New_York"
    body = parse_body("""
A powerful ice storm knocked out electricity to more than 400,000 homes and businesses across the
  region overnight, leaving many residents without heat as temperatures fell into the teens on
  Thursday morning.

Freezing rain coated trees and power lines with up to half an inch of ice, snapping branches and
  bringing down utility poles from Carver County to the lakeshore, according to the utility,
  Lakeside Power.

Crews from neighboring states were on the way, but the company warned that some customers could
  be without power until the weekend.

"This is one of the most damaging storms we have dealt with in the last decade," said Lakeside
  Power's president, Angela Ruiz, at a news conference.

Officials opened warming centers in libraries and recreation centers and urged residents to check
  on elderly neighbors.
Several school districts canceled classes, and the city's airport reported dozens of delayed
  flights.

Police said they had responded to hundreds of crashes on icy roads since Wednesday evening.

Emergency rooms treated several people for carbon monoxide poisoning linked to generators used
  indoors, health officials said.

The storm was expected to move east later Thursday, but forecasters said bitterly cold air would
  follow it, with wind chills below zero by Friday morning.

The governor declared a state of emergency in nine counties, allowing the state to call on the
  National Guard to help clear roads and deliver supplies.

Residents were urged to stay away from downed lines and to report them to the utility.

Lakeside Power said it would post updated restoration estimates on its website every few hours.
""")
    first = Art(
        title="Ice storm leaves hundreds of thousands without power as temperatures plunge",
        byline="Jordan Ellis and Mei Tanaka",
        posted=dt("2025-01-16 06:02", tz),
        updated=dt("2025-01-16 06:20", tz),
        paras=body,
    )
    steps = [
        Step("unchanged", NOISE + " The in-body Read more/Related links and ad uuids change."),
        Step(
            "changed",
            "Stealth reword: the utility's warning about the weekend is softened; Updated stays.",
            ops=(("replace", "Crews from neighboring states were on the way",
                  "Crews from neighboring states were on the way, and the company said it expected "
                  "to restore power to most customers sooner than first feared."),),
            kind="stealth",
        ),
        Step("unchanged", NOISE),
        Step(
            "timestamp_only",
            "Only the Updated time moves (JSON-LD dateModified and the visible line agree).",
            ops=(("updated", dt("2025-01-16 09:41", tz)),),
        ),
        Step(
            "changed",
            "Declared: a new paragraph about a Millbrook church hall is added.",
            ops=(("add_para", "Emergency rooms treated several people",
                  "In Millbrook, volunteers set up cots in a church hall for families whose homes "
                  "had grown too cold to stay in.",
                  "Local restaurants donated hot meals for the evening."),
                 ("updated", dt("2025-01-16 11:15", tz))),
            kind="declared",
        ),
        Step(
            "changed",
            "Stealth revert: the Millbrook paragraph is taken out again; the article equals v3.",
            ops=(("drop_para", "In Millbrook, volunteers"),),
            kind="stealth",
            flags=("reverted",),
            reverts_to=3,
        ),
        Step("unchanged", NOISE),
    ]  # fmt: skip
    return Story(
        layout="inline_ads",
        times="JSON-LD NewsArticle (two Person authors) and a visible 'Updated 9:41 AM EST, Thu January 16, 2025' line that agree.",
        outlet="The Current",
        host="www.thecurrent.example",
        url="https://www.thecurrent.example/2025/01/16/weather/ice-storm-power-outages/index.html",
        timezone=None,
        display_tz=tz,
        encoding="utf-8",
        first=first,
        steps=steps,
        render=render_inline,
        pool=POOL_EN,
    )


def story_micro() -> Story:
    tz = "Europe/London"
    body = parse_body("""
A university has cancelled the results of its final-year medical exams and ordered more than 300
  students to sit them again after the papers were leaked online the night before the test.

Kingsbridge University said the questions had been shared in a private messaging group and later
  posted on a public forum, where they were viewed thousands of times.

The students will resit the written papers next month, which will delay the start of work as
  junior doctors for some of them.

"We understand how distressing this is for students who did nothing wrong," said the university's
  vice-chancellor, Helen Ardley.

She said an investigation was under way and that the university had informed the police.
The examinations office had moved to electronic papers last year.

The leak was first reported by a student newspaper, which said it had been contacted by several
  students who had seen the questions.
The newspaper did not publish the papers.

The British Medical Association said the decision would cause real hardship and called on the
  university to offer financial support to students facing extra costs.

Medical schools have faced growing concern about exam security as more tests move online.

The General Medical Council said it was in contact with the university and would review its
  response.

Students will be told the new dates for the exams by the end of the week.
""")
    first = Art(
        title="Exam paper leak forces university to rerun medical finals",
        byline="Eleanor Whitcombe",
        posted=dt("2026-01-20 09:30", tz),
        updated=None,
        paras=body,
    )
    steps = [
        Step("unchanged", NOISE + " The reader-funding appeal after the article is reworded."),
        Step(
            "changed",
            "Declared correction: the university's name is fixed and a 'This article was "
            "amended … to correct …' note is appended; dateModified appears.",
            ops=(
                ("sub", "Kingsbridge University said", "Kingsbury University said"),
                ("add_para", "END",
                 "This article was amended after publication to correct the name of the "
                 "university."),
                ("updated", dt("2026-01-20 14:05", tz)),
            ),
            kind="declared",
            flags=("correction",),
        ),
        Step("unchanged", NOISE),
        Step(
            "changed",
            "Stealth removal of the paragraph about the student newspaper.",
            ops=(("drop_para", "The leak was first reported"),),
            kind="stealth",
        ),
        Step(
            "unchanged",
            "Typography only: curly quotes and a non-breaking space in '300 students'. Must "
            "count as no change.",
            ops=(("curl",), ("sub", "300 students", "300\u00a0students")),
        ),
        Step(
            "changed",
            "Declared headline and byline change in one edit (flags headline and byline).",
            ops=(
                ("title", "Medical students to resit finals after exam papers leaked online"),
                ("byline", "Eleanor Whitcombe and Samir Haddad"),
                ("updated", dt("2026-01-21 08:10", tz)),
            ),
            kind="declared",
            flags=("byline", "headline"),
            gap_minutes=900,
        ),
    ]  # fmt: skip
    return Story(
        layout="microdata",
        times="Only schema.org microdata: <meta itemprop=datePublished/dateModified> inside an itemscope NewsArticle; only the day ('Tue 20 Jan 2026') is visible.",
        outlet="The Morning Herald",
        host="www.morningherald.example",
        url="https://www.morningherald.example/education/2026/jan/20/exam-paper-leak-university-medical-finals",
        timezone=None,
        display_tz=tz,
        encoding="utf-8",
        first=first,
        steps=steps,
        render=render_micro,
        pool=POOL_EN,
    )


STORIES = [
    story_jsonld,
    story_meta,
    story_time,
    story_posted,
    story_wire,
    story_bbc,
    story_korean,
    story_inline,
    story_micro,
]


# --------------------------------------------------------------------------- build


def sentence_diff(old: Art, new: Art) -> tuple[list[str], list[str]]:
    """Sentences added and removed, compared on their typography-folded keys."""
    old_sentences, new_sentences = old.sentences(), new.sentences()
    old_keys = Counter(comparison_key(x) for x in old_sentences)
    new_keys = Counter(comparison_key(x) for x in new_sentences)
    added, removed = [], []
    for sentence in new_sentences:
        key = comparison_key(sentence)
        if old_keys[key] > 0:
            old_keys[key] -= 1
        else:
            added.append(sentence)
    for sentence in old_sentences:
        key = comparison_key(sentence)
        if new_keys[key] > 0:
            new_keys[key] -= 1
        else:
            removed.append(sentence)
    return added, removed


def classify(
    story: Story, n: int, step: Step, prev: Art, art: Art, stored: list[tuple[int, Art]]
) -> dict[str, object]:
    """What a correct checker reports for this step, checked against what the step says."""
    where = f"{story.layout} v{n}"
    same_text = prev.key() == art.key()
    moved = prev.updated != art.updated
    if same_text:
        expect = "timestamp_only" if moved else "unchanged"
        kind, flags, added, removed, reverts = None, [], [], [], None
    else:
        expect = "changed"
        kind = "declared" if moved else "stealth"
        added, removed = sentence_diff(prev, art)
        flags = []
        if comparison_key(prev.title) != comparison_key(art.title):
            flags.append("headline")
        if comparison_key(prev.byline) != comparison_key(art.byline):
            flags.append("byline")
        if any(_CORRECTION.search(x) for x in added):
            flags.append("correction")
        if Counter(x for s in added for x in numbers_in(s)) != Counter(
            x for s in removed for x in numbers_in(s)
        ):
            flags.append("numbers")
        if Counter(x for s in added for x in quotes_in(s)) != Counter(
            x for s in removed for x in quotes_in(s)
        ):
            flags.append("quote")
        reverts = next((k for k, earlier in stored[:-1] if earlier.key() == art.key()), None)
        if reverts is not None:
            flags.append("reverted")
        flags.sort()
        # Keep flags honest: without the flag, no sentence (nor the headline) may bring or take
        # away a figure or a quotation (a reworded sentence that keeps them is fine).
        for flag, extract in (("numbers", numbers_in), ("quote", quotes_in)):
            if flag in flags:
                continue
            if Counter(extract(prev.title)) != Counter(extract(art.title)):
                raise AssertionError(f"{where}: the headline changes {flag} unflagged")
            for mine, theirs in ((added, removed), (removed, added)):
                for sentence in mine:
                    found = extract(sentence)
                    if found and not any(extract(other) == found for other in theirs):
                        raise AssertionError(f"{where}: {sentence!r} changes {flag} unflagged")
    declared = (step.expect, step.kind, sorted(step.flags), step.reverts_to)
    computed = (expect, kind, flags, reverts)
    if declared != computed:
        raise AssertionError(f"{where}: step says {declared}, the versions say {computed}")
    return {
        "expect": expect,
        "kind": kind,
        "flags": flags,
        "reverts_to": reverts,
        "added": added,
        "removed": removed,
    }


def build_story(story: Story) -> tuple[dict[str, object], dict[str, bytes]]:
    arts = [story.first]
    for step in story.steps:
        arts.append(apply_ops(arts[-1], step.ops))
    versions: list[dict[str, object]] = []
    files: dict[str, bytes] = {}
    stored: list[tuple[int, Art]] = []  # (file n where the stored version began, article)
    fetched = story.first.updated or story.first.posted
    fetched += timedelta(minutes=14)
    previous_headlines: set[str] = set()
    for n, art in enumerate(arts, 1):
        if not 6 <= len(art.paras) <= 15:
            raise AssertionError(f"{story.layout} v{n}: {len(art.paras)} paragraphs")
        if n == 1:
            report: dict[str, object] = {
                "expect": "new", "kind": None, "flags": [], "reverts_to": None,
                "added": [], "removed": [],
            }  # fmt: skip
            note = "First fetch."
            stored.append((1, art))
        else:
            step = story.steps[n - 2]
            if art.updated != arts[n - 2].updated and art.updated and art.updated <= fetched:
                raise AssertionError(f"{story.layout} v{n}: Updated is not after the last fetch")
            fetched += timedelta(minutes=step.gap_minutes)
            fetched = max(fetched, (art.updated or art.posted) + timedelta(minutes=6))
            report = classify(story, n, step, arts[n - 2], art, stored)
            note = step.note
            if report["expect"] == "changed":
                stored.append((n, art))
        reverts = report["reverts_to"]
        reverts_stored = next(
            (k for k, (file_n, _) in enumerate(stored, 1) if file_n == reverts), None
        )
        noise = Noise(story, n, fetched)
        headlines = {t.headline for t in noise.most_read}
        if headlines == previous_headlines:
            raise AssertionError(f"{story.layout} v{n}: the most-read list did not change")
        previous_headlines = headlines
        page = story.render(story, art, noise, n)
        data = page.encode(story.encoding)  # strict: every character must fit the charset
        name = f"v{n}.html"
        files[name] = data
        versions.append(
            {
                "file": name,
                "title": clean_text(art.title),
                "byline": ", ".join(clean_text(name) for name in art.byline.split(" and ")),
                "posted": iso(art.posted),
                "updated": iso(art.updated) if art.updated else None,
                "paragraphs": art.paragraphs(),
                "expect": report["expect"],
                "kind": report["kind"],
                "flags": report["flags"],
                "reverts_to": reverts,
                "added": report["added"],
                "removed": report["removed"],
                "note": note,
                "stored_version": len(stored),
                "reverts_to_stored": reverts_stored,
                "fetched_at": iso(fetched.astimezone(UTC)),
            }
        )
    manifest = {
        "layout": story.layout,
        "outlet": story.outlet,
        "url": story.url,
        "timezone": story.timezone,
        "encoding": story.encoding,
        "versions": versions,
    }
    return manifest, files


def readme(stories: list[tuple[Story, dict[str, object]]]) -> str:
    lines = [
        "# Saved news pages",
        "",
        "Generated by `python -m tests.pages.build_pages` (deterministic; do not edit by hand).",
        "Loaded by `tests/newsroom.py`; checked by `tests/test_pages.py`. Each folder is one",
        "invented story on one invented outlet, fetched several times: `vN.html` plus a",
        "`manifest.json` with the article a correct extractor finds on each page and what a",
        "correct comparison with the previous page reports. `expect`/`kind`/`flags`/`added`/",
        "`removed`/`reverts_to` are computed from the article versions by the build and checked",
        "against what each step declares. `reverts_to` counts pages; `stored_version` and",
        "`reverts_to_stored` count the versions a checker stores. Bylines in the manifest are",
        "the author names in page order joined by `, ` (no `By `, no role or outlet).",
        "",
    ]
    for story, manifest in stories:
        lines += [
            f"## `{story.layout}` — {story.outlet}",
            "",
            f"{story.url}  ",
            f"Times: {story.times.replace('<', '&lt;')}",
            "",
            "| page | expect | kind | flags | what changed |",
            "|---|---|---|---|---|",
        ]
        versions = manifest["versions"]
        assert isinstance(versions, list)
        for v in versions:
            flags = ", ".join(v["flags"])
            note = v["note"].replace("|", "/").replace("<", "&lt;")
            lines.append(f"| {v['file']} | {v['expect']} | {v['kind'] or ''} | {flags} | {note} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    total = 0
    built: list[tuple[Story, dict[str, object]]] = []
    for make in STORIES:
        story = make()
        manifest, files = build_story(story)
        folder = HERE / story.layout
        folder.mkdir(exist_ok=True)
        for old in folder.glob("v*.html"):
            if old.name not in files:
                old.unlink()
        for name, data in files.items():
            (folder / name).write_bytes(data)
            total += len(data)
        text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        (folder / "manifest.json").write_text(text, encoding="utf-8")
        total += len(text.encode())
        print(f"{story.layout:15} {len(files)} versions")
        built.append((story, manifest))
    (HERE / "README.md").write_text(readme(built), encoding="utf-8")
    print(f"{total / 1024:.0f} KiB written")


if __name__ == "__main__":
    main()
