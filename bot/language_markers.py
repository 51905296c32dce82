"""Function words, common forms and endings that separate Bokmål, Nynorsk, Danish and Swedish.

Each entry names the languages that write the form; the detector adds the same amount of evidence to
each of them, so a form is evidence *against* the languages missing from its set. That makes a wrong
entry easy to see: a word that Swedish also writes ("utan", "medan", "kommer") must list "sv", or it
would count against Swedish. A form belongs to exactly one set (checked when the module loads).

Forms that an official norm allows but few people write (Bokmål "vart", "heim", "laga") are filed
under the languages that normally write them. The lists hold function words, common verb forms and
words from the assistant's domain; names and topical words are left to lingua.
"""

from __future__ import annotations

# (languages that write the form, forms)
WORD_SETS: tuple[tuple[str, str], ...] = (
    # --- Nynorsk only
    ("nn", """
ikkje eg kva korleis kvifor kven kvarandre berre frå mykje noko nokon nokre noka dei deira dykk ein eit
eitt vere vera hjå sjølv sjølve sjølvsagt sjølvaste sjølvstendig difor heile heilt enno endå fekk gjekk
seie seier veit gjer gjere gjera kjem kome fleire fleirtal sjå høyrer høyrt trur trudde vatn auge augo
mogleg moglegheit moglegheiter vanleg vanlegvis særleg verkeleg eigentleg dessutan framleis korkje anten
kor verksemd verksemda verksemder føretak føretaket tilskot tilskotet stifting stiftinga teneste tenester
tenesta tilsette treng hugse hugsa hugsar byrje ynskje ynskjer ynske ønskje dårleg vanskeleg tydeleg
offentleg kommunar veke veka veker meir hennar eigen eige eigne eigar eigarane eigarskap eigd eigde òg
søkje søkjer seinare seinast tidlegare kvardag jamvel betre einskild spørsmåla foreining foreininga
reknar meiner meinte fortel ligg gjev heiter kjende budde skreiv snakka syner tykkjer tykte svarar kallar
leitar byggjer verkar spennande teke gjeve vakse fyrste fyrst tilbod tilbodet tilboda høve høvet elles
tek ringjer nøgd nøgde førre oppteken desse gong gonger heime heim følgje vorte verte truleg gje ete eta
lesa hjelpa spurde døme dømes heilskap kyrkja kyrkje noreg noregs augneblink heldt selde sjeldan attende
åleine allereie aust månadar skule skulen vore nemleg gjeld ho saman anna vert blei tenkje tenkjer verda annleis
tru
"""),
    # --- Nynorsk and Swedish (Bokmål and Danish write "uten/uden", "mens", "siden", "hvor", "så", ...)
    ("nn sv", """
utan sidan medan vart kvar då såg låg inga morgon månad månader vidare laga lagar kasta ungdomar pengar annan
starta startar
"""),
    # --- Nynorsk and English
    ("nn en", "no same held me"),
    # --- Bokmål only
    ("nb", """
hva mye noe noen uten ble vært ennå annet fikk gikk sier gjør gjøre dere nå mulighet muligheter vanligvis
dessuten trenger tilskudd virksomhet virksomheten penger dager uke uker eierskap forteller gir selger
laget snakket kaller leter spennende vokst tilbudene regjeringen spurte sjelden sånn annen gjelder ganger
tenker tenke
"""),
    # --- Bokmål and Swedish
    ("nb sv", "vanlig hennes heter bodde trodde fortsatt vet fler ska"),
    # --- Bokmål and Danish
    ("nb da", """
ikke jeg hvordan hvorfor hvem hvor hvis hvilke hvilken hvilket hver bare fra hun selv hele siden være
egne da deres virkelig frem fremdeles hjemme hjem skole måned måneder mennesker mente holdt solgte alene
allerede disse flere høre mulig særlig egentlig dårlig vanskelig tydelig senere tidligere bedre regner
samme mener holder fulgt kastet husker svarer virker videre skrevet tilbud tilbudet ellers tjeneste
tjenester tjenesten morgen øst synes kun derfor sammen et ham hvert kommet nemlig sørger verden hører
"""),
    # --- Bokmål, Danish and Swedish (Nynorsk writes "dei", "kjem", "sjå", "skriv", "ligg", ...)
    ("nb da sv", "en de dem egen eget kommer mer se skriver ligger bygger offentlig kommuner skrev anledning helt man tror"),
    # --- Norwegian (Bokmål and Nynorsk), neither Danish nor Swedish
    ("nb nn", """
å meg deg seg etter mellom gjennom blant opp inn enn litt igjen tilbake kanskje slik slikt veldig hjelp
spørsmål takk hei heisann hallo hadde aldri vei ei blitt tatt tillegg nei tok nettopp lenge lenger våre siste si
hatt samfunn legg
"""),
    # --- Norwegian and Swedish (Danish writes "af", "ud", "mod", "os", "vor", "bliver", "lidt")
    ("nb nn sv", "av ut mot oss vår vårt blir bli lite mitt ditt sitt henne alltid gått fått ta bra"),
    # --- Norwegian and Danish (Swedish writes "och", "till", "är", "också", "alla", "många", "vill", ...)
    ("nb nn da", """
og til er også når alle mange denne dette mine dine sine vil skal kunne måtte burde før først ganske nok
der fordi mens andre nye rundt må altså bør første godt ofte seks
"""),
    # --- Norwegian, Danish and English (Swedish writes "att", "för", "här", "över")
    ("nb nn da en", "at for her over to fire store"),
    # --- Danish only
    ("da", """
af hvad meget havde nogle noget nogen op ud måske hvornår lige tilbage endnu lidt mand kvinde arbejde
arbejder virksomhed virksomheden spørgsmål købe bog gade vores jer hende sit mit vor jeres hendes mod os
mellem gennem blandt uden ind bliver blive gør gøre siger sige gik fik været hedder giver rigtig anden blevet fået
"""),
    # --- Danish and Swedish
    ("da sv", "mig dig sig nu igen efter blev sådan aldrig nej tog"),
    # --- Danish and English
    ("da en", "end"),
    # --- Swedish only
    ("sv", """
inte och jag vad hur varför vem också bara från mycket något några någon hon själv därför tillsammans
hela varit ännu annat sedan fick gick säga säger gör göra deras höra vatten möjligt möjlighet vanligtvis
särskilt verkligen egentligen dessutom fortfarande varken antingen behöver gäller anställd anställda
tjänst tjänster ihåg börja önska dålig svårt tydlig företag förening måste till för att är honom detta
denna dessa vilken vilket vilka när där här än vara kunna kunde vill hade finns mellan genom upp många
alla allt inget kanske redan bättre samma hejsan tjena tjenare tack hjälp fråga frågor ett andra nya runt
blivit nämligen verksamhet alltså våra
"""),
    ("sv da", "hej"),
    # --- English function words (lingua knows English well; these settle mixed questions that name
    # Scandinavian things, "how many members for an ekonomisk förening")
    ("en", """
the an of and is are was were been what how why when where which who whom whose do does did can could
would should will shall may might must have has had with from about into this that these those there their
they them our your my you we it its not yes if than then many much any some
"""),
)

