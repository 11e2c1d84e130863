"""Swedish names and texts of the demo region: its organisation and its 2025 analyses.

The organisation is modelled on Region Kalmar län (three hospitals: Länssjukhuset Kalmar,
Västerviks sjukhus, Oskarshamns sjukhus; 38 hälsocentraler in hälsoval) but is fictional.
The analyses paraphrase the "Analys av resultat", "Åtgärd" and "Uppföljning av åtgärd"
passages of the region's patientsäkerhetsberättelse 2025.
"""

from __future__ import annotations

# Kinds of enhet, which decide the measures a unit reports.
WARD = "ward"  # adult somatic inpatient ward (risk assessments, PPM, VRI, utskrivningsklara ...)
WARD_OTHER = "ward_other"  # other somatic inpatient care: IVA, BB, children (beds, no 70+ measures)
PSYCH = "psych"  # psychiatric inpatient ward
OPEN = "open"  # mottagning or other unit with patient contact
HC = "hc"  # hälsocentral (size = listed inhabitants)
SUPPORT = "support"  # laboratory: no patient contact

# (förvaltning code suffix, name, [(verksamhet suffix, name, specialty, [(enhet suffix, name, kind, size)])])
# size: beds for inpatient wards, staff for other units, listed inhabitants for hälsocentraler.
ORGANISATION = [
    ("HSF", "Hälso- och sjukvårdsförvaltningen", [
        ("MEDK", "Medicinkliniken Kalmar", "med", [
            ("AVD10", "Avd 10 Medicin kardiologi", WARD, 22),
            ("AVD11", "Avd 11 Medicin", WARD, 24),
            ("AVD12", "Avd 12 Medicin", WARD, 24),
            ("AVD13", "Avd 13 Strokeenhet", WARD, 20),
            ("AVD14", "Avd 14 Medicin", WARD, 24),
            ("HIA", "Hjärtintensivavdelningen Kalmar", WARD, 10),
            ("MOTT", "Medicinmottagningen Kalmar", OPEN, 30),
            ("DIAB", "Diabetesmottagningen Kalmar", OPEN, 12),
            ("ENDO", "Endoskopienheten Kalmar", OPEN, 16),
            ("DIAL", "Dialysenheten Kalmar", OPEN, 22),
        ]),
        ("KIRK", "Kirurgkliniken Kalmar", "kir", [
            ("AVD21", "Avd 21 Kirurgi", WARD, 24),
            ("AVD22", "Avd 22 Kirurgi", WARD, 22),
            ("AVD23", "Avd 23 Urologi", WARD, 16),
            ("MOTT", "Kirurgmottagningen Kalmar", OPEN, 24),
            ("URO", "Urologmottagningen Kalmar", OPEN, 14),
        ]),
        ("ORTK", "Ortopedkliniken Kalmar", "ort", [
            ("AVD31", "Avd 31 Ortopedi", WARD, 24),
            ("AVD32", "Avd 32 Ortopedi", WARD, 20),
            ("MOTT", "Ortopedmottagningen Kalmar", OPEN, 20),
            ("GIPS", "Gipsmottagningen Kalmar", OPEN, 8),
        ]),
        ("KVK", "Kvinnokliniken Kalmar", "gyn", [
            ("FORL", "Förlossningsavdelningen Kalmar", WARD_OTHER, 10),
            ("BB", "BB-avdelningen Kalmar", WARD_OTHER, 16),
            ("AVD41", "Avd 41 Gynekologi", WARD, 12),
            ("MOTT", "Kvinnomottagningen Kalmar", OPEN, 20),
        ]),
        ("BUK", "Barn- och ungdomskliniken Kalmar", "barn", [
            ("AVD51", "Avd 51 Barn och ungdom", WARD_OTHER, 14),
            ("NEO", "Neonatalavdelningen Kalmar", WARD_OTHER, 10),
            ("MOTT", "Barn- och ungdomsmottagningen Kalmar", OPEN, 22),
        ]),
        ("INFK", "Infektionskliniken Kalmar", "inf", [
            ("AVD15", "Avd 15 Infektion", WARD, 18),
            ("MOTT", "Infektionsmottagningen Kalmar", OPEN, 12),
        ]),
        ("ONKK", "Onkologiska kliniken Kalmar", "onk", [
            ("AVD16", "Avd 16 Onkologi", WARD, 16),
            ("MOTT", "Onkologimottagningen Kalmar", OPEN, 24),
            ("STRAL", "Strålbehandlingsenheten Kalmar", OPEN, 18),
        ]),
        ("AIK", "Anestesi- och intensivvårdskliniken Kalmar", "iva", [
            ("IVA", "Intensivvårdsavdelningen Kalmar", WARD_OTHER, 8),
            ("OP", "Operationsavdelningen Kalmar", OPEN, 60),
            ("UVA", "Uppvakningsavdelningen Kalmar", OPEN, 20),
        ]),
        ("AKUK", "Akutkliniken Kalmar", "aku", [
            ("AKM", "Akutmottagningen Kalmar", OPEN, 55),
            ("AVA", "Akutvårdsavdelningen Kalmar", WARD, 16),
        ]),
        ("GERK", "Geriatriska kliniken Kalmar", "ger", [
            ("AVD19", "Avd 19 Geriatrik", WARD, 20),
            ("AVD18", "Avd 18 Rehabilitering", WARD, 14),
            ("MINNE", "Minnesmottagningen Kalmar", OPEN, 8),
        ]),
        ("ONHK", "Öron-, näs- och halskliniken Kalmar", "onh", [
            ("AVD24", "Avd 24 Öron, näsa, hals och ögon", WARD, 10),
            ("MOTT", "ÖNH-mottagningen Kalmar", OPEN, 18),
            ("HORS", "Hörselvården Kalmar", OPEN, 10),
        ]),
        ("OGK", "Ögonkliniken Kalmar", "ogon", [
            ("MOTT", "Ögonmottagningen Kalmar", OPEN, 24),
            ("OP", "Ögonoperation Kalmar", OPEN, 12),
        ]),
        ("HUDK", "Hudkliniken Kalmar", "hud", [
            ("MOTT", "Hudmottagningen Kalmar", OPEN, 16),
        ]),
        ("BFM", "Bild- och funktionsmedicin", "rtg", [
            ("RTGK", "Röntgen Kalmar", OPEN, 45),
            ("RTGV", "Röntgen Västervik", OPEN, 18),
            ("RTGO", "Röntgen Oskarshamn", OPEN, 12),
            ("KLF", "Klinisk fysiologi Kalmar", OPEN, 14),
        ]),
        ("LAB", "Laboratoriemedicin", "lab", [
            ("KEMI", "Klinisk kemi Kalmar", SUPPORT, 40),
            ("MIKRO", "Klinisk mikrobiologi Kalmar", SUPPORT, 25),
            ("PAT", "Klinisk patologi Kalmar", SUPPORT, 20),
        ]),
        ("HAB", "Habiliteringen", "hab", [
            ("BUH", "Barn- och ungdomshabiliteringen Kalmar", OPEN, 20),
            ("VUH", "Vuxenhabiliteringen Kalmar", OPEN, 14),
            ("HABV", "Habiliteringen Västervik", OPEN, 10),
        ]),
        ("MEDV", "Medicinkliniken Västervik", "med", [
            ("AVD3", "Avd 3 Medicin Västervik", WARD, 22),
            ("AVD4", "Avd 4 Medicin Västervik", WARD, 22),
            ("AVD5", "Avd 5 Medicin och geriatrik Västervik", WARD, 20),
            ("HIA", "Hjärtintensivavdelningen Västervik", WARD, 8),
            ("MOTT", "Medicinmottagningen Västervik", OPEN, 20),
        ]),
        ("KIRV", "Kirurgkliniken Västervik", "kir", [
            ("AVD6", "Avd 6 Kirurgi Västervik", WARD, 22),
            ("MOTT", "Kirurgmottagningen Västervik", OPEN, 14),
            ("DAGK", "Dagkirurgin Västervik", OPEN, 16),
        ]),
        ("ORTV", "Ortopedkliniken Västervik", "ort", [
            ("AVD7", "Avd 7 Ortopedi Västervik", WARD, 18),
            ("MOTT", "Ortopedmottagningen Västervik", OPEN, 12),
        ]),
        ("KVV", "Kvinnokliniken Västervik", "gyn", [
            ("BB", "BB och förlossning Västervik", WARD_OTHER, 10),
            ("MOTT", "Kvinnomottagningen Västervik", OPEN, 12),
        ]),
        ("BUV", "Barn- och ungdomskliniken Västervik", "barn", [
            ("AVD", "Barnavdelningen Västervik", WARD_OTHER, 8),
            ("MOTT", "Barn- och ungdomsmottagningen Västervik", OPEN, 12),
        ]),
        ("AIV", "Anestesi- och intensivvårdskliniken Västervik", "iva", [
            ("IVA", "Intensivvårdsavdelningen Västervik", WARD_OTHER, 6),
            ("OP", "Operationsavdelningen Västervik", OPEN, 30),
        ]),
        ("AKUV", "Akutkliniken Västervik", "aku", [
            ("AKM", "Akutmottagningen Västervik", OPEN, 30),
            ("AVA", "Akutvårdsavdelningen Västervik", WARD, 12),
        ]),
        ("MEDO", "Medicinkliniken Oskarshamn", "med", [
            ("AVD1", "Avd 1 Medicin Oskarshamn", WARD, 20),
            ("AVD2", "Avd 2 Närsjukvård Oskarshamn", WARD, 16),
            ("MOTT", "Medicinmottagningen Oskarshamn", OPEN, 14),
            ("NARAKUT", "Närakuten Oskarshamn", OPEN, 18),
        ]),
        ("ORTO", "Ortopedkliniken Oskarshamn", "ort", [
            ("AVD3", "Avd 3 Planerad ortopedi Oskarshamn", WARD, 16),
            ("OP", "Operationsavdelningen Oskarshamn", OPEN, 24),
            ("MOTT", "Ortopedmottagningen Oskarshamn", OPEN, 10),
        ]),
    ]),
    ("PV", "Primärvårdsförvaltningen", [
        ("HVS", "Hälsoval södra länet", "hc", [
            ("BERGA", "Hälsocentralen Berga", HC, 9100),
            ("CENTRUM", "Hälsocentralen Kalmar centrum", HC, 12400),
            ("FALKENBERG", "Hälsocentralen Falkenberg", HC, 8300),
            ("LINDSDAL", "Hälsocentralen Lindsdal", HC, 7600),
            ("LJUNGBYHOLM", "Hälsocentralen Ljungbyholm", HC, 5200),
            ("SMEDBY", "Hälsocentralen Smedby", HC, 6900),
            ("STENSO", "Hälsocentralen Stensö", HC, 7400),
            ("NORRLIDEN", "Hälsocentralen Norrliden", HC, 8800),
            ("FARJESTADEN", "Hälsocentralen Färjestaden", HC, 8100),
            ("MORBYLANGA", "Hälsocentralen Mörbylånga", HC, 4300),
            ("BORGHOLM", "Hälsocentralen Borgholm", HC, 6100),
            ("LOTTORP", "Hälsocentralen Löttorp", HC, 2600),
            ("NYBRO", "Hälsocentralen Nybro", HC, 11300),
            ("ORREFORS", "Hälsocentralen Orrefors", HC, 2900),
            ("EMMABODA", "Hälsocentralen Emmaboda", HC, 8600),
            ("TORSAS", "Hälsocentralen Torsås", HC, 6800),
        ]),
        ("HVM", "Hälsoval mellersta länet", "hc", [
            ("OSKARSHAMN", "Hälsocentralen Oskarshamn", HC, 10400),
            ("KRISTINEBERG", "Hälsocentralen Kristineberg", HC, 7200),
            ("PASKALLAVIK", "Hälsocentralen Påskallavik", HC, 3300),
            ("KRISTDALA", "Hälsocentralen Kristdala", HC, 2500),
            ("MONSTERAS", "Hälsocentralen Mönsterås", HC, 8900),
            ("BLOMSTERMALA", "Hälsocentralen Blomstermåla", HC, 3600),
            ("TIMMERNABBEN", "Hälsocentralen Timmernabben", HC, 3100),
            ("HOGSBY", "Hälsocentralen Högsby", HC, 4200),
            ("FLISERYD", "Hälsocentralen Fliseryd", HC, 2700),
            ("RUDA", "Hälsocentralen Ruda", HC, 2400),
            ("ALSTERBRO", "Hälsocentralen Alsterbro", HC, 2800),
        ]),
        ("HVN", "Hälsoval norra länet", "hc", [
            ("VASTERVIK", "Hälsocentralen Västervik", HC, 11800),
            ("BREVIK", "Hälsocentralen Brevik", HC, 6500),
            ("GAMLEBY", "Hälsocentralen Gamleby", HC, 5100),
            ("ANKARSRUM", "Hälsocentralen Ankarsrum", HC, 2600),
            ("OVERUM", "Hälsocentralen Överum", HC, 2900),
            ("VIMMERBY", "Hälsocentralen Vimmerby", HC, 10200),
            ("SODRAVI", "Hälsocentralen Södra Vi", HC, 2700),
            ("HULTSFRED", "Hälsocentralen Hultsfred", HC, 8200),
            ("VIRSERUM", "Hälsocentralen Virserum", HC, 3000),
            ("MORLUNDA", "Hälsocentralen Mörlunda", HC, 2500),
            ("MALILLA", "Hälsocentralen Målilla", HC, 3300),
        ]),
        ("BHV", "Barnhälsovården", "bhv", [
            ("SODRA", "Barnhälsovården södra länet", OPEN, 10),
            ("NORRA", "Barnhälsovården norra länet", OPEN, 8),
        ]),
        ("UM", "Ungdomsmottagningarna", "um", [
            ("KALMAR", "Ungdomsmottagningen Kalmar", OPEN, 10),
            ("VASTERVIK", "Ungdomsmottagningen Västervik", OPEN, 6),
            ("OSKARSHAMN", "Ungdomsmottagningen Oskarshamn", OPEN, 6),
        ]),
        ("REHAB", "Rehabilitering primärvård", "rehab", [
            ("SODRA", "Rehabenheten södra länet", OPEN, 26),
            ("NORRA", "Rehabenheten norra länet", OPEN, 18),
        ]),
        ("JOUR", "Jourcentralerna", "jour", [
            ("KALMAR", "Jourcentralen Kalmar", OPEN, 14),
            ("VASTERVIK", "Jourcentralen Västervik", OPEN, 9),
        ]),
        ("MHV", "Barnmorskemottagningarna", "mhv", [
            ("KALMAR", "Barnmorskemottagningen Kalmar", OPEN, 12),
            ("VASTERVIK", "Barnmorskemottagningen Västervik", OPEN, 7),
            ("OSKARSHAMN", "Barnmorskemottagningen Oskarshamn", OPEN, 6),
        ]),
    ]),
    ("PSY", "Psykiatriförvaltningen", [
        ("VPK", "Vuxenpsykiatriska kliniken Kalmar", "psy", [
            ("AVD71", "Avd 71 Allmänpsykiatri", PSYCH, 18),
            ("AVD72", "Avd 72 Psykosvård", PSYCH, 16),
            ("AVD73", "Avd 73 Psykiatrisk intensivvård", PSYCH, 8),
            ("AKM", "Psykiatriska akutmottagningen Kalmar", OPEN, 16),
            ("ALLM", "Allmänpsykiatriska mottagningen Kalmar", OPEN, 28),
            ("PSYKOS", "Psykosmottagningen Kalmar", OPEN, 18),
        ]),
        ("VPV", "Vuxenpsykiatriska kliniken Västervik", "psy", [
            ("AVD75", "Avd 75 Psykiatri Västervik", PSYCH, 14),
            ("MOTT", "Psykiatrimottagningen Västervik", OPEN, 20),
            ("AKM", "Psykiatriska akutmottagningen Västervik", OPEN, 8),
        ]),
        ("VPO", "Vuxenpsykiatriska kliniken Oskarshamn", "psy", [
            ("MOTT", "Psykiatrimottagningen Oskarshamn", OPEN, 16),
            ("MELLAN", "Mellanvårdsenheten Oskarshamn", OPEN, 10),
        ]),
        ("BUP", "Barn- och ungdomspsykiatriska kliniken", "bup", [
            ("AVD", "BUP-avdelningen Kalmar", PSYCH, 6),
            ("KALMAR", "BUP-mottagningen Kalmar", OPEN, 24),
            ("VASTERVIK", "BUP-mottagningen Västervik", OPEN, 12),
            ("OSKARSHAMN", "BUP-mottagningen Oskarshamn", OPEN, 10),
        ]),
        ("BER", "Beroendecentrum", "ber", [
            ("AVD74", "Avd 74 Beroende", PSYCH, 12),
            ("KALMAR", "Beroendemottagningen Kalmar", OPEN, 14),
            ("VASTERVIK", "Beroendemottagningen Västervik", OPEN, 8),
        ]),
        ("SPEC", "Specialistpsykiatri", "psy", [
            ("ATST", "Ätstörningsenheten", OPEN, 10),
            ("NP", "Neuropsykiatriska enheten", OPEN, 16),
            ("ALDRE", "Äldrepsykiatriska mottagningen", OPEN, 8),
        ]),
    ]),
]

