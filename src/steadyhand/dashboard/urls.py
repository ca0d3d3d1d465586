from django.urls import path

from steadyhand.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("units/<int:unit_id>/", views.index, name="unit"),
    path("report/", views.monthly_report, name="report"),
]
