from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "steadyhand.dashboard"
    label = "dashboard"
    verbose_name = "Command dashboard"