# Titles of the analyses and the texts of their actions and follow-ups (period 2025, unit "08").
# Status codes: planned, in_progress, done. Effect codes: yes, partly, no, not_yet.
ANALYSES = [
    {
        "measure": "riskbedomning-70-24h",
        "title": "Riskbedömning inom 24 timmar för patienter 70 år och äldre",
        "author_role": "Patientsäkerhetssamordnare",
        "date": "2026-02-12",
        "analysis": (
            "Måttet ändrades 2023: alla tre riskbedömningarna (fall, trycksår och undernäring) ska nu vara "
            "genomförda inom 24 timmar efter inskrivning. Tidigare räckte det att en av bedömningarna var gjord "
            "eller att journaltabellen hade öppnats utan att fyllas i. Syftet är att åtgärder ska kunna sättas in "
            "tidigt när en risk identifieras. Andelen patienter 70 år och äldre som fått samtliga tre "
            "riskbedömningar inom 24 timmar ökade från 38 procent 2024 till 51 procent 2025. Registreringen har "
            "förbättrats sedan realtidsdata blev tillgängliga under fliken Patientsäkerhet i Vårdöversikten. "
            "Resultatet ligger fortfarande långt under målet och varierar mellan avdelningarna."
        ),
        "actions": [
            {
                "title": "Rutin för riskbedömning inom 24 timmar på alla slutenvårdsavdelningar",
                "description": (
                    "Samtliga slutenvårdsavdelningar inom hälso- och sjukvårdsförvaltningen har en rutin för att "
                    "patienter 70 år och äldre ska riskbedömas inom 24 timmar efter inskrivning."
                ),
                "owner_role": "Verksamhetschef, respektive klinik",
                "due": "2025-06-30",
                "status": "done",
                "follow_ups": [
                    {
                        "date": "2026-01-20",
                        "effect": "partly",
                        "text": (
                            "Rutinen finns på alla avdelningar. Andelen riskbedömda ökade från 38 till 51 procent "
                            "men skillnaderna mellan avdelningarna är fortsatt stora."
                        ),
                    }
                ],
            },
            {
                "title": "Introduktion om riskfaktorer för nyanställda",
                "description": (
                    "Nyanställd personal får vid introduktionen information om riskfaktorer och om vikten av att "
                    "snabbt sätta in åtgärder vid identifierade risker."
                ),
                "owner_role": "Avdelningschef",
                "due": "2026-09-30",
                "status": "in_progress",
                "follow_ups": [],
            },
            {
                "title": "Gemensamma utbildningar med länets kommuner",
                "description": (
                    "Utbildningar genomförs fortlöpande via regionens kompetenscentrum, den samordnande gruppen "
                    "för äldre i länet och lokalt på sjukhusen."
                ),
                "owner_role": "Chef för kompetenscentrum",
                "due": "2026-12-31",
                "status": "in_progress",
                "follow_ups": [],
            },
            {
                "title": "Bygga ut Patientsäkerhet i realtid i Vårdöversikten",
                "description": (
                    "Modulen som visar genomförda och kvarstående riskbedömningar och åtgärder per inneliggande "
                    "patient byggs ut ytterligare under 2026."
                ),
                "owner_role": "Utvecklingsstrateg, regionstaben",
                "due": "2026-10-31",
                "status": "planned",
                "follow_ups": [],
            },
        ],
        "follow_up_plan": (
            "Andelen genomförda riskbedömningar och insatta åtgärder analyseras och kommuniceras på enhets-, "
            "klinik-, sjukhus- och regionnivå och följs upp vid patientsäkerhetsronder och patientsäkerhetsdialoger."
        ),
    },
    {
        "measure": "atgard-24h-trycksar",
        "title": "Åtgärder inom 24 timmar vid risk för trycksår",
        "author_role": "Patientsäkerhetssamordnare",
        "date": "2026-02-12",
        "analysis": (
            "Av de patienter som bedömdes ha risk för trycksår fick 89 procent åtgärder insatta inom 24 timmar. "
            "Det är en tydlig ökning jämfört med föregående år men strax under målet."
        ),
        "actions": [
            {
                "title": "Återkoppling av kvarstående åtgärder i Vårdöversikten vid daglig styrning",
                "description": (
                    "Kvarstående åtgärder efter riskbedömning visas per patient i Vårdöversikten och tas upp på "
                    "avdelningen varje dag."
                ),
                "owner_role": "Avdelningschef",
                "due": "2026-04-30",
                "status": "in_progress",
                "follow_ups": [],
            },
        ],
        "follow_up_plan": "Följs upp månadsvis i målstyrningssystemet och vid patientsäkerhetsronder.",
    },
    {
        "measure": "atgard-24h-undernaring",
        "title": "Åtgärder inom 24 timmar vid risk för undernäring",
        "author_role": "Patientsäkerhetssamordnare",
        "date": "2026-02-12",
        "analysis": (
            "Av de patienter som bedömdes ha risk för undernäring fick 88 procent åtgärder insatta inom 24 timmar. "
            "Andelen har ökat jämfört med föregående år men når inte målet."
        ),
        "actions": [
            {
                "title": "Återkoppling av kvarstående åtgärder i Vårdöversikten vid daglig styrning",
                "description": (
                    "Kvarstående åtgärder efter riskbedömning visas per patient i Vårdöversikten och tas upp på "
                    "avdelningen varje dag."
                ),
                "owner_role": "Avdelningschef",
                "due": "2026-04-30",
                "status": "in_progress",
                "follow_ups": [],
            },
        ],
        "follow_up_plan": "Följs upp månadsvis i målstyrningssystemet och vid patientsäkerhetsronder.",
    },
    {
        "measure": "trycksar-sjukhusforvarvade",
        "title": "Sjukhusförvärvade trycksår",
        "author_role": "Ordförande, länsövergripande arbetsgrupp för trycksår",
        "date": "2026-02-10",
        "analysis": (
            "Andelen patienter med trycksår som uppkommit under sjukhustiden ligger kvar på en stabil låg nivå: "
            "2,0 procent både vid vårens och höstens punktprevalensmätning, vilket är precis på gränsen men inte "
            "under målet. SKR avslutade de nationella mätningarna 2024, så någon nationell jämförelse finns inte "
            "längre. Medarbetarna dokumenterar aktivt hud- och riskbedömningar vid ankomst till avdelningen och "
            "vidtar förebyggande åtgärder. Andelen bland män (3,5 respektive 2,6 procent) var högre än bland "
            "kvinnor (0,6 respektive 1,3 procent) vid båda mätningarna."
        ),
        "actions": [
            {
                "title": "Länsövergripande arbetsgrupp för förbättringsarbete inom trycksår",
                "description": (
                    "Arbetsgruppen arbetar med länsgemensamma rutiner, dokumentation, resultatuppföljning och "
                    "utbildning för medarbetare på de tre sjukhusen och i kommunerna."
                ),
                "owner_role": "Ordförande, länsövergripande arbetsgrupp för trycksår",
                "due": "2026-12-31",
                "status": "in_progress",
                "follow_ups": [],
            },
            {
                "title": "Förebyggande åtgärder vid ankomst till sjukhus",
                "description": (
                    "Hud- och riskbedömning genomförs och dokumenteras snarast vid ankomst; madrasser anpassas, "
                    "hälavlastning och vändschema används vid behov."
                ),
                "owner_role": "Avdelningschef",
                "due": "2025-12-31",
                "status": "done",
                "follow_ups": [
                    {
                        "date": "2025-11-15",
                        "effect": "partly",
                        "text": (
                            "Höstens punktprevalensmätning visade 2,0 procent sjukhusförvärvade trycksår, samma "
                            "nivå som i våras. Nivån är stabil men målet under 2 procent nås inte."
                        ),
                    }
                ],
            },
            {
                "title": "Visa trycksår i Vårdöversikten",
                "description": (
                    "Trycksår följs i dag dagligen i trycksår-online på avdelningsnivå; måttet ska i stället visas "
                    "i Vårdöversikten tillsammans med de andra patientsäkerhetsmåtten."
                ),
                "owner_role": "Utvecklingsstrateg, regionstaben",
                "due": "2026-06-30",
                "status": "planned",
                "follow_ups": [],
            },
        ],
        "follow_up_plan": (
            "Trycksår mäts regionövergripande med punktprevalensmätning och följs dagligen online. Resultaten "
            "analyseras och kommuniceras på enhets-, sjukhus- och regionnivå och diskuteras vid "
            "patientsäkerhetsronder och patientsäkerhetsdialoger."
        ),
    },
    {
        "measure": "basala-hygienrutiner",
        "title": "Följsamhet till basala hygienrutiner och klädregler",
        "author_role": "Hygiensjuksköterska, Vårdhygien",
        "date": "2026-02-05",
        "analysis": (
            "SKR:s nationella årliga mätning har avslutats; regionen mäter lokalt 4–12 gånger per år. Mätmetoden "
            "byttes 2024, så tidigare och aktuella resultat kan inte jämföras. Det årsackumulerade utfallet för "
            "basala hygienrutiner och klädregler sammantaget var 96,2 procent 2025, under målet 100 procent. "
            "Några enheter har fortfarande förbättringsmöjligheter. Utbildningsinsatserna i slutenvården för "
            "bättre mätkvalitet och följsamhet har fortsatt under året."
        ),
        "actions": [
            {
                "title": "Förstärkt arbete med kompletta arbetskläder enligt hygienreglerna",
                "description": (
                    "Inom hälso- och sjukvårds-, primärvårds- och psykiatriförvaltningen har ett förstärkt arbete "
                    "inletts för att arbetskläder ska bäras kompletta och enligt hygienreglerna."
                ),
                "owner_role": "Förvaltningschef, respektive förvaltning",
                "due": "2026-06-30",
                "status": "in_progress",
                "follow_ups": [],
            },
            {
                "title": "Utbildning i slutenvården om mätning och följsamhet",
                "description": "Utbildningsinsatser för bättre mätkvalitet och följsamhet på slutenvårdsenheterna.",
                "owner_role": "Hygiensjuksköterska, Vårdhygien",
                "due": "2025-12-31",
                "status": "done",
                "follow_ups": [
                    {
                        "date": "2026-01-28",
                        "effect": "partly",
                        "text": (
                            "Utfallet 2025 blev 96,2 procent. Följsamheten är hög men varierar mellan enheterna; "
                            "ansvaret vilar på basenhetschefen och den enskilda medarbetaren."
                        ),
                    }
                ],
            },
        ],
        "follow_up_plan": (
            "Mått och förbättringsåtgärder diskuteras på varje patientsäkerhetsrond, i patientsäkerhetsteam och på "
            "enhetsmöten. De lokala mätningarna följs också upp i den lokala samverkansgruppen för patientsäkerhet."
        ),
    },
    {
        "measure": "vri",
        "title": "Vårdrelaterade infektioner",
        "author_role": "Hygienöverläkare, Vårdhygien",
        "date": "2026-02-05",
        "analysis": (
            "Sedan 2024 görs ingen nationell punktprevalensmätning av vårdrelaterade infektioner, och "
            "infektionsverktygets datakvalitet är för låg för att följa utvecklingen. Regionens senaste mätvärde "
            "är därför den europeiska punktprevalensmätningen våren 2023, där alla regioner deltog; för 2025 "
            "saknas mätvärde. Det nationella resultatet på 10 procent speglar troligen förekomsten även i "
            "regionen. Regionen ser över hur VRI kan följas upp på ett validerat sätt. Det viktigaste för att "
            "minska infektionerna är en generellt förbättrad vårdkvalitet med hög följsamhet till riktlinjer."
        ),
        "actions": [
            {
                "title": "Utveckla infektionsverktyget",
                "description": (
                    "Infektionsverktyget ger data om vårdrelaterade infektioner och antibiotikaanvändning över tid "
                    "men behöver utvecklas för att uppföljningen ska bli tillförlitlig."
                ),
                "owner_role": "Hygienöverläkare, Vårdhygien",
                "due": "2026-08-31",
                "status": "in_progress",
                "follow_ups": [],
            },
            {
                "title": "Hygienronder och patientsäkerhetsronder",
                "description": (
                    "Hygienronder och patientsäkerhetsronder genomförs regelbundet på slutenvårdsenheter och "
                    "mottagningar."
                ),
                "owner_role": "Chefläkare",
                "due": "2025-12-31",
                "status": "done",
                "follow_ups": [
                    {
                        "date": "2026-01-30",
                        "effect": "not_yet",
                        "text": (
                            "Ronderna har genomförts enligt plan. Effekten kan inte bedömas förrän uppföljningen av "
                            "vårdrelaterade infektioner kan göras på ett validerat sätt."
                        ),
                    }
                ],
            },
            {
                "title": "Samarbete med kommunerna mot smittspridning",
                "description": (
                    "Vårdhygieniska enheten har inlett ett mer strukturerat samarbete med länets kommuner för att "
                    "minska smittspridning och vårdrelaterade infektioner i kommunal vård och omsorg."
                ),
                "owner_role": "Enhetschef, Vårdhygien",
                "due": "2026-12-31",
                "status": "in_progress",
                "follow_ups": [],
            },
        ],
        "follow_up_plan": (
            "Vårdhygieniska enheten arbetar löpande mot smittspridning och förmedlar kunskap till enheterna; "
            "genomförandet av åtgärderna vilar på respektive enhet."
        ),
    },
    {
        "measure": "antibiotika-recept-1000",
        "title": "Antibiotikaförskrivning",
        "author_role": "Ordförande, Strama",
        "date": "2026-02-18",
        "analysis": (
            "Under 2025 hämtades 269 antibiotikarecept ut per 1 000 invånare; målet 250 recept per 1 000 invånare "
            "och år nås inte. Förskrivningen i länet ligger förhållandevis högt, vilket bara delvis förklaras av "
            "befolkningsstrukturen. Det finns utrymme att minska användningen av antibiotika."
        ),
        "actions": [
            {
                "title": "Analys och återkoppling av förskrivningsmönster",
                "description": (
                    "Strama analyserar förskrivningsmönster från lokala och nationella mätningar och återkopplar till "
                    "förskrivare, berörda basenhetschefer och ledningen."
                ),
                "owner_role": "Ordförande, Strama",
                "due": "2026-12-31",
                "status": "in_progress",
                "follow_ups": [],
            },
            {
                "title": "Diplomera hälsovalsenheterna som Antibiotikasmarta",
                "description": (
                    "I januari 2026 har 22 av 38 enheter inom hälsoval anmält sig och påbörjat arbetet; 3 är "
                    "diplomerade."
                ),
                "owner_role": "Verksamhetschef, hälsoval",
                "due": "2026-06-30",
                "status": "in_progress",
                "follow_ups": [
                    {
                        "date": "2026-01-31",
                        "effect": "not_yet",
                        "text": "22 av 38 hälsovalsenheter anmälda och 3 diplomerade.",
                    }
                ],
            },
            {
                "title": "Diplomera regionledningen som Antibiotikasmart",
                "description": (
                    "Arbetet påbörjades 2025. Kriterierna handlar om att skapa goda förutsättningar för arbetet i "
                    "regionen, bland annat en minimibemanning hos Strama."
                ),
                "owner_role": "Hälso- och sjukvårdsdirektör",
                "due": "2026-10-31",
                "status": "in_progress",
                "follow_ups": [
                    {
                        "date": "2026-02-18",
                        "effect": "no",
                        "text": (
                            "Strama saknar resurser för att uppfylla kriteriet om minimibemanning: infektionsläkare "
                            "eller slutenvårdsläkare och sjuksköterskor på sjukhusen samt projektledning på sjukhusen."
                        ),
                    }
                ],
            },
            {
                "title": "Tjänsteutrymme för Strama-sjuksköterskor i primärvården",
                "description": "Tjänsteutrymme för Strama-sjuksköterskor från primärvården har skapats.",
                "owner_role": "Primärvårdsdirektör",
                "due": "2025-12-31",
                "status": "done",
                "follow_ups": [],
            },
        ],
        "follow_up_plan": (
            "Förskrivningen följs kvartalsvis. Utan resurser till Strama på sjukhusen kommer arbetet inte vidare."
        ),
    },
    {
        "measure": "hse-index",
        "title": "Hållbart säkerhetsengagemang (HSE)",
        "author_role": "HR-strateg",
        "date": "2026-01-25",
        "analysis": (
            "Medarbetar- och säkerhetsenkäten genomfördes hösten 2025. HSE-index för regionen var 76, oförändrat "
            "jämfört med 2023, och når inte målet att indexvärdet ska vara mer än 80. Mätningen görs "
            "regionövergripande vartannat år; nästa mätning är 2027."
        ),
        "actions": [
            {
                "title": "Halvårsvisa mätningar av HME och HSE inom hälso- och sjukvårdsförvaltningen",
                "description": (
                    "Förvaltningen mäter två gånger per år för att följa resultatet tätare, få en ökad dialog och "
                    "utvärdera genomförda aktiviteter."
                ),
                "owner_role": "Förvaltningschef, hälso- och sjukvårdsförvaltningen",
                "due": "2026-12-31",
                "status": "in_progress",
                "follow_ups": [],
            },
            {
                "title": "Dialog om resultat och åtgärder på arbetsplatsträffar",
                "description": (
                    "Resultat och åtgärder tas upp på arbetsplatsträffar och chefsmöten, med återkoppling av "
                    "avvikelser och vilka förbättringar de lett till."
                ),
                "owner_role": "Enhetschef",
                "due": "2026-05-31",
                "status": "in_progress",
                "follow_ups": [],
            },
            {
                "title": "Regionövergripande mätning 2027",
                "description": "Nästa medarbetar- och säkerhetsenkät med HME och HSE genomförs hösten 2027.",
                "owner_role": "HR-direktör",
                "due": "2027-11-30",
                "status": "planned",
                "follow_ups": [],
            },
        ],
        "follow_up_plan": "Resultat och åtgärder följs upp kontinuerligt på olika organisationsnivåer.",
    },
]
