"""Word lists shared by the extraction stages.

Everything here is general English newsroom vocabulary, not tuned to any one
story. Name knowledge (given names, titles, places) comes from libraries: see names.py.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``."""
    return frozenset(text.split())


# Uppercase letters for name tokens (Latin, Latin Extended, Greek, Cyrillic).
UPPER = "".join(
    ch
    for rng in ((0x41, 0x5B), (0xC0, 0x250), (0x370, 0x400), (0x400, 0x530))
    for ch in map(chr, range(*rng))
    if ch.isupper()
)


# Words naming a person's role; used before a name ("actress Rose") and in
# definite descriptions ("the actress"). Value: implied gender or None.
ROLE_NOUNS: dict[str, str | None] = dict.fromkeys(
    [
        "actor",
        "star",
        "dancer",
        "singer",
        "musician",
        "rapper",
        "presenter",
        "host",
        "broadcaster",
        "comedian",
        "writer",
        "author",
        "novelist",
        "poet",
        "journalist",
        "reporter",
        "editor",
        "columnist",
        "photographer",
        "model",
        "designer",
        "choreographer",
        "judge",
        "contestant",
        "competitor",
        "winner",
        "champion",
        "finalist",
        "player",
        "striker",
        "midfielder",
        "defender",
        "goalkeeper",
        "keeper",
        "captain",
        "coach",
        "manager",
        "boss",
        "footballer",
        "cricketer",
        "golfer",
        "boxer",
        "athlete",
        "sprinter",
        "runner",
        "cyclist",
        "swimmer",
        "driver",
        "tennis",
        "skipper",
        "referee",
        "chef",
        "doctor",
        "surgeon",
        "nurse",
        "scientist",
        "professor",
        "researcher",
        "teacher",
        "lecturer",
        "student",
        "pupil",
        "lawyer",
        "barrister",
        "solicitor",
        "prosecutor",
        "detective",
        "officer",
        "inspector",
        "sergeant",
        "constable",
        "spokesperson",
        "politician",
        "minister",
        "secretary",
        "chancellor",
        "leader",
        "mp",
        "councillor",
        "mayor",
        "senator",
        "president",
        "premier",
        "campaigner",
        "activist",
        "founder",
        "owner",
        "executive",
        "director",
        "chairperson",
        "ceo",
        "chief",
        "analyst",
        "economist",
        "investor",
        "banker",
        "entrepreneur",
        "trader",
        "worker",
        "employee",
        "farmer",
        "pilot",
        "soldier",
        "veteran",
        "victim",
        "witness",
        "defendant",
        "suspect",
        "juror",
        "resident",
        "neighbour",
        "friend",
        "partner",
        "spouse",
        "parent",
        "child",
        "teenager",
        "pensioner",
        "youngster",
        "influencer",
        "creator",
        "youtuber",
        "tiktoker",
        "blogger",
        "artist",
        "sculptor",
        "painter",
        "filmmaker",
        "producer",
        "composer",
        "songwriter",
        "guitarist",
        "drummer",
        "pianist",
        "violinist",
        "conductor",
        "dj",
        "pro",
        "professional",
        "choreographer",
        "star",
        "royal",
        "heir",
        "candidate",
    ]
)
# Nationalities: a role before a name ("Italian dancer"), never the last word of a name.
DEMONYMS = word_set(
    """italian british briton brit english scot scottish welsh irish french german spanish
    american australian canadian polish dutch greek indian nigerian russian ukrainian
    chinese japanese korean brazilian argentine argentinian portuguese swedish norwegian
    danish finnish swiss austrian belgian turkish egyptian kenyan ghanaian jamaican
    mexican colombian israeli iranian pakistani bangladeshi serbian croatian czech
    hungarian romanian bulgarian georgian south african kiwi aussie yorkshireman
    frenchman englishman scotsman welshman irishman"""
)
# Party and faction members: "a New Hampshire Republican" is nobody's name.
AFFILIATIONS = word_set(
    """republican republicans democrat democrats conservative conservatives liberal
    liberals tory tories independent independents socialist socialists progressive
    progressives libertarian libertarians loyalist loyalists supporter supporters"""
)
ROLE_NOUNS.update(dict.fromkeys(DEMONYMS))
ROLE_NOUNS.update(
    dict.fromkeys(
        [
            "actress",
            "spokeswoman",
            "chairwoman",
            "businesswoman",
            "sportswoman",
            "wife",
            "mother",
            "mum",
            "daughter",
            "sister",
            "girlfriend",
            "grandmother",
            "granddaughter",
            "aunt",
            "niece",
            "queen",
            "princess",
            "duchess",
            "countess",
            "waitress",
            "headmistress",
            "heroine",
            "fiancee",
            "widow",
            "bride",
            "policewoman",
            "congresswoman",
            "stepmother",
        ],
        "f",
    )
)
ROLE_NOUNS.update(
    dict.fromkeys(
        [
            "spokesman",
            "chairman",
            "businessman",
            "sportsman",
            "husband",
            "father",
            "dad",
            "son",
            "brother",
            "boyfriend",
            "grandfather",
            "grandson",
            "uncle",
            "nephew",
            "king",
            "prince",
            "duke",
            "count",
            "earl",
            "waiter",
            "headmaster",
            "hero",
            "fiance",
            "widower",
            "groom",
            "policeman",
            "congressman",
            "stepfather",
        ],
        "m",
    )
)
# Role words that never denote one named person's description in "the X said".
NON_PERSON_HEADS = word_set(
    """caption post statement message tweet letter report spokesperson's website page
    account video clip note sign inscription company firm council club team band group
    party government ministry department police force court board school hospital
    charity campaign organisation organization network broadcaster channel show
    programme series brand label agency authority office trust union family couple
    pair duo"""
)

