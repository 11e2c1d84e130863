"""Swedish incident descriptions for the demo region, with a few recurring patterns planted in them.

The text clustering (``lagesbild.calc.text_clusters``) should find these patterns again, and a test
proves it does. ``PATTERNS`` names the planted patterns; ``pattern_for`` decides whether an incident
of a unit of a given kind belongs to one (about ``PATTERN_SHARE`` of all incidents do, concentrated in
the kinds of unit where such incidents really happen); ``description`` writes the text.

The texts vary like real ones: synonyms, compounds ("läkemedelsavvikelse", "insulindosen"),
abbreviations ("pat.", "ssk", "usk"), different lengths (1–4 sentences), an occasional typo. About
3 % contain personal data, a personnummer in one of its written forms and/or a name, so that the
scrubbing before clustering has something to remove (the demo is fictional; the numbers are test
numbers with a valid check digit, the names common ones).

Pure Python, no Django: deterministic for a given ``random.Random``.
"""

from __future__ import annotations

import random
import re

PATTERNS: dict[str, str] = {
    "fall-natt": "Fall nattetid på vårdavdelning",
    "insulin-dos": "Fel dos insulin vid ordination",
    "provsvar": "Provsvar som inte följts upp",
    "remiss": "Remiss som inte kommit fram",
    "lakemedelslista-utskrivning": "Felaktig läkemedelslista vid utskrivning",
    "avvikit-psyk": "Patient avviker från psykiatrisk avdelning",
}

PATTERN_SHARE: float = 0.35  # the share of descriptions drawn from a pattern, over all kinds of unit
PERSONAL_SHARE: float = 0.03  # the share of descriptions with a personnummer and/or a name
TYPO_SHARE: float = 0.08

# The weight of each pattern per kind of unit (relative within the kind). Falls at night and
# insulin doses on wards, missed lab results in primary care, lost referrals everywhere,
# medication lists at discharge on somatic wards, patients leaving psychiatric wards.
_WEIGHTS: dict[str, dict[str, float]] = {
    "ward": {"fall-natt": 4, "insulin-dos": 3, "provsvar": 0.5, "remiss": 1, "lakemedelslista-utskrivning": 3,
             "avvikit-psyk": 0},
    "psych": {"fall-natt": 3, "insulin-dos": 0.3, "provsvar": 0.5, "remiss": 1, "lakemedelslista-utskrivning": 1,
              "avvikit-psyk": 4},
    "hc": {"fall-natt": 0, "insulin-dos": 0.5, "provsvar": 5, "remiss": 3, "lakemedelslista-utskrivning": 0.3,
           "avvikit-psyk": 0},
    "other": {"fall-natt": 0.3, "insulin-dos": 0.5, "provsvar": 2, "remiss": 4, "lakemedelslista-utskrivning": 0.3,
              "avvikit-psyk": 0},
}
# How much more (or less) often than PATTERN_SHARE a unit of the kind has a patterned incident;
# the factors average to about 1 over the demo region's incidents.
_SHARE_FACTOR = {"ward": 1.15, "psych": 1.3, "hc": 0.9, "other": 0.75}

# The demo organisation's kinds of enhet (demo_region.texts) folded onto the four kinds above.
KIND_ALIASES = {"ward": "ward", "ward_other": "ward", "psych": "psych", "hc": "hc", "open": "other",
                "support": "other", "other": "other"}


def pattern_for(rng: random.Random, unit_kind: str) -> str | None:
    """A planted pattern for an incident at a unit of ``unit_kind`` ("ward", "psych", "hc", "other"
    or one of demo_region.texts' kinds), or None for an incident of no pattern."""
    kind = KIND_ALIASES.get(unit_kind, "other")
    if rng.random() >= PATTERN_SHARE * _SHARE_FACTOR[kind]:
        return None
    weights = _WEIGHTS[kind]
    keys = [k for k in PATTERNS if weights[k] > 0]
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


# ---------------------------------------------------------------------------------------------
# Templates. "{a|b|c}" picks one alternative (nested braces allowed); a theme is a list of sentence
# groups: the first is the opening (always used), later groups are added at random.

_T = dict[str, list[list[str]]]

