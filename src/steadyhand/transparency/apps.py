from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "steadyhand.transparency"
    label = "transparency"
    verbose_name = "Public page and open data"
