"""The texts of the public pages (the app package's website, privacy and terms URLs).

`{organisation}` is organisation.yaml's name and `{months}` its data_retention_months, so the
statement says what this deployment does. What is stored and deleted is config/README.md's
"Data retention"; who sees what follows the survey card's choices (survey.attribution.*).
"""

from __future__ import annotations

from typing import Final

# page -> language -> (title, [(heading or "", paragraph)])
Page = tuple[str, list[tuple[str, str]]]

ABOUT: Final[dict[str, Page]] = {
    "en": (
        "Exit conversation",
        [
            (
                "",
                "The bot of {organisation} for exit conversations in Microsoft Teams: when you "
                "leave, it offers you a conversation, lets you choose who holds it and when, "
                "asks an optional survey beforehand and reminds you of your handover.",
            )
        ],
    ),
    "da": (
        "Fratrædelsessamtale",
        [
            (
                "",
                "Bot til fratrædelsessamtaler i Microsoft Teams hos {organisation}: Når du "
                "stopper, tilbyder den dig en samtale, lader dig vælge, hvem der holder den og "
                "hvornår, stiller et frivilligt spørgeskema på forhånd og minder dig om din "
                "overdragelse.",
            )
        ],
    ),
    "sv": (
        "Avgångssamtal",
        [
            (
                "",
                "Bot för avgångssamtal i Microsoft Teams hos {organisation}: när du slutar "
                "erbjuder den dig ett samtal, låter dig välja vem som håller det och när, ställer "
                "en frivillig enkät i förväg och påminner dig om din överlämning.",
            )
        ],
    ),
    "nb": (
        "Sluttsamtale",
        [
            (
                "",
                "Bot for sluttsamtaler i Microsoft Teams hos {organisation}: Når du slutter, "
                "tilbyr den deg en samtale, lar deg velge hvem som holder den og når, har en "
                "frivillig spørreundersøkelse på forhånd og minner deg på overleveringen.",
            )
        ],
    ),
}

