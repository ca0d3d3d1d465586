from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "steadyhand.accounts"
    label = "accounts"