# Verbs that introduce speech or writing.
SPEECH_VERBS = word_set(
    """said says say told tells tell added adds continued continues explained explains
    wrote writes penned pens commented comments replied replies responded responds
    insisted insists admitted admits revealed reveals gushed gushes joked jokes
    laughed noted notes asked asks announced announces declared declares confirmed
    confirms stated states recalled recalls claimed claims argued argues warned warns
    urged urges tweeted tweets captioned captions read reads began begins concluded
    concludes quipped quips exclaimed whispered shouted agreed agrees acknowledged
    acknowledges suggested suggests remarked remarks posted posts shared shares
    messaged added explained teased teases raved raves enthused enthuses praised
    praises replied blasted fumed sighed cried sobbed stressed stresses
    emphasised emphasized pleaded pleads vowed vows promised promises predicted
    conceded concedes boasted boasts mused muses observed observes countered
    told writing saying adding telling explaining commenting replying captioning
    posting sharing penning revealing insisting admitting noting gushing joking
    continuing asking announcing declaring confirming stating recalling claiming
    arguing warning urging tweeting responding quipping reading spoke speaks
    described describes describing called calls branded brands labelled hailed hails
    accused accuses criticised criticized slammed dismissed insisting
    reply respond comment write tweet answered answers answering written
    proclaimed proclaims reiterated reiterates asserted asserts contended contends
    maintained maintains retorted retorts snapped scoffed interjected chimed thundered
    yelled screamed chanted cautioned complained complains lamented laments bemoaned
    bragged brags confessed confesses disclosed testified testifies recounted recounts
    reflected opined opines wondered wonders reasoned speculated speculates pointed
    mocked ridiculed charged alleged alleges demanded demands pledged pledges begged
    advised advises clarified clarifies elaborated elaborates explains texted emailed
    summarized summarised marveled marvelled conceding asserting reiterating
    complaining pointing proclaiming recounting cautioning assured assures reassured
    informed informs reminded reminds insisting remembered remembers condemned condemns
    denounced denounces decried decries lamenting marveling remarking"""
)