_PATTERN_TEXTS: _T = {
    "fall-natt": [
        [
            "{Patienten|Pat.|Pat} hittades liggande på golvet {bredvid sängen|vid toaletten|i korridoren|på salen} "
            "{under natten|vid nattronden|kl {02|03|04}.{15|30|45}|strax efter midnatt|tidigt på morgonen}.",
            "{Patienten|Pat.|Pat} föll {nattetid|under natten|i natt|vid {2|3|4}-tiden på natten} när {hen|hon|han} "
            "försökte ta sig till toaletten {utan hjälp|på egen hand|själv}.",
            "Fallolycka {nattetid|under natten|på natten}: {patienten|pat.} {gick upp själv|klev ur sängen|"
            "tog sig över sänggrinden} och föll{| mot sängbordet| i badrummet}.",
            "Nattpersonalen hörde {en duns|ett rop på hjälp|ett brak} och fann {patienten|pat.} på golvet "
            "{på salen|på sal {3|4|7|12}|i sitt rum|vid sängen}.",
            "{Fall|Fallhändelse|Fallskada} {under natten|nattetid|på natten}, {patienten|pat.} {halkade|snubblade|"
            "tappade balansen} på väg till {toaletten|wc|dagrummet} och {slog i huvudet|landade på höften|föll omkull}.",
        ],
        [
            "{Fallriskbedömning|Bedömning av fallrisk} {var gjord men åtgärder saknades|saknades|"
            "var inte uppdaterad sedan inskrivningen|visade hög fallrisk}.",
            "{Sänglarmet|Rörelselarmet|Larmmattan} var {inte påslaget|avstängt|ur funktion|inte inkopplat}.",
            "Endast {en|två} {undersköterskor|usk|sjuksköterska|ssk} i tjänst {på natten|under nattpasset} "
            "för hela avdelningen.",
            "{Patienten|Pat.} var {förvirrad|orolig|nyopererad|sederad} {under natten|på kvällen} och hade "
            "{ringt på klockan flera gånger|inte fått hjälp i tid}.",
        ],
        [
            "{Patienten|Pat.} fick {ett sår i pannan|en bula i bakhuvudet|smärta i höften|ett blåmärke på armen} "
            "och {jourläkaren tillkallades|röntgen beställdes|nattjouren bedömde patienten}.",
            "Inga synliga skador{| efter fallet}, {observeras vidare|tillsyn varje timme resten av natten}.",
            "{Misstänkt höftfraktur|Misstänkt fraktur|Frakturmisstanke} efter fallet, {röntgen|DT} "
            "{beställd|gjord på morgonen}.",
        ],
        [
            "{Fallprevention|Fallförebyggande arbete} ses över på avdelningen.",
            "Nattbemanningen {diskuteras|tas upp} med {ledningen|enhetschefen|avdelningschefen}.",
            "Anhöriga informerade om fallet.",
        ],
    ],
    "insulin-dos": [
        [
            "{Patienten|Pat.|Pat} fick {10|20|24|40} E {Novorapid|Humalog|Lantus|Insulatard|insulin} i stället "
            "för {1|2|4} E {pga|på grund av|efter} {felskrivning|en otydlig ordination|ett decimalfel|"
            "fel enhet i ordinationen}.",
            "{Insulindosen|Dosen insulin|Insulinordinationen} var {felaktigt ordinerad|fel ordinerad|"
            "felregistrerad} i {läkemedelsmodulen|läkemedelsjournalen|ordinationslistan}.",
            "Läkemedelsavvikelse{| med insulin}: {dubbel dos|för hög dos|tiofaldig dos} {långverkande |snabbverkande |"
            "måltids}insulin gavs {på kvällen|till frukost|vid lunch}.",
            "{Fel dos insulin|Felaktig insulindos|Fel insulindos} {ordinerades|gavs|administrerades} "
            "{till patienten|till pat.|på avdelningen} {vid inskrivningen|under helgen|i samband med ronden}.",
            "{Ordinationen|Ordinationen av insulin|Insulinordinationen} hade inte {justerats|ändrats} "
            "efter {ändrad kost|att patienten slutat äta|nytt blodsocker|ronden} och {för hög|dubbel} dos gavs.",
        ],
        [
            "Blodsockret {sjönk till|var} {2,1|2,8|1,9|3,0} mmol/l {efter en timme|på natten|vid kontroll}.",
            "{Patienten|Pat.} fick {hypoglykemi|känning|lågt blodsocker} och {behandlades med glukos|fick dextrosdropp|"
            "fick druvsocker}.",
            "Ordinationen {var skriven för hand|lästes fel vid överrapporteringen|var dubbelregistrerad i systemet}.",
            "{Insulinpennan|Insulinet} {var felmärkt|tillhörde en annan patient|hade fel styrka}.",
        ],
        [
            "Ingen bestående skada, {blodsockerkontroller|glukoskontroller} tätare under dygnet.",
            "Läkare informerades och dosen {korrigerades|ändrades|rättades} i ordinationen.",
        ],
        [
            "Rutinen för {dubbelkontroll|kontrollräkning|signering} av insulin ska ses över.",
            "{Händelsen|Läkemedelsavvikelsen} tas upp på {APT|arbetsplatsträffen|nästa avdelningsmöte}.",
        ],
    ],
    "provsvar": [
        [
            "{Avvikande|Patologiskt|Förhöjt} provsvar {({PSA|Hb|kalium|kreatinin|CRP|TSH})|} {blev inte åtgärdat|"
            "följdes inte upp|signerades inte} på {tre veckor|flera veckor|en månad|två månader}.",
            "{Labsvar|Provsvar|Labbsvar} {låg osignerade|låg kvar osignerat|blev liggande} i {inkorgen|"
            "svarslistan|journalsystemet} {utan att någon läkare tittat på dem|i flera veckor|efter att läkaren slutat}.",
            "{Patienten|Pat.} kontaktades inte om {sitt provsvar|det avvikande provsvaret|labsvaret} "
            "{trots att|fast} {det|svaret} krävde {åtgärd|ny kontroll|snabb behandling}.",
            "{Provsvaret|Labsvaret|Svaret på blodprovet} hamnade hos {fel läkare|en stafettläkare som slutat|"
            "en vikarie|fel mottagning} och följdes inte upp.",
            "Uppföljning av {provsvar|labbsvar|prover} {uteblev|missades|glömdes bort} {på hälsocentralen|"
            "på vårdcentralen|på mottagningen|}.",
        ],
        [
            "{Patienten|Pat.} hörde själv av sig {efter några veckor|när hen läste journalen på 1177|"
            "via 1177} och undrade över {svaret|resultatet}.",
            "{Ansvarig läkare|Läkaren} {var på semester|hade slutat|var sjukskriven} och {ingen|ingen annan} "
            "{bevakade|signerade} {inkorgen|svaren}.",
            "{Provsvaret|Svaret} {kom in|inkom} {efter att patienten gått hem|under semesterperioden|"
            "på fredagseftermiddagen}.",
        ],
        [
            "{Behandlingen|Utredningen} {fördröjdes|försenades} med {flera veckor|en månad}.",
            "{Patienten|Pat.} {kallades|bokades in} akut för ny provtagning.",
        ],
        [
            "Rutin för {signering|bevakning} av provsvar vid frånvaro ses över.",
            "{Händelsen|Avvikelsen} {har diskuterats|diskuteras} på {läkarmöte|APT|verksamhetsmöte}.",
        ],
    ],
    "remiss": [
        [
            "Remissen till {ortopeden|röntgen|kardiologen|ögonmottagningen|ÖNH|hudmottagningen|kirurgen} "
            "{har inte kommit fram|kom aldrig fram|saknas hos mottagaren|har försvunnit}.",
            "{Patienten|Pat.} hörde av sig efter {fyra månader|ett halvår|tre månader|lång tid} då ingen kallelse "
            "kommit; remissen {hittas inte|var aldrig skickad|hade fastnat i utkorgen|var inte registrerad}.",
            "{Elektronisk remiss|E-remiss|Remissen} {fastnade|låg kvar} i {systemet|utkorgen|"
            "remisshanteringen} och {nådde aldrig|kom aldrig till} {mottagningen|specialistvården}.",
            "{Borttappad|Försvunnen|Förlagd} remiss: {patienten|pat.} {har väntat|har fått vänta} {i månader|"
            "länge|sedan i våras} på {utredning|undersökning|bedömning}.",
            "Remiss {skickad|skickades} till fel {mottagning|enhet|klinik} och {vidarebefordrades aldrig|"
            "returnerades inte|blev liggande}.",
        ],
        [
            "{Ingen kvittens|Ingen bekräftelse|Ingen mottagningskvittens} på remissen {kontrollerades|"
            "bevakades|fanns}.",
            "{Remissvar|Svar på remissen} {saknas|har inte inkommit} {trots påminnelse|efter flera månader}.",
            "{Ny remiss|En ny remiss} {skickades|fick skrivas} {med förtur|som brådskande}.",
        ],
        [
            "{Utredningen|Diagnosen|Behandlingen} {försenades|fördröjdes} {med flera månader|avsevärt}.",
            "Vårdgarantin {överskreds|hölls inte}.",
        ],
        [
            "Rutinen för {remisshantering|bevakning av remisser} ses över.",
            "{Händelsen|Avvikelsen} skickas vidare till {mottagande enhet|berörd klinik}.",
        ],
    ],
    "lakemedelslista-utskrivning": [
        [
            "Vid {utskrivning|utskrivningen|hemgång} saknades {Waran|Eliquis|Metformin|Levaxin|Furix|Alvedon} "
            "på {läkemedelslistan|läkemedelsberättelsen|den utskrivna listan}.",
            "{Läkemedelslistan|Läkemedelsberättelsen|Listan över läkemedel} {var inte uppdaterad|innehöll utsatta "
            "läkemedel|var felaktig} vid {utskrivningen|hemgången|utskrivning till kommunen}.",
            "{Patienten|Pat.} {skrevs ut|gick hem|åkte hem} med {en gammal|en felaktig|fel} läkemedelslista och "
            "{hemtjänsten|kommunens sjuksköterska|hemsjukvården} gav {utsatt läkemedel|dubbla doser|fel dos}.",
            "{Fel i|Felaktig|Ofullständig} läkemedelslista {vid utskrivning|i samband med utskrivningen|"
            "vid överflyttning till särskilt boende}: {ändringar under vårdtiden|nyinsatta läkemedel} kom inte med.",
            "{Kommunens sjuksköterska|Hemsjukvården|SÄBO} {upptäckte|påtalade} att läkemedelslistan från "
            "{sjukhuset|avdelningen} {inte stämde|var fel} efter {utskrivningen|hemgång}.",
        ],
        [
            "{Läkemedelsgenomgång|Läkemedelsavstämning} {gjordes inte|saknades} före utskrivning.",
            "{Utskrivande läkare|Läkaren} {hade inte uppdaterat|missade att uppdatera} listan i "
            "{Pascal|NLL|journalen}.",
            "{Ändringen|Dosändringen} {under vårdtiden|på avdelningen} fördes inte över till {listan|"
            "läkemedelslistan}.",
        ],
        [
            "{Patienten|Pat.} {fick|tog} {utsatt läkemedel|fel dos} i {två|tre|flera} dagar innan felet upptäcktes.",
            "{Ingen skada|Ingen synlig skada} men {risk för|stor risk för} allvarlig {läkemedelsskada|blödning}.",
        ],
        [
            "Rutin för {läkemedelsberättelse|läkemedelslista} vid utskrivning ses över.",
            "{Avvikelsen|Händelsen} {skickas|vidarebefordras} till {kommunen|berörd avdelning}.",
        ],
    ],
    "avvikit-psyk": [
        [
            "{Patient|Patienten|Pat.} vårdad enligt {LPT|LRV|tvångsvård} {avvek|rymde} från avdelningen "
            "{under promenad|under permission|vid utevistelse|när dörren stod öppen}.",
            "{Patienten|Pat.} {kom inte tillbaka|återkom inte} från {permission|sin permission|utevistelse} "
            "{som planerat|i tid|under kvällen}.",
            "{Avvikning|Rymning} från {avdelningen|den slutna avdelningen|psykiatrisk avdelning}: {patienten|pat.} "
            "{tog sig ut|lämnade avdelningen} {genom entrén|via balkongen|när personal öppnade dörren}.",
            "{Patienten|Pat.} {avvek|smet iväg} {i samband med|vid} {rökpaus|promenad med personal|besök} "
            "och {polis|polisen} {kontaktades|efterlystes}.",
        ],
        [
            "{Polisen|Polis} {kontaktades|underrättades|efterlyste patienten} {omgående|direkt}.",
            "{Patienten|Pat.} hade {suicidrisk|självmordstankar|hög suicidrisk} enligt senaste bedömningen.",
            "{Tillsynsgraden|Tillsynen} var {inte uppdaterad|för låg|satt till var 30:e minut}.",
        ],
        [
            "{Patienten|Pat.} {återfanns|hittades|återkom} {efter några timmar|på natten|nästa dag} "
            "{oskadd|utan skador}.",
            "{Patienten|Pat.} {fördes tillbaka|återfördes} av polis.",
        ],
        [
            "Rutinen för {permission|utevistelse|tillsyn} ses över.",
            "{Händelsen|Avvikningen} {anmäls|bedöms} enligt lex Maria.",
        ],
    ],
}

