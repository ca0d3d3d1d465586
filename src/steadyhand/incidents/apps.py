from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "steadyhand.incidents"
    label = "incidents"
    verbose_name = "Incidents"
