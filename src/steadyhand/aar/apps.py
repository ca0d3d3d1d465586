from django.apps import AppConfig


class AarConfig(AppConfig):
    name = "steadyhand.aar"
    label = "aar"
    verbose_name = "After-action reviews"
