"""The published synthetic-control specifications, shared by the synth tests."""

from pathlib import Path

from steadyhand.analytics.synth import (
    Predictor,
    SpecialPredictor,
    SynthPanel,
    SynthSpec,
    read_panel_csv,
)

DATA = Path(__file__).parent / "data"


def smoking() -> tuple[SynthPanel, SynthSpec]:
    """Proposition 99: Abadie, Diamond & Hainmueller (2010), Table 1 predictors."""
    panel = read_panel_csv(DATA / "smoking.csv", unit="state", time="year", outcome="cigsale")
    spec = SynthSpec(
        treated="California",
        treatment_start=1989,
        predictors=(
            Predictor("lnincome", 1980, 1988),
            Predictor("age15to24", 1980, 1988),
            Predictor("retprice", 1980, 1988),
            Predictor("beer", 1984, 1988),
        ),
        special_predictors=(
            SpecialPredictor("cigsale", (1975,)),
            SpecialPredictor("cigsale", (1980,)),
            SpecialPredictor("cigsale", (1988,)),
        ),
        fit_window=(1970, 1988),
    )
    return panel, spec


BASQUE = "Basque Country (Pais Vasco)"
SECTORS = (
    "sec.agriculture",
    "sec.energy",
    "sec.industry",
    "sec.construction",
    "sec.services.venta",
    "sec.services.nonventa",
)
SCHOOLING = ("school.illit", "school.prim", "school.med", "school.high", "school.post.high")


def basque() -> tuple[SynthPanel, SynthSpec]:
    """Basque Country: Abadie & Gardeazabal (2003) as in R Synth's example (Spain excluded)."""
    panel = read_panel_csv(DATA / "basque.csv", unit="regionname", time="year", outcome="gdpcap")
    spec = SynthSpec(
        treated=BASQUE,
        treatment_start=1970,
        predictors=tuple(Predictor(c, 1964, 1969) for c in (*SCHOOLING, "invest")),
        special_predictors=(
            SpecialPredictor("gdpcap", tuple(range(1960, 1970))),
            *(SpecialPredictor(c, (1961, 1963, 1965, 1967, 1969)) for c in SECTORS),
            SpecialPredictor("popdens", (1969,)),
        ),
        fit_window=(1960, 1969),
        donors=tuple(u for u in panel.units if u not in (BASQUE, "Spain (Espana)")),
    )
    return panel, spec
