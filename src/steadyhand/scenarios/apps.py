from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    """The simulator's home in Django: the terminal commands now, the browser UI later.

    The engine itself is ``steadyhand.simulator`` (pure Python, no Django).
    """

    name = "steadyhand.scenarios"
    label = "scenarios"
    verbose_name = "Scenario simulator"
