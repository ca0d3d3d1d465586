from django.urls import path

from steadyhand.exports import views

app_name = "exports"

urlpatterns = [
    path("", views.index, name="index"),
    path("settings/", views.settings_update, name="settings_update"),
    path("open-data.csv", views.open_data_csv, name="open_data_csv"),
    path("data-dictionary/", views.data_dictionary, name="data_dictionary"),
    path("nuofdc.zip", views.nuofdc_zip, name="nuofdc_zip"),
]
