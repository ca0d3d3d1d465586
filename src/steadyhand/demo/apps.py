from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "steadyhand.demo"
    label = "demo"
    verbose_name = "Demo agency"