# Everyday incidents of no pattern: a broad pool of themes, some sharing words with the patterns
# (läkemedel, prover, natt) as real texts do.
_GENERIC_TEXTS: list[list[list[str]]] = [
    [  # IT
        ["{Journalsystemet|Cosmic|Datorsystemet|Nätverket} {låg nere|fungerade inte|var ur funktion} "
         "{i två timmar|under förmiddagen|under hela kvällen|i flera timmar}.",
         "{Det gick inte|Vi kunde inte} {logga in|komma åt journalen|skriva ut} på grund av {driftstörning|"
         "ett IT-fel|uppdatering av systemet}."],
        ["{Reservrutiner|Pappersrutiner} fick användas.", "IT-support kontaktades{| men svarade inte}."],
        ["{Arbetet|Vården} försenades för {flera|många} patienter."],
    ],
    [  # attitude
        ["{Patienten|Anhörig|Patientens dotter} upplevde {ett otrevligt|ett nonchalant|ett dåligt} bemötande "
         "{i receptionen|av personalen|av läkaren|vid telefonkontakt}.",
         "Klagomål på {bemötandet|personalens bemötande|hur patienten blev bemött} {i entrén|vid besöket}."],
        ["{Patienten|Hen} kände sig {inte lyssnad på|kränkt|illa behandlad}.",
         "Samtal med {berörd personal|enhetschefen} {har hållits|planeras}."],
    ],
    [  # waiting
        ["{Lång väntetid|Mycket lång väntan} på {akuten|akutmottagningen|läkarbedömning}, {patienten|pat.} "
         "väntade {nio|sju|tolv} timmar.",
         "{Patienten|Pat.} {fick vänta|väntade} {länge|flera timmar} i väntrummet utan {tillsyn|ny bedömning}."],
        ["Hög belastning{| på akuten} och {få läkare|brist på vårdplatser}.",
         "{Triagering|Prioritering} {gjordes inte om|följdes inte upp}."],
    ],
    [  # pressure ulcer
        ["{Trycksår|Ett trycksår} {kategori {1|2|3}|} upptäcktes på {hälen|sakrum|höften|ryggen} {vid "
         "omvårdnad|vid inskrivning från annan enhet|efter operationen}.",
         "{Patienten|Pat.} {utvecklade|fick} trycksår under vårdtiden{| trots tryckavlastande madrass}."],
        ["{Vändschema|Lägesändringar} {följdes inte|dokumenterades inte}.",
         "{Riskbedömning för trycksår|Trycksårsbedömning} saknades."],
        ["Sårvårdsrutin {påbörjad|inledd}."],
    ],
    [  # staffing
        ["{Underbemanning|Personalbrist|För lite personal} {under helgen|på kvällspasset|under sommaren} "
         "{ledde till|gjorde} att {omvårdnaden blev eftersatt|patienter fick vänta|ronden försenades}.",
         "{Sjukfrånvaro|Vakanser} kunde inte {ersättas|täckas} och {avdelningen|enheten} gick med "
         "{en|två} {personal|sjuksköterskor} för lite."],
        ["{Bemanningsenheten|Bemanningen} kunde inte {hjälpa till|skicka någon}.",
         "{Chefen i beredskap|Enhetschefen} kontaktades."],
    ],
    [  # diet and allergy
        ["{Patienten|Pat.} med {glutenintolerans|nötallergi|laktosintolerans|diabetes} fick {fel kost|"
         "fel mat|vanlig kost} {till lunch|vid middagen|på brickan}.",
         "Specialkost {beställdes inte|kom inte fram|var felmärkt} från köket."],
        ["{Allergin|Kostordinationen} var inte {registrerad|noterad} i {kostbeställningen|journalen}.",
         "Ingen reaktion{| men risk för allvarlig reaktion}."],
    ],
    [  # hygiene
        ["Basala hygienrutiner följdes inte {av personal|vid omläggning|i samband med besök}.",
         "{MRSA|ESBL|Calici|Vinterkräksjuka} {konstaterades|upptäcktes} hos {en patient|flera patienter} "
         "{på avdelningen|på salen} {utan att|innan} isolering {gjordes|påbörjades}."],
        ["{Smittspårning|Vårdhygien} {kontaktades|inleddes}.",
         "{Handsprit|Skyddsrockar|Handskar} saknades {på salen|i förrådet}."],
    ],
    [  # transport
        ["{Sjuktransporten|Ambulansen|Liggande transport} kom {tre timmar|flera timmar|mycket} för sent{| till "
         "hemgång| till undersökningen}.",
         "{Transporten|Taxin|Färdtjänsten} {var inte beställd|beställdes till fel adress|uteblev}."],
        ["{Patienten|Pat.} {missade sin tid|fick åka hem och komma tillbaka|blev kvar en natt till}."],
    ],
    [  # medical devices
        ["{Infusionspumpen|Sprutpumpen|Syrgasutrustningen|Sugen} {larmade och stannade|fungerade inte|"
         "gick sönder} under {behandlingen|pågående infusion|transporten}.",
         "{Defibrillatorn|Akutvagnen|Blodtrycksmätaren} {var inte kontrollerad|saknade batteri|var trasig}."],
        ["{Medicinteknik|MT-avdelningen} kontaktades och {utrustningen|apparaten} {byttes|togs ur bruk}.",
         "Ingen skada för patienten."],
    ],
    [  # ID
        ["{Patienten|Pat.} saknade {ID-band|id-band|identitetsband} vid {ankomst till operation|röntgen|"
         "överflyttning|provtagning}.",
         "{Identitetskontroll|ID-kontroll} {gjordes inte|utfördes inte} {före|innan} {undersökningen|"
         "ingreppet|blodtransfusionen}."],
        ["{Förväxlingen|Felet} upptäcktes {i tid|innan något hände}.",
         "Rutin för {identitetskontroll|ID-kontroll} påmind på APT."],
    ],
    [  # booking
        ["{Patienten|Pat.} var {kallad till fel datum|dubbelbokad|bokad på fel mottagning|inte bokad alls} "
         "{trots|efter} {kallelse|ombokning|telefonsamtal}.",
         "{Tidbokningen|Bokningen} {blev fel|försvann} {i systemet|vid ombokningen} och {patienten|pat.} "
         "{kom förgäves|fick åka hem}."],
        ["{Ny tid|En ny tid} bokades {med förtur|snarast}."],
    ],
    [  # interpreter
        ["Tolk var inte {bokad|beställd|på plats} {till besöket|vid inskrivningen|vid samtalet}.",
         "{Anhörig|Ett barn|Patientens son} fick {tolka|agera tolk} {vid besöket|i samtalet} "
         "{trots riktlinjer|vilket inte är tillåtet}."],
        ["{Informationen|Samtalet} blev {bristfällig|ofullständig}."],
    ],
    [  # confidentiality
        ["{Brev|Kallelse|Journalkopia} skickades till {fel adress|fel person|en annan patient}.",
         "{Sekretessbelagd information|Journaluppgifter} {lämnades ut|visades} {till obehörig|per telefon "
         "utan identifiering}."],
        ["{Dataskyddsombudet|DSO} {informerades|har kontaktats}."],
    ],
    [  # overcrowding
        ["{Överbeläggning|Brist på vårdplatser}: {patienten|pat.} {placerades i korridoren|fick ligga på "
         "fel avdelning|blev utlokaliserad} {över natten|i två dygn}.",
         "{Utlokaliserad patient|Patienten som var utlokaliserad} {missades på ronden|fick ingen läkarkontakt}."],
        ["{Vårdplatskoordinator|Platskoordinator} {kontaktades|var inte nåbar}."],
    ],
    [  # handover
        ["{Bristfällig|Ofullständig} överrapportering {mellan skiften|från akuten|vid överflyttning} "
         "{ledde till|gjorde} att {en ordination missades|viktig information saknades}.",
         "{Information om|Uppgifter om} {smittan|allergin|vårdnivån} {kom inte med|saknades} vid "
         "{överrapporteringen|rapporten}."],
        ["{SBAR|Strukturerad rapport} användes inte."],
    ],
    [  # needle stick
        ["{Personal|En undersköterska|En sjuksköterska} stack sig på {en använd kanyl|en nål} {vid "
         "provtagning|när kanylburken var full|vid städning}.",
         "{Stickskada|Stick- och skärskada} {hos personal|vid omläggning}."],
        ["Företagshälsovården kontaktades{| enligt rutin}."],
    ],
    [  # threats
        ["{Anhörig|En besökare|En patient} uppträdde {hotfullt|aggressivt} mot {personalen|en "
         "sjuksköterska|receptionen}.",
         "{Hot|Våld|Hot och våld} mot personal {i samband med besök|på kvällen|i väntrummet}."],
        ["{Väktare|Ordningsvakt} tillkallades.", "{Polisanmälan|Arbetsmiljöanmälan} gjord."],
    ],
    [  # supplies
        ["{Läkemedlet|Antibiotikan|Det ordinerade läkemedlet} var slut i {läkemedelsförrådet|förrådet} och "
         "{fick hämtas från annan avdelning|dosen försenades}.",
         "{Förbrukningsmaterial|Sterilt material|Förband} saknades {vid omläggning|på salen|i förrådet}."],
        ["{Beställningen|Leveransen} från {förrådet|apoteket} var {försenad|felaktig}."],
    ],
    [  # PVK
        ["{Perifer venkateter|PVK|Infarten} satt kvar {i fem dygn|för länge|utan dokumentation} och {patienten|"
         "pat.} fick {en tromboflebit|rodnad och svullnad}.",
         "{Urinkatetern|KAD} {var inte dokumenterad|låg kvar för länge|sattes utan ordination}."],
        ["{Infektionen|Tromboflebiten} behandlades med antibiotika."],
    ],
    [  # cancelled surgery
        ["{Operationen|Ingreppet|Undersökningen} {ställdes in|sköts upp} {för att|då} {patienten inte var "
         "fastande|förberedelserna inte var gjorda|blodprover saknades|narkosläkare saknades}.",
         "{Patienten|Pat.} {fick inte|saknade} information om att vara fastande före {operationen|ingreppet}."],
        ["{Ny operationstid|En ny tid} {bokades|fick bokas} {om två veckor|snarast}."],
    ],
    [  # telephone
        ["{Telefonkön|Telefonrådgivningen} var {stängd|full} och {patienten|pat.} kom inte fram {på hela "
         "dagen|trots flera försök}.",
         "{Återuppringning|Ringa upp-tiden} {uteblev|glömdes bort} och {patienten|pat.} {sökte akuten|"
         "ringde 1177}."],
        ["{Telefonitiden|Bemanningen i telefon} ses över."],
    ],
    [  # blood transfusion
        ["{Blodpåse|Erytrocytkoncentrat|Blodenhet} {hämtades utan|levererades utan} {bastest|BAS-test|"
         "korrekt märkning} från blodcentralen.",
         "Transfusion {påbörjades|startades} innan {kontrollen|signeringen} var {klar|gjord}."],
        ["Transfusionen avbröts{| och blodcentralen kontaktades}."],
    ],
    [  # oxygen and suction
        ["{Syrgastuben|Syrgasen} var {tom|nästan tom} när {patienten|pat.} skulle {flyttas|transporteras} "
         "till {röntgen|operation|annan avdelning}.",
         "{Syrgasflödet|Syrgasen} var {felinställt|inte påkopplat} efter {förflyttningen|transporten}."],
        ["Saturationen {sjönk|föll} {tillfälligt|snabbt} men {återhämtade sig|steg igen}."],
    ],
    [  # nutrition
        ["{Patienten|Pat.} {fick inget att äta|missade måltider|blev utan mat} {under dagen|i ett dygn} "
         "{efter undersökningen|då fastan inte hävdes}.",
         "{Nutritionsbedömning|Undernäringsbedömning} {gjordes inte|saknades} trots {viktnedgång|låg vikt}."],
        ["Dietist {kopplades in|kontaktades}."],
    ],
    [  # radiology
        ["{Röntgenundersökningen|DT-undersökningen|MR-undersökningen} gjordes på {fel sida|fel kroppsdel} "
         "{pga|på grund av} {otydlig beställning|fel i beställningen}.",
         "{Kontrastmedel|Kontrast} gavs trots {känd allergi|nedsatt njurfunktion}."],
        ["{Ny undersökning|Om-undersökning} {fick göras|beställdes}."],
    ],
    [  # lifts and moving
        ["{Personlyften|Taklyften|Lyften} {gick sönder|stannade} under {förflyttning|lyft} och {patienten|pat.} "
         "{blev hängande|fick sänkas ned manuellt}.",
         "{Förflyttningen|Lyftet} gjordes {utan hjälpmedel|av en person} och {personalen|undersköterskan} "
         "{skadade ryggen|fick ont i ryggen}."],
        ["{Arbetsmiljöanmälan|Anmälan} gjord."],
    ],
    [  # heat and facilities
        ["{Värmen|Ventilationen|Hissen} {fungerade inte|var ur funktion} {på avdelningen|i huset} "
         "{under flera dagar|under helgen}.",
         "{Vattenläcka|Strömavbrott} {på avdelningen|i mottagningen} {under förmiddagen|på kvällen}."],
        ["{Fastighetsjouren|Fastighetsägaren} {kontaktades|larmades}."],
    ],
    [  # consent and information
        ["{Patienten|Pat.} {fick inte|fick ingen} information om {biverkningar|behandlingen|planen} "
         "{före|inför} {ingreppet|behandlingen}.",
         "Samtycke {inhämtades inte|dokumenterades inte} {före|innan} {undersökningen|ingreppet}."],
        ["{Patienten|Pat.} {var missnöjd|upplevde sig överkörd}."],
    ],
    [  # death and certificates
        ["{Dödsbeviset|Dödsbevis} {skrevs inte|utfärdades sent|var felaktigt} och {begravningsbyrån|"
         "de anhöriga} fick vänta.",
         "{Den avlidne|Avliden patient} {fördes till bårhuset|flyttades} utan {ID-märkning|id-band}."],
        ["{Rutin för|Rutinen vid} dödsfall ses över."],
    ],
    [  # sterile goods
        ["{Instrumentet|Instrumenten|Operationsinstrumenten} var {inte sterila|felpackade|smutsiga} "
         "{vid uppdukning|på operationssalen}.",
         "{Sterilcentralen|Steriltekniska enheten} levererade {fel galler|ofullständigt galler}."],
        ["{Operationen|Ingreppet} {försenades|fick vänta} {en timme|30 minuter}."],
    ],
    [  # pain relief
        ["{Patienten|Pat.} fick {ingen smärtlindring|otillräcklig smärtlindring|vänta på smärtlindring} "
         "{på flera timmar|under natten|efter operationen}.",
         "{Smärtskattning|VAS} {gjordes inte|dokumenterades inte} {regelbundet|efter operationen}."],
        ["{Smärtteamet|Narkosläkaren} kontaktades."],
    ],
    [  # wrong patient record
        ["{Anteckning|Journalanteckning|Diktat} {skrevs|signerades|fördes} i {fel patients journal|"
         "fel journal}.",
         "{Journalen|Anteckningen} {saknades|var inte skriven} {efter besöket|vid nästa besök}."],
        ["Felet {rättades|korrigerades} {enligt rutin|av ansvarig}."],
    ],
    [  # children and neonatal
        ["{Nyfödd|Barnet} {fick inte|saknade} {K-vitamin|PKU-prov|hörselscreening} {före hemgång|enligt rutin}.",
         "{Barnet|Nyfödda} {vägdes inte|fick fel mängd ersättning} {under första dygnet|vid matningen}."],
        ["{Föräldrarna|Familjen} {kontaktades|kallades tillbaka}."],
    ],
    [  # home care coordination
        ["{Samordnad individuell plan|SIP} {gjordes inte|saknades} {trots behov|före hemgång}.",
         "{Kommunen|Biståndshandläggaren} {fick inte|saknade} {inskrivningsmeddelande|information} "
         "{i tid|via Prator|via Lifecare}."],
        ["{Vårdplaneringen|Planeringen} {försenades|blev fel}."],
    ],
    [  # vaccination
        ["{Vaccinationen|Vaccinet} {gavs|gavs felaktigt} {två gånger|för tidigt|utan förskrivning}.",
         "{Vaccinet|Vaccin} {förvarades|hade förvarats} {i fel temperatur|utan kylkedja}."],
        ["{Smittskydd|Vaccinsamordnaren} informerades."],
    ],
]


