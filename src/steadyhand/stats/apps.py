from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "steadyhand.stats"
    label = "stats"
    verbose_name = "Pre-aggregated statistics"
