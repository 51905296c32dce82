"""Words and endings that separate Bokmål, Nynorsk, Danish and Swedish (weights are log-scores)."""

from __future__ import annotations


def _entries(words: str, weights: dict[str, float]) -> dict[str, dict[str, float]]:
    return {word: weights for word in words.split()}


# Nynorsk forms that Bokmål (and Danish) do not use.
NYNORSK = """
ikkje eg kva korleis kvifor kven kvar kvart kvarandre berre frå mykje noko nokon nokre dei ein
eit vere vera ho hjå sjølv sjølve sjølvsagt medan difor saman heile heilt utan vart vore enno sidan
fekk gjekk seie seier veit gjer gjere gjera kjem kome fleire sjå høyrer trur vatn auge augo
eitt mogleg moglegheit moglegheiter vanleg vanlegvis særleg verkeleg eigentleg dessutan framleis
korkje anten då kor verksemd verksemda verksemder føretak føretaket tilskot tilskotet stifting
stiftinga teneste tenester tenesta tilsette treng hugse hugsa byrje ynskje ønskje dårleg vanskeleg
tydeleg offentleg kommunar veke veka veker meir hennar deira dykk eigen eige eigne eigarskap òg
søkje søkjer lagar seinare tidlegare kvardag jamvel ynskjer betre einskild spørsmåla foreining
foreininga reknar same meiner fortel ligg held gjev heiter kjende budde skreiv laga snakka
kasta syner tykkjer hugsar svarar kallar leitar byggjer verkar spennande kjende vidare
noka teke gjeve vakse ynske fyrste sjølvstendig
tilbod tilbodet tilboda høve høvet elles
tek ringjer nøgd nøgde førre oppteken høyrt desse gong gonger fyrst heime følgje inga vorte verte
seinast såg truleg endå gje tykte ete eta lesa hjelpa spurde døme dømes heilskap kyrkja kyrkje noregs noreg
sjølvaste fleirtal eigar eigarane eigd eigde augneblink ungdomar
trudde meinte heldt låg selde sjeldan attende åleine allereie aust månad månader månadar morgon heim
skule skulen no
"""

# Bokmål forms that neither Nynorsk nor Danish use (forms the 2012 Nynorsk norm also allows, such as
# "mens", "første" or "hos", are left out).
BOKMAL = """
hva mye noe noen uten ble vært ennå annet fikk gikk sier vet gjør gjøre mer hennes dere nå
flere se høre mulig mulighet muligheter vanlig vanligvis særlig egentlig dessuten fortsatt
trenger tilskudd virksomhet virksomheten stiftelsen tjeneste tjenester tjenesten dårlig
vanskelig tydelig offentlig penger dager kommuner uke uker eierskap skriver senere tidligere bedre
regner samme mener forteller ligger holder gir heter selger fulgt bodde skrev laget snakket
kastet synes husker svarer kaller leter bygger virker spennende videre skrevet vokst
tilbud tilbudet tilbudene anledning ellers
regjeringen vei trodde spurte sjelden
"""

# Forms Bokmål shares with Danish but not with Nynorsk.
BOKMAL_DANISH = """
ikke jeg hvordan hvorfor hvem hvor hvis hvilke hvilken hver bare fra de en et være hun selv sammen hele siden kommer deres da egen eget egne virkelig
morgen øst frem fremdeles hjemme hjem skole måned måneder mennesker mente holdt solgte alene allerede disse
"""

# Danish forms that Bokmål does not use.
DANISH = """
af efter mig dig sig nu meget blev havde nogle noget hvad hvilket op ud måske hvornår sådan lige tilbage
igen endnu lidt mand kvinde arbejde arbejder virksomhed virksomheden spørgsmål købe bog gade vores jer
hende sit
"""

# Swedish forms (ä and ö already separate Swedish well; these help on short questions).
SWEDISH = """
inte och jag vad hur varför vem också bara från mycket något några någon vara hon själv därför
tillsammans hela blev varit ännu annat sedan fick gick säga säger gör göra deras fler höra vatten möjligt
möjlighet vanligtvis särskilt verkligen egentligen dessutom fortfarande varken antingen behöver gäller
anställd anställda bidrag verksamhet tjänst tjänster ihåg börja önska dålig svårt tydlig företag förening
starta startar ska måste till för att är
"""

# Greetings and chat words: spelling tells Norwegian ("hei") from Swedish and Danish ("hej"); the Norwegian
# forms are shared by Bokmål and Nynorsk, so they lean to Bokmål, which most Norwegians write.
NORWEGIAN_CHAT = "hei heisann hallo"
SCANDINAVIAN_HEJ = "hej hejsan tjena tjenare"

MARKERS: dict[str, dict[str, float]] = {}
for _words, _weights in (
    (SWEDISH, {"sv": 1.0}),
    (DANISH, {"da": 1.5, "nb": -0.5, "nn": -1.0}),
    (BOKMAL, {"nb": 1.5, "da": -0.5, "nn": -1.5}),
    (BOKMAL_DANISH, {"nb": 1.0, "da": 1.0, "nn": -1.5}),
    (NYNORSK, {"nn": 2.0, "nb": -1.5, "da": -1.5}),
    (NORWEGIAN_CHAT, {"nb": 1.5, "en": -1.0}),
    (SCANDINAVIAN_HEJ, {"sv": 1.5, "da": 0.5, "nb": -1.0, "nn": -1.0}),
):
    for _word, _w in _entries(_words, _weights).items():
        MARKERS.setdefault(_word, {}).update(_w)

# Word endings, tried when the word itself is not in MARKERS (first match wins).
# Common Bokmål words ending in -ar, so the Nynorsk "-ar" ending rule leaves them alone.
AR_WORDS_BOKMAL = frozenset("var har svar klar par bar januar februar seminar dollar radar kar altar bildar".split())

ENDINGS: tuple[tuple[str, dict[str, float]], ...] = (
    ("leg", {"nn": 1.0, "nb": -0.5}),
    ("lege", {"nn": 1.0, "nb": -0.5}),
    ("legt", {"nn": 1.0, "nb": -0.5}),
    ("heit", {"nn": 1.0, "nb": -0.5}),
    ("heita", {"nn": 1.0, "nb": -0.5}),
    ("inga", {"nn": 0.8, "nb": -0.3}),
    ("ingane", {"nn": 1.0, "nb": -0.5}),
    ("ane", {"nn": 0.6, "nb": -0.3}),
    ("ande", {"nn": 0.8, "nb": -0.4}),
    ("aste", {"nn": 0.6, "nb": -0.3}),
    ("ar", {"nn": 0.6, "sv": 0.6, "nb": -0.3, "da": -0.3}),
    ("hed", {"da": 1.0}),
    ("hedens", {"da": 1.0}),
    ("tion", {"da": 0.5, "sv": 0.5, "nb": -0.5, "nn": -0.5}),
    ("sjon", {"nb": 0.5, "nn": 0.5, "da": -1.0, "sv": -1.0}),
    ("lig", {"nb": 0.3, "da": 0.3, "sv": 0.3, "nn": -0.5}),
    ("het", {"nb": 0.3, "sv": 0.3, "nn": -0.5}),
)
