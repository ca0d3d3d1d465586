from django.urls import path

from steadyhand.transparency import views

app_name = "transparency"

P = "public/<slug:agency_slug>"

urlpatterns = [
    path(f"{P}/", views.public_page, name="page"),
    path(f"{P}/data.json", views.feed, name="feed"),
    path(f"{P}/data/dictionary.csv", views.dictionary_csv, name="dictionary"),
    path(f"{P}/data/<slug:table_key>.csv", views.table_csv, name="table_csv"),
]
