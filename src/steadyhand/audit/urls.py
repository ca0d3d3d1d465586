from django.urls import path

from steadyhand.audit import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.event_list, name="event_list"),
    path("audit/verify/", views.verify, name="verify"),
]
