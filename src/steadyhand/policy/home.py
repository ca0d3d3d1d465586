"""What this app puts on people's home pages (see ``accounts/home.py``)."""

from steadyhand.access.actor import Actor
from steadyhand.accounts.home import HomeSection


def home_sections(actor: Actor) -> list[HomeSection]:
    return []
