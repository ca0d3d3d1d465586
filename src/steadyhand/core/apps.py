from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "steadyhand.core"
    label = "core"