# Endings, tried (longest first) on a word that is not listed above and is at least three letters
# longer than the ending.
ENDING_SETS: tuple[tuple[str, str], ...] = (
    ("nn", "leg lege legt heit heita inga ingane ane laus leis"),  # -leg/-heit: Bokmål -lig/-het; -ane: def. plural
    ("nn sv", "ar ande aste aren"),  # plurals and present tense in -ar, participles in -ande
    ("nb nn", "sjon sjonen"),  # Danish and Swedish write -tion
    ("nb", "sjoner sjonene"),  # Nynorsk plural -sjonar
    ("nn", "sjonar sjonane"),
    ("da sv en", "tion"),
    ("nb da sv", "lig"),
    ("nb sv", "het heten"),  # Danish -hed, Nynorsk -heit
    ("da", "hed heden hedens ighed"),
    ("da sv", "ligt igt"),  # neuter adjectives; Norwegian drops the -t after -ig/-lig
    ("nb da", "løs løse"),  # Nynorsk -laus, Swedish -lös
    ("sv", "arna orna erna lös lösa"),  # Swedish definite plurals; -lös
    ("", "tar drar"),  # compounds of "ta", "dra" (godtar, pådrar) and nouns such as "kommentar": no evidence
)

# Words that end like a marker but are written alike in all the languages.
ENDING_EXCEPTIONS = frozenset(
    "januar februar seminar dollar radar altar bar par klar svar".split()
)


def _build(sets: tuple[tuple[str, str], ...]) -> dict[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for langs, forms in sets:
        for form in forms.split():
            if form in table:
                raise ValueError(f"{form!r} is listed twice (as {sorted(table[form])} and {langs})")
            table[form] = frozenset(langs.split())
    return table


WORDS: dict[str, frozenset[str]] = _build(WORD_SETS)
_ENDINGS = _build(ENDING_SETS)
ENDINGS: tuple[tuple[str, frozenset[str]], ...] = tuple(sorted(_ENDINGS.items(), key=lambda e: -len(e[0])))


def marker_languages(word: str) -> tuple[frozenset[str] | None, bool]:
    """The languages that write a lower-case word, and whether that came from its ending (weaker evidence)."""
    langs = WORDS.get(word)
    if langs is not None:
        return langs, False
    if word in ENDING_EXCEPTIONS:
        return None, False
    for ending, langs in ENDINGS:
        if len(word) >= len(ending) + 3 and word.endswith(ending):
            return langs or None, True
    return None, False