PRIVACY: Final[dict[str, Page]] = {
    "en": (
        "Privacy statement: exit conversations in Teams",
        [
            (
                "",
                "{organisation} uses this bot to offer you an exit conversation when you leave. "
                "This page says what it stores, for how long and who sees it.",
            ),
            (
                "What is stored",
                "What HR registers about your departure (your name, work account, unit, manager "
                "and last working day); when the conversation is and who holds it; your answers "
                "to the optional survey and how you chose to share them; the notes of the person "
                "who held the conversation; where your handover stands; and the reference Teams "
                "gives the bot so that it can write to you. A log records who read or changed "
                "what, and when, never what was written.",
            ),
            (
                "For how long",
                "Until {months} months after your last working day. Then names, accounts, "
                "dates, free-text answers and notes are deleted. What remains is counted answers "
                "without names for HR's statistics, which do not show groups too small to hide "
                "anyone. If you agreed to be contacted as a former employee, that entry stays "
                "until you withdraw it.",
            ),
            (
                "Who sees it",
                "You. The person who holds your conversation, and your manager where the "
                "conversation or the handover needs it. Your answers only as you chose on the "
                "survey card: with your name to the person who holds your conversation, or only "
                "in anonymous statistics. HR sees where departures stand, and the statistics. "
                "The data is kept in a database run by {organisation}.",
            ),
            (
                "Your rights",
                "Ask HR for a copy of what the bot holds about you, or to have it erased.",
            ),
        ],
    ),
    "da": (
        "Privatlivserklæring: fratrædelsessamtaler i Teams",
        [
            (
                "",
                "{organisation} bruger denne bot til at tilbyde dig en fratrædelsessamtale, når "
                "du stopper. Her kan du læse, hvad den gemmer, hvor længe, og hvem der kan se det.",
            ),
            (
                "Hvad gemmes",
                "Det, HR registrerer om din fratrædelse (dit navn, din arbejdskonto, enhed, "
                "leder og sidste arbejdsdag); hvornår samtalen er, og hvem der holder den; dine "
                "svar på det frivillige spørgeskema, og hvordan du har valgt at dele dem; noter "
                "fra den, der holdt samtalen; hvor langt din overdragelse er; og den reference, "
                "Teams giver botten, så den kan skrive til dig. En log viser, hvem der har set "
                "eller ændret hvad og hvornår – aldrig hvad der blev skrevet.",
            ),
            (
                "Hvor længe",
                "Indtil {months} måneder efter din sidste arbejdsdag. Derefter slettes navne, "
                "konti, datoer, fritekstsvar og noter. Tilbage er kun optalte svar uden navne "
                "til HR's statistik, som ikke viser grupper, der er for små til at skjule nogen. "
                "Har du sagt ja til at blive kontaktet som tidligere medarbejder, gemmes det, "
                "indtil du trækker dit ja tilbage.",
            ),
            (
                "Hvem kan se det",
                "Dig selv. Den, der holder din samtale, og din leder, hvor samtalen eller "
                "overdragelsen kræver det. Dine svar kun sådan, som du valgte på spørgeskemaet: "
                "med dit navn til den, der holder samtalen, eller kun i anonym statistik. HR kan "
                "se, hvor fratrædelserne står, og statistikken. Oplysningerne ligger i en "
                "database hos {organisation}.",
            ),
            (
                "Dine rettigheder",
                "Du kan bede HR om en kopi af det, botten har gemt om dig, eller om at få det "
                "slettet.",
            ),
        ],
    ),
    "sv": (
        "Integritetspolicy: avgångssamtal i Teams",
        [
            (
                "",
                "{organisation} använder den här boten för att erbjuda dig ett avgångssamtal när "
                "du slutar. Här står vad den sparar, hur länge och vem som ser det.",
            ),
            (
                "Vad som sparas",
                "Det som HR registrerar om din avgång (ditt namn, ditt jobbkonto, enhet, chef och "
                "sista arbetsdag); när samtalet är och vem som håller det; dina svar på den "
                "frivilliga enkäten och hur du har valt att dela dem; anteckningar från den som "
                "höll samtalet; hur långt din överlämning har kommit; och den referens som Teams "
                "ger boten så att den kan skriva till dig. En logg visar vem som har läst eller "
                "ändrat vad och när – aldrig vad som skrevs.",
            ),
            (
                "Hur länge",
                "Till {months} månader efter din sista arbetsdag. Sedan raderas namn, konton, "
                "datum, fritextsvar och anteckningar. Kvar blir bara räknade svar utan namn för "
                "HR:s statistik, som inte visar grupper som är för små för att dölja någon. Om "
                "du har tackat ja till att bli kontaktad som tidigare medarbetare sparas det "
                "tills du återkallar det.",
            ),
            (
                "Vem som ser det",
                "Du själv. Den som håller ditt samtal, och din chef där samtalet eller "
                "överlämningen kräver det. Dina svar bara så som du valde i enkäten: med ditt "
                "namn till den som håller samtalet, eller bara i anonym statistik. HR ser var "
                "avgångarna står och statistiken. Uppgifterna finns i en databas hos "
                "{organisation}.",
            ),
            (
                "Dina rättigheter",
                "Du kan be HR om en kopia av det som boten har sparat om dig, eller om att få "
                "det raderat.",
            ),
        ],
    ),
    "nb": (
        "Personvernerklæring: sluttsamtaler i Teams",
        [
            (
                "",
                "{organisation} bruker denne boten til å tilby deg en sluttsamtale når du "
                "slutter. Her står det hva den lagrer, hvor lenge, og hvem som ser det.",
            ),
            (
                "Hva som lagres",
                "Det HR registrerer om at du slutter (navnet ditt, jobbkontoen din, enhet, leder "
                "og siste arbeidsdag); når samtalen er, og hvem som holder den; svarene dine på "
                "den frivillige spørreundersøkelsen og hvordan du valgte å dele dem; notater fra "
                "den som holdt samtalen; hvor langt overleveringen din har kommet; og referansen "
                "Teams gir boten slik at den kan skrive til deg. En logg viser hvem som har lest "
                "eller endret hva og når – aldri hva som ble skrevet.",
            ),
            (
                "Hvor lenge",
                "Til {months} måneder etter siste arbeidsdag. Deretter slettes navn, kontoer, "
                "datoer, fritekstsvar og notater. Igjen blir bare opptalte svar uten navn til "
                "HRs statistikk, som ikke viser grupper som er for små til å skjule noen. Har "
                "du sagt ja til å bli kontaktet som tidligere ansatt, lagres det til du trekker "
                "samtykket tilbake.",
            ),
            (
                "Hvem som ser det",
                "Du selv. Den som holder samtalen din, og lederen din der samtalen eller "
                "overleveringen krever det. Svarene dine bare slik du valgte i "
                "spørreundersøkelsen: med navnet ditt til den som holder samtalen, eller bare i "
                "anonym statistikk. HR ser hvor sluttprosessene står, og statistikken. "
                "Opplysningene ligger i en database hos {organisation}.",
            ),
            (
                "Dine rettigheter",
                "Du kan be HR om en kopi av det boten har lagret om deg, eller om å få det "
                "slettet.",
            ),
        ],
    ),
}

