from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "steadyhand.exports"
    label = "exports"
    verbose_name = "Exports"
