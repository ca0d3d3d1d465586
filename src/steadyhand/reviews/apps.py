from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "steadyhand.reviews"
    label = "reviews"
    verbose_name = "Formal force reviews and corrective actions"