TERMS: Final[dict[str, Page]] = {
    "en": (
        "Terms of use",
        [
            (
                "",
                "{organisation} offers this bot to its employees, managers and HR for exit "
                "conversations, handovers and HR's follow-up of departures.",
            ),
            (
                "",
                "The conversation and the survey are voluntary: saying no, or not answering, has "
                "no consequences for you.",
            ),
            (
                "",
                "Write nothing in the bot that you would not say in the conversation itself, and "
                "nothing sensitive about other people.",
            ),
            (
                "",
                "Questions: ask HR at {organisation}. How your data is handled: see the privacy "
                "statement.",
            ),
        ],
    ),
    "da": (
        "Vilkår for brug",
        [
            (
                "",
                "{organisation} stiller botten til rådighed for medarbejdere, ledere og HR til "
                "fratrædelsessamtaler, overdragelser og HR's opfølgning på fratrædelser.",
            ),
            (
                "",
                "Samtalen og spørgeskemaet er frivillige: Siger du nej eller svarer ikke, har "
                "det ingen konsekvenser for dig.",
            ),
            (
                "",
                "Skriv ikke noget i botten, som du ikke ville sige i selve samtalen, og intet "
                "følsomt om andre.",
            ),
            (
                "",
                "Spørgsmål: kontakt HR hos {organisation}. Hvordan dine oplysninger behandles, "
                "står i privatlivserklæringen.",
            ),
        ],
    ),
    "sv": (
        "Användarvillkor",
        [
            (
                "",
                "{organisation} erbjuder boten till medarbetare, chefer och HR för "
                "avgångssamtal, överlämningar och HR:s uppföljning av avgångar.",
            ),
            (
                "",
                "Samtalet och enkäten är frivilliga: att tacka nej eller att inte svara får inga "
                "följder för dig.",
            ),
            (
                "",
                "Skriv inget i boten som du inte skulle säga i själva samtalet, och inget "
                "känsligt om andra.",
            ),
            (
                "",
                "Frågor: kontakta HR hos {organisation}. Hur dina uppgifter hanteras står i "
                "integritetspolicyn.",
            ),
        ],
    ),
    "nb": (
        "Vilkår for bruk",
        [
            (
                "",
                "{organisation} tilbyr boten til ansatte, ledere og HR for sluttsamtaler, "
                "overleveringer og HRs oppfølging når noen slutter.",
            ),
            (
                "",
                "Samtalen og spørreundersøkelsen er frivillige: Sier du nei eller lar være å "
                "svare, får det ingen følger for deg.",
            ),
            (
                "",
                "Ikke skriv noe i boten som du ikke ville sagt i selve samtalen, og ikke noe "
                "sensitivt om andre.",
            ),
            (
                "",
                "Spørsmål: kontakt HR hos {organisation}. Hvordan opplysningene dine behandles, "
                "står i personvernerklæringen.",
            ),
        ],
    ),
}

# The links at the foot of every page: (privacy, terms).
LINKS: Final[dict[str, tuple[str, str]]] = {
    "en": ("Privacy statement", "Terms of use"),
    "da": ("Privatlivserklæring", "Vilkår for brug"),
    "sv": ("Integritetspolicy", "Användarvillkor"),
    "nb": ("Personvernerklæring", "Vilkår for bruk"),
}
