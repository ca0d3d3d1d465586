from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "steadyhand.audit"
    label = "audit"
