from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "steadyhand.api"
    label = "api"
    verbose_name = "REST API"
