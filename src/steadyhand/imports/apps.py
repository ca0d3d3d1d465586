from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "steadyhand.imports"
    label = "imports"
