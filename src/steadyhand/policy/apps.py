from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "steadyhand.policy"
    label = "policy"
    verbose_name = "Written policy"
