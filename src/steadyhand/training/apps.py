from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "steadyhand.training"
    label = "training"
