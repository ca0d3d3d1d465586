from django.apps import AppConfig


class InterventionConfig(AppConfig):
    name = "steadyhand.intervention"
    label = "intervention"
    verbose_name = "Early intervention"
