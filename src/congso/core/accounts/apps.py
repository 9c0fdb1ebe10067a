from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "congso.core.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"

    def ready(self) -> None:
        # The core's role grants; modules add theirs from their own policies.py.
        from congso.core.policy import rules  # noqa: F401