_CHOICE = re.compile(r"\{([^{}]*)\}")


def _expand(rng: random.Random, template: str) -> str:
    """Resolve "{a|b|c}" choices from the innermost out."""
    while True:
        m = _CHOICE.search(template)
        if m is None:
            return template
        template = template[:m.start()] + rng.choice(m.group(1).split("|")) + template[m.end():]


def _compose(rng: random.Random, groups: list[list[str]]) -> str:
    sentences = [_expand(rng, rng.choice(groups[0]))]
    wanted = rng.choice((1, 2, 2, 3, 3, 4))
    rest = list(groups[1:])
    rng.shuffle(rest)
    for group in rest[: wanted - 1]:
        sentences.append(_expand(rng, rng.choice(group)))
    # keep the opening first, the later sentences in template order most of the time
    text = " ".join(s[0].upper() + s[1:] for s in sentences)
    return re.sub(r"\s+", " ", text).strip()


def _typo(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long_words:
        return text
    i = rng.choice(long_words)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    if rng.random() < 0.5:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2:]  # swap two letters
    else:
        w = w[:j] + w[j + 1:]  # drop a letter
    words[i] = w
    return " ".join(words)


# Personal data for the scrubbing to remove.
FIRST_NAMES = ("Anna", "Eva", "Maria", "Karin", "Kerstin", "Ingrid", "Lena", "Birgitta", "Marie", "Elisabeth",
               "Lars", "Mikael", "Anders", "Johan", "Erik", "Per", "Karl", "Peter", "Jan", "Thomas", "Sven",
               "Gunnel", "Ulla", "Bengt", "Rolf", "Åsa", "Göran", "Björn")
