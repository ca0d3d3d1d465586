from django.urls import path

from steadyhand.reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("workbench/", views.workbench, name="workbench"),
    path("routes/", views.routes, name="routes"),
    path("routes/<int:force_level>/", views.route_save, name="route_save"),
    path("corrective/", views.corrective_list, name="corrective_list"),
    path(
        "corrective/<int:action_id>/complete/",
        views.corrective_complete,
        name="corrective_complete",
    ),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path(
        "notifications/<int:notification_id>/open/",
        views.notification_open,
        name="notification_open",
    ),
    path("<int:review_id>/", views.review_detail, name="detail"),
    path("<int:review_id>/act/", views.review_act, name="act"),
    path("<int:review_id>/correction/", views.review_resubmit, name="resubmit"),
    path("<int:review_id>/corrective/new/", views.corrective_create, name="corrective_create"),
]
