"""Swedish words of the evaluation report: readings, verdicts, the method and the formulas."""

from __future__ import annotations

from types import MappingProxyType

__all__ = [
    "AREA_NAMES",
    "CONTROL_METHOD",
    "FORMULAS",
    "METHOD",
    "PERIOD_NAMES",
    "VERDICT",
    "VERDICT_SHORT",
    "WDQ_READING",
    "WDQ_SHORT",
]

#: The reading of the weighted displacement quotient (Bowers & Johnson 2003, table 1).
WDQ_READING = MappingProxyType(
    {
        "diffusion_greater": "Spridning av positiva effekter, större än den direkta effekten (WDQ > 1)",
        "diffusion": "Spridning av positiva effekter till buffertzonen (0 < WDQ ≤ 1)",
        "none": "Varken förskjutning eller spridning (WDQ = 0)",
        "displacement": "Förskjutning till buffertzonen, mindre än den direkta effekten (−1 < WDQ < 0)",
        "displacement_greater": "Förskjutning lika stor som eller större än den direkta effekten (WDQ ≤ −1)",
        "not_interpretable": "Ej tolkbar: R har inte förbättrats relativt kontrollområdet",
        "undefined": "Kan inte beräknas: kontrollområdet saknar anmärkningar i ett fönster",
    }
)

#: The verdict of a site, from the relative effect size and the small-cell rule.
VERDICT = MappingProxyType(
    {
        "decrease": "Minskning i R jämfört med kontrollområdet (RES säkert över 1)",
        "increase": "Ökning i R jämfört med kontrollområdet (RES säkert under 1)",
        "no_clear_change": "Ingen säker förändring (intervallet för RES omfattar 1)",
        "too_few": "För få anmärkningar för en slutsats (någon cell under 5)",
    }
)

AREA_NAMES = MappingProxyType(
    {"R": "R – behandlingsområde", "D": "D – buffertzon", "C": "C – kontrollområde"}
)
PERIOD_NAMES = MappingProxyType({"before": "före", "after": "efter"})

CONTROL_METHOD = MappingProxyType(
    {
        "given": "angivet i kontrollfilen",
        "correlation": "valt automatiskt: det område utanför alla platsers R och D vars antal per månad under före-perioden följer R:s bäst (Pearsons korrelation {correlation})",
        "largest": "valt automatiskt: korrelationen kunde inte beräknas (R har samma antal varje månad), så området med flest anmärkningar före valdes",
    }
)

#: Paragraphs of the method section (formatted with the settings).
METHOD = (
    "R är platsens polygon eller en cirkel med radien {radius} m runt punkten; D är ringen {buffer} m utanför R; "
    "C är kontrollområdet. Före-fönstret är de {before} månaderna före installationsmånaden, efter-fönstret de "
    "{after} månaderna efter den; installationsmånaden räknas inte. Anmärkningar utan tid lämnas utanför och räknas.",
    "Platser vars R och D överlappar varandra räknas aldrig dubbelt: körningen avbryts, eller (när överlappande platser slås ihop) "
    "utvärderas de som en plats, där R är unionen av deras R, före-fönstret slutar före den första och "
    "efter-fönstret börjar efter den sista installationen.",
    "Alla mått räknas på platsens målkategorier (alla kategorier när inga anges). När någon av de sex cellerna "
    "(R, D, C före och efter) har färre än 5 anmärkningar ges en varning i stället för en bedömning.",
    "Bedömningen bygger på RES: minskning när hela {level}-intervallet ligger över 1, ökning när det ligger under 1.",
)

#: The formulas, each with its source (b = före, a = efter).
FORMULAS = (
    "Bruttoeffekt = Rb − Ra (positivt = färre).",
    "Nettoeffekt = Rb · Ca/Cb − Ra: vad R hade haft med kontrollområdets utveckling, minus vad R hade (Bowers & Johnson 2003).",
    "Total nettoeffekt = (Rb · Ca/Cb − Ra) + (Db · Ca/Cb − Da) (Bowers & Johnson 2003).",
    "WDQ = (Da/Ca − Db/Cb) / (Ra/Ca − Rb/Cb). Tolkas bara när nämnaren är negativ (R har förbättrats relativt C): "
    "positivt = spridning av positiva effekter, negativt = förskjutning, under −1 = förskjutningen är minst lika stor som effekten (Bowers & Johnson 2003).",
    "WDD = (Ra − Rb) + (Da − Db) − (Ca − Cb) · (A_R + A_D)/A_C, med Poisson-varians Var = Ra + Rb + Da + Db + (Ca + Cb) · ((A_R + A_D)/A_C)²; "
    "Z = WDD/SE och 95 %-intervall WDD ± 1,96 · SE. Negativt = färre. Kontrollen skalas efter yta (A = area) (Wheeler & Ratcliffe 2018, med Wheelers ytvikter).",
    "RES = (Rb · Ca)/(Ra · Cb), Var(ln RES) = 1/Rb + 1/Ra + 1/Cb + 1/Ca, intervall exp(ln RES ± 1,96 · SE). RES över 1 = färre i R relativt C "
    "(måttet i Campbell-översikterna om kameraövervakning och gatubelysning, Welsh & Farrington).",
    "Skillnad-i-skillnader: Poisson-regression på antal per månad i R och C, log E[y] = β0 + β1·R + β2·efter + β3·R·efter; IRR = exp(β3), under 1 = färre. "
    "När Pearsons χ²/df överstiger 1,5 (överspridning) används i stället negativ binomialregression (NB2).",
    "Upplevd trygghet: andelen trygga före och efter jämförs med ett z-test för två andelar (statsmodels proportions_ztest).",
)

#: Short forms for the summary table.
VERDICT_SHORT = MappingProxyType(
    {
        "decrease": "Minskning",
        "increase": "Ökning",
        "no_clear_change": "Ingen säker förändring",
        "too_few": "För få för en bedömning",
    }
)
WDQ_SHORT = MappingProxyType(
    {
        "diffusion_greater": "Spridning av positiva effekter (större än effekten)",
        "diffusion": "Spridning av positiva effekter",
        "none": "Varken förskjutning eller spridning",
        "displacement": "Förskjutning (mindre än effekten)",
        "displacement_greater": "Förskjutning (minst lika stor som effekten)",
        "not_interpretable": "Ej tolkbar",
        "undefined": "Kan inte beräknas",
    }
)
