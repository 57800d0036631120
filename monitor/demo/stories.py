"""The demo's five stories and what the newsroom does to each, minute by minute.

Between them the scripts make every kind of edit monitor tells apart: a
declared update (the page's Updated time moves), stealth edits (it does
not), a headline change, a byline change, a quote change, a figure that
changes, a correction notice, a paragraph removed and put back (a revert),
a re-save that only moves the Updated time, and a story that is pulled (404).
At ``--speed 1`` the last step is due 110 seconds after the newsroom opens.

The texts are invented (the test suite's saved newsroom tells the same
stories); every time on the pages counts from ``anchor``, the newsroom's
opening minute, so the stories look an hour or two old when the demo starts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from monitor.demo import layouts
from monitor.demo.newsroom import Art, Step, Story


def build_stories(anchor: datetime) -> list[Story]:
    """The stories, with their Posted/Updated times counted from ``anchor`` (aware, UTC)."""

    def ago(minutes: int) -> datetime:
        return anchor - timedelta(minutes=minutes)

    return [
        Story(
            slug="marlow-flood",
            path="/daily-ledger/news/marlow-valley-flooding-evacuations/",
            outlet="The Daily Ledger",
            section="Weather",
            summary="Days of heavy rain pushed the Marlow River over its banks; shelters are open.",
            layout=layouts.ledger,
            first=Art(
                title="Floodwaters force hundreds of families from homes in Marlow Valley",
                byline="Rachel Okafor",
                posted=ago(95),
                updated=ago(90),
                paras=(
                    "Rising water from the Marlow River forced about 400 families from their "
                    "homes on Tuesday, after days of heavy rain pushed the river over its banks "
                    "at three points along the valley floor.",
                    "County officials opened emergency shelters at Marlow High School and the "
                    "Eastgate community center, and said buses would run through the night for "
                    "residents without cars. Sheriff's deputies went door to door in the lowest "
                    "streets of Riverside and Old Mill, urging people to leave before dark.",
                    "The river stood at 23.4 feet at the Harlan Street gauge late Tuesday "
                    "afternoon, more than five feet above flood stage, according to the National "
                    "Weather Service. Forecasters expect it to crest on Thursday morning.",
                    '"We have not seen water move this fast since 2008," said Denise Carraway, '
                    "the county's emergency management director. She urged anyone told to leave "
                    "to take their medicines, phone chargers and important papers with them.",
                    "No deaths or serious injuries had been reported by Tuesday evening. Two "
                    "people were rescued from the roof of a stalled pickup truck on Route 9.",
                    "Several roads, including parts of Route 9 and the Cedar Avenue bridge, were "
                    "closed, and the state transportation department warned drivers not to cross "
                    "flooded streets.",
                    "The weather service said another inch of rain could fall on the valley "
                    "before the storm system moves east on Wednesday night.",
                ),
            ),
            steps=(
                Step(
                    20,
                    "adds a boil-water notice and moves the page's Updated time",
                    (
                        (
                            "add_para",
                            "Several roads, including",
                            "The county asked residents of Riverside to boil tap water until "
                            "further notice after the main pumping station lost power.",
                        ),
                    ),
                    updated=1,
                    expect="declared",
                ),
                Step(
                    50,
                    'quietly changes "about 400 families" to "about 450 families"',
                    (("sub", "about 400 families", "about 450 families"),),
                    expect="stealth numbers",
                ),
                Step(
                    80,
                    "rewrites the headline without saying so",
                    (
                        (
                            "title",
                            "Marlow Valley braces for river crest as hundreds of families flee "
                            "rising water",
                        ),
                    ),
                    expect="stealth headline",
                ),
                Step(
                    110,
                    "fixes a shelter's name and appends a correction",
                    (
                        ("sub", "Eastgate community center", "Eastbrook community center"),
                        (
                            "add_para",
                            "END",
                            "Correction: An earlier version of this article misstated the name "
                            "of a community center being used as an emergency shelter.",
                        ),
                    ),
                    updated=3,
                    expect="declared correction",
                ),
            ),
            anchor=anchor,
        ),
        Story(
            slug="tram-line",
            path="/northern-post/news/local-news/council-approves-crosstown-tram-line-4471820",
            outlet="The Northern Post",
            section="Local News",
            summary="The Hollins Cross to Fairfield Park line was backed after a seven-hour meeting.",
            layout=layouts.post,
            first=Art(
                title="Council approves £1.2bn crosstown tram line after marathon meeting",
                byline="Tom Ashworth",
                posted=ago(150),
                updated=ago(146),
                paras=(
                    "Councillors in Northfield have approved plans for a £1.2bn tram line linking "
                    "the city's eastern estates with the university and the main railway "
                    "station, after a meeting that ran for almost seven hours.",
                    "The scheme was backed by 41 votes to 17, with four abstentions, at a session "
                    "that ended shortly before midnight on Tuesday.",
                    "The 9.4-mile route will run from Hollins Cross to Fairfield Park, with 18 "
                    "stops along the way. The first trams are expected to carry passengers by the "
                    "end of 2029.",
                    '"This is the biggest investment in the city\'s transport for a generation," '
                    "said council leader Priya Natarajan.",
                    "Opposition councillors argued that the cost had risen sharply since the plan "
                    'was first published. "We are being asked to sign a blank cheque," said '
                    "Graham Holt, leader of the Liberal Democrat group.",
                    "Traders on Hollins Road have warned that years of roadworks could drive "
                    "small shops out of business. The council said it would set up a fund to "
                    "help affected firms, although it has not said how much money will be "
                    "available.",
                    "The plans must still be approved by the transport secretary before work can "
                    "start. Officials hope to have a decision early next year.",
                ),
            ),
            steps=(
                Step(
                    30,
                    "extends a councillor's quote and moves the Updated time",
                    (
                        (
                            "sub",
                            '"We are being asked to sign a blank cheque,"',
                            '"We are being asked to sign a blank cheque on behalf of every '
                            'council tax payer in Northfield,"',
                        ),
                    ),
                    updated=1,
                    expect="declared quote",
                ),
                Step(
                    65,
                    "silently deletes the paragraph about worried traders",
                    (("drop_para", "Traders on Hollins Road"),),
                    expect="stealth",
                ),
                Step(
                    100,
                    "silently puts the traders paragraph back",
                    (
                        (
                            "add_para",
                            "Graham Holt",
                            "Traders on Hollins Road have warned that years of roadworks could "
                            "drive small shops out of business. The council said it would set up "
                            "a fund to help affected firms, although it has not said how much "
                            "money will be available.",
                        ),
                    ),
                    expect="stealth reverted",
                ),
            ),
            anchor=anchor,
        ),
        Story(
            slug="data-breach",
            path="/bay-city-chronicle/2026/health/harborview-health-data-breach/",
            outlet="Bay City Chronicle",
            section="Health",
            summary="The health system said names, addresses and some treatment details were taken.",
            layout=layouts.chronicle,
            first=Art(
                title="Harborview Health says hackers stole patient records in ransomware attack",
                byline="Dana Whitfield",
                posted=ago(70),
                updated=None,
                paras=(
                    "Harborview Health, which runs hospitals and clinics across the Bay City "
                    "region, said Thursday that hackers had gained access to patient records "
                    "during a ransomware attack that crippled its computer systems last week.",
                    "The breach affected records at three of the group's hospitals, including "
                    "names, addresses, dates of birth and some treatment details, the company "
                    "said in a statement. It said it had found no evidence that bank or credit "
                    "card information had been taken.",
                    "Harborview did not say how many patients were affected. A person familiar "
                    "with the investigation said the number was likely to run into the hundreds "
                    "of thousands.",
                    "The attack forced the hospitals to divert ambulances and to keep patient "
                    "records on paper for several days.",
                    '"We deeply regret the worry this will cause our patients and their '
                    "families,\" said Harborview's chief executive, Alan Brewster.",
                    "The company said it was working with the FBI and an outside cybersecurity "
                    "firm, and that it would offer free credit monitoring to anyone whose records "
                    "were involved.",
                ),
            ),
            steps=(
                Step(
                    25,
                    "adds a second reporter to the byline; an Updated time appears",
                    (("byline", "Dana Whitfield and Marcus Oyelaran"),),
                    updated=1,
                    expect="declared byline",
                ),
                Step(
                    60,
                    "re-saves the story: only its Updated time moves",
                    updated=2,
                    expect="timestamp_only",
                ),
                Step(
                    95,
                    'changes "three of the group\'s hospitals" to "four" and moves Updated',
                    (
                        (
                            "sub",
                            "at three of the group's hospitals",
                            "at four of the group's hospitals",
                        ),
                    ),
                    updated=3,
                    expect="declared numbers",
                ),
            ),
            anchor=anchor,
        ),
        Story(
            slug="ferry",
            path="/meridian/world/asia-pacific/ferry-capsizes-off-selwyn-island/",
            outlet="Meridian",
            section="World",
            summary="At least a dozen people died when the Island Star overturned in high waves.",
            layout=layouts.wire,
            first=Art(
                title="Ferry capsizes off Selwyn Island as rescuers search for the missing",
                byline="Martin Keane",
                posted=ago(200),
                updated=ago(120),
                paras=(
                    "A passenger ferry carrying more than 200 people capsized in rough seas off "
                    "Selwyn Island early on Monday, killing at least 12 people, and rescuers were "
                    "searching for dozens more who were missing, officials said.",
                    "The Island Star left Port Selwyn shortly after dawn on its regular run to "
                    "the mainland and overturned about an hour later, when it was hit by high "
                    "waves near the mouth of the bay.",
                    "Coast guard vessels, fishing boats and a navy helicopter pulled survivors "
                    "from the water throughout the morning. Many were taken to the island's only "
                    "hospital, which appealed for blood donations.",
                    '"The sea was like a wall, and then everything tipped over," said a survivor, '
                    "Teodoro Salas, speaking by telephone from the hospital.",
                    "The operator, Blue Channel Lines, did not respond to requests for comment. "
                    "Its offices in Port Selwyn were closed on Monday.",
                    "The transport minister said an investigation had been ordered and that the "
                    "operator's other vessels would be inspected before they were allowed to sail "
                    "again.",
                ),
            ),
            steps=(
                Step(
                    15,
                    "raises the death toll from 12 to 17 and moves the Updated time",
                    (("sub", "killing at least 12 people", "killing at least 17 people"),),
                    updated=1,
                    expect="declared numbers",
                ),
                Step(
                    45,
                    "changes the headline and moves the Updated time",
                    (
                        (
                            "title",
                            "Search for survivors resumes after ferry capsizes off Selwyn Island",
                        ),
                    ),
                    updated=2,
                    expect="declared headline",
                ),
                Step(
                    75,
                    "silently drops the paragraph saying the operator did not respond",
                    (("drop_para", "The operator, Blue Channel Lines"),),
                    expect="stealth",
                ),
            ),
            anchor=anchor,
        ),
        Story(
            slug="bank-fine",
            path="/deccan-courier/business/kaveri-cooperative-bank-fined-266318.html",
            outlet="The Deccan Courier",
            section="Business",
            summary="The regulator found loans approved without proper checks on borrowers.",
            layout=layouts.courier,
            first=Art(
                title="Regulator fines Kaveri Cooperative Bank over loan irregularities",
                byline="Anjali Menon",
                posted=ago(40),
                updated=None,
                paras=(
                    "The state's banking regulator on Tuesday fined Kaveri Cooperative Bank 40 "
                    "million rupees for breaking lending rules, after an inspection found that "
                    "loans had been approved without proper checks on borrowers.",
                    "The inspection found that the bank had lent heavily to a small group of "
                    "property developers. Several of those loans were later restructured to hide "
                    "missed payments, the regulator said in an order published on its website.",
                    "The bank has 212 branches, most of them in small towns and villages, and "
                    "about 1.8 million depositors.",
                    '"Depositors\' money is safe and the bank remains well capitalised," the '
                    "bank's chairman, Ravi Shankar Iyer, said in a statement.",
                    "Cooperative banks, which are owned by their members, have come under closer "
                    "scrutiny since the collapse of a large lender in the neighbouring state two "
                    "years ago.",
                    "The bank has 30 days to appeal against the order.",
                ),
            ),
            steps=(
                Step(
                    35,
                    "slips in a sentence; the page shows no Updated time at all",
                    (
                        (
                            "sub",
                            "said in a statement.",
                            "said in a statement. He declined to say whether any employees would "
                            "face criminal charges.",
                        ),
                    ),
                    expect="stealth",
                ),
                Step(70, "pulls the story: its page now answers 404", pulled=True, expect="gone"),
            ),
            anchor=anchor,
        ),
    ]
