"""Words and suffixes of the synthetic company domains the directory benches make up."""

WORDS = (
    "alpha beta global nordic metal freight logistics trade supply systems tech data "
    "green blue river stone bridge harbor summit valley pacific atlantic united central "
    "precision industrial medical pharma textile foods energy solar power motion digital "
    "consulting partners holdings group capital finance labs works design print paper "
    "chemical plastics steel timber marine aero auto parts tools electric water"
).split()
SUFFIXES = ("com", "de", "co.uk", "fr", "nl", "it", "es", "ch", "at", "se", "pl", "eu", "net")
