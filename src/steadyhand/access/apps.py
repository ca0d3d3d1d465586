from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "steadyhand.access"
    label = "access"