# Verbs that report a happening worth an event (past tense and a few nouns).
EVENT_VERBS = word_set(
    """won win wins lifted lift crowned celebrated celebrate shared reshared re-shared
    performed married wed wrote penned posted uploaded sent announced appeared released
    launched opened died born signed scored resigned arrested charged convicted sentenced
    jailed fined elected appointed awarded received beat defeated lost joined left quit
    visited met attended hosted marked unveiled returned retired split divorced engaged
    welcomed raised cut reported recorded voted passed approved acquired bought sold
    closed filed sued settled finished competed topped secured reached premiered aired
    toured played sang danced collapsed crashed struck killed injured rescued found
    discovered published issued held staged ruled dismissed cleared admitted denied
    pleaded testified appeared proposed completed agreed merged expanded slumped rose fell
    fled escaped debuted broke hit captured shot filmed founded established formed
    winning sentencing announcing launching marrying celebrating performing opening
    releasing signing unveiling visiting hosting attending
    happened occurred winner winners"""
)
MAJOR_EVENT_VERBS = word_set(
    """won lifted crowned married wed died born signed resigned arrested charged
    convicted sentenced jailed elected appointed awarded retired divorced engaged
    acquired merged launched premiered debuted killed injured"""
)

# Irregular past tenses: with a date and a person, any past-tense verb reports a happening.
IRREGULAR_PAST = word_set(
    """became began bit blew broke brought built bought came caught chose dealt did drew
    drove ate fell fed felt fought found flew forgot forgave froze gave went grew hung had
    heard hid hit held hurt kept knew laid led left lent let lay lit lost made meant met
    paid put quit ran rang rose saw sought sold sent set shook shone shot showed shut sang
    sank sat slept slid spent spun split spread stood stole stuck stung struck swore swept
    swam swung took taught tore threw thrust understood upset woke wore wove won wrote"""
)

# Tokens that mark a capitalised run as a non-person entity.
NEG_TOKENS = word_set(
    """Ltd Limited Plc PLC Inc LLC LLP Corp Co Group Holdings FC AFC United City Rovers
    Athletic Wanderers Council Committee Party Parliament Assembly Senate Congress
    Government Ministry Department Office Agency Authority Commission Board Service
    Services Police Court Courts Tribunal University College School Academy Institute
    Hospital Clinic Trust Foundation Society Association Federation League Union Club
    Bank Capital Partners Media News Times Post Mail Magazine Journal Gazette Herald
    Express Telegraph Guardian Records Music Productions Pictures Studios Films
    Entertainment Airlines Airways Motors Energy Pharma Technologies Systems Software
    Street Road Lane Avenue Square Park Bridge Station Airport Centre Center Hall
    Church Cathedral Abbey Stadium Arena Theatre Theater Museum Gallery Palace Castle
    Tower Hotel Market Garden Gardens Island Islands Mountain Mountains River Lake Valley
    Sea Ocean Bay Beach Coast County Borough Village Town Kingdom Republic States
    Lights Award Awards Prize Trophy Cup Championship Championships Open Games Olympics
    Show Dancing Festival Fair Week Day Night Eve Morning Tonight Live Factor Idol Talent
    Language Social Line Square Channel Network Radio Television TV Online Digital Cafe
    Restaurant Bar Pub Inn Shop Store Stores Supermarket Mall Estate Prison Barracks
    Regiment Army Navy Force Forces Brigade Corps Team Band Choir Orchestra Ensemble
    Hills Heights Way Drive Place Crescent Close Gate Grove Hill Row Terrace Wharf
    Christmas Easter Halloween Ramadan Diwali Eid Hanukkah Sunday Monday Tuesday Wednesday
    Thursday Friday Saturday January February March April June July August September
    October November December Act Bill Law Report Review Inquiry Strategy Plan Programme
    Program Project Fund Scheme Campaign Summit Conference Election Referendum Budget
    Index Exchange Stock Shares Tour Series Season Final Finals Cup Premier Division
    Trophy Glitterball Instagram Facebook Twitter TikTok YouTube Netflix Google Apple
    Amazon Microsoft Spotify WhatsApp Snapchat iPhone Covid Coronavirus Brexit Bafta
    BAFTA Emmy Emmys Oscar Oscars Grammy Grammys Brit Brits Olympic Paralympic Stories
    Affairs Relations Resources Studies Sciences Industries Brands Foods Stores Workers
    Stars Rangers Giants Warriors Kings Bulls Lions Tigers Eagles Dolphins Patriots
    Democrats Republicans Conservatives Liberals Socialists Greens Airport Tribune Chronicle
    Enquirer Observer Review Bulletin Sun House Properties Books Sports Enterprises
    Ventures Associates Investments Solutions Logistics Communications Publishing Press
    Pharmaceuticals Supporters Trust Agency Initiative Institute Center Centre"""
)

