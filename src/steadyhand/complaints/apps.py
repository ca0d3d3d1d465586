from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "steadyhand.complaints"
    label = "complaints"
    verbose_name = "Complaints"
