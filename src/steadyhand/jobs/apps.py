from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "steadyhand.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
