from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "steadyhand.accounts"
    label = "accounts"

    def ready(self) -> None:
        from steadyhand.accounts import signals  # noqa: F401  (connects the receivers)
