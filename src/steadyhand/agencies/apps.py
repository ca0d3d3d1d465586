from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "steadyhand.agencies"
    label = "agencies"
    verbose_name = "Agencies, units and members"
