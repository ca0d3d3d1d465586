from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "steadyhand.recognition"
    label = "recognition"
    verbose_name = "Commendations"