SURNAMES = ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
            "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Lindberg",
            "Lindström", "Lindqvist", "Berg", "Axelsson", "Sandberg", "Forsberg", "Holm", "Ström")


def _luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def identity_number(rng: random.Random) -> str:
    """A personnummer or samordningsnummer with a valid check digit, in one of its written forms."""
    year = rng.randint(1925, 2015)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    if rng.random() < 0.15:
        day += 60  # samordningsnummer
    nine = f"{year % 100:02d}{month:02d}{day:02d}{rng.randint(0, 999):03d}"
    ten = nine + _luhn_digit(nine)
    form = rng.randrange(4)
    if form == 0:
        return f"{year // 100}{ten[:6]}-{ten[6:]}"
    if form == 1:
        return f"{ten[:6]}-{ten[6:]}"
    if form == 2:
        return f"{year // 100}{ten}"
    return ten


def _personal(rng: random.Random, text: str) -> str:
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
    number = identity_number(rng)
    kind = rng.randrange(4)
    if kind == 0:
        return f"Gäller patienten {name} ({number}). {text}"
    if kind == 1:
        return f"{text} Pat. {name}, pnr {number}."
    if kind == 2:
        return f"{text} Anhörig till {name} har informerats."
    return f"{text} Personnummer {number}."


def description(rng: random.Random, pattern: str | None) -> str:
    """One Swedish incident description for ``pattern`` (a key of PATTERNS), or, for None, an everyday
    incident of no pattern."""
    if pattern is None:
        text = _compose(rng, rng.choice(_GENERIC_TEXTS))
        if rng.random() < 0.2:  # a remark of another kind, as real texts wander
            other = rng.choice(_GENERIC_TEXTS)
            text += " " + _compose(rng, [rng.choice(other[1:] or other)])
    else:
        text = _compose(rng, _PATTERN_TEXTS[pattern])
    if rng.random() < TYPO_SHARE:
        text = _typo(rng, text)
    if rng.random() < PERSONAL_SHARE:
        text = _personal(rng, text)
    return text
