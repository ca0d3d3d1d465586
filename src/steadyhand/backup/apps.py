from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "steadyhand.backup"
    label = "backup"
    verbose_name = "Backup and restore"