# Capitalised words that start sentences or titles but are not names.
STOP_CAPS = word_set(
    """The A An And But Or So Yet For Nor Of In On At To From By With Without Within
    After Before During Since Until While When Whenever Where Wherever Why How What Who
    Whom Whose Which That This These Those There Here Then Now Today Tonight Yesterday
    Tomorrow It Its He She They We You I Me My Our Your Their His Her Him Them Us
    Mine Yours Hers Ours Theirs One Two Three Four Five Six Seven Eight Nine Ten
    Last Next First Second Third Every Each All Both Some Many Most More Much Few Several
    No Not Yes If Although Though As Also Just Only Even Still Yet Meanwhile However
    Despite Alongside Following Speaking Writing Taking Appearing Asked Like Unlike
    Dear Hi Hello Thanks Thank Please Well Oh Wow Sadly Luckily Fortunately Later
    Earlier Instead Indeed Overall Perhaps Maybe Written Read Watch More See Mr Mrs Ms
    Dr Sir Miss Mx Prof Lord Lady Dame Happy Merry Good Great New Old Big Little
    Stay Do Don't Did Does Has Have Had Was Were Is Are Be Been Being Will Would Can
    Could Should Shall May Might Must Let Let's Our Any Another Other Such Among
    Between Into Onto Over Under Above Below Around Across Through Throughout Against
    Toward Towards Upon About Via Per Plus Minus Amid Amidst Beyond Inside Outside
    Fans Fan Viewers People Police Officers Sources Experts Critics Residents
    Shoppers Voters Pupils Players Staff Workers Ministers Judges Jurors Families
    Pictured Picture Photo Video Image Credit Source Update Updated Breaking Exclusive
    Former Ex Late Everything Everyone Everybody Nothing Nobody Something Someone Somebody
    Anything Anyone Anybody"""
)

MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        1,
    )
}
MONTH_ABBR = {m[:3]: i for m, i in MONTHS.items()}
WEEKDAYS = {
    d: i
    for i, d in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}

# Words that can follow a partial quote in the reporter's sentence; any other lower-case
# word right after a one- or two-word quote is the noun it modifies: his "romantic" gestures.
FUNCTION_WORDS = word_set(
    """and or but nor so yet after before as to for with in on at by from of when while
    because that than then which who whom if since until about into over under through
    during without despite although though instead rather is was are were be been being
    has have had will would can could should may might must do does did not also even
    just only still too very the a an this these those his her their its my our your"""
)

# Words right before a capitalised run that make it a title of a work.
TITLE_CUES = word_set(
    """song single album track record film movie book novel memoir series show programme
    sitcom drama documentary play musical opera ballet poem podcast game app episode
    titled entitled called dubbed nicknamed hit anthem production"""
)
# Words right before a capitalised run that make it a place (unless it is a given name).
PLACE_PREPS = word_set("in at from near outside inside across around via towards toward into on")

ABBREVIATIONS = word_set(
    """mr mrs ms dr st prof sgt insp det supt gen col lt capt rev jr sr vs etc no co inc
    ltd cllr gov sen rep fig approx dept est jan feb mar apr jun jul aug sep sept oct
    nov dec mt ft ave rd"""
)

_NORM_RE = re.compile(r"[-'’.\s]")


@lru_cache(maxsize=65536)
def norm_name(token: str) -> str:
    """Lower-case, accent-folded, without hyphens or apostrophes: "Ash-Leigh" -> "ashleigh"."""
    if token.isascii():
        return _NORM_RE.sub("", token).lower()
    folded = unicodedata.normalize("NFKD", token)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _NORM_RE.sub("", folded).lower()
