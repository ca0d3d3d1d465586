from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "steadyhand.evaluations"
    label = "evaluations"
    verbose_name = "Program evaluation"
