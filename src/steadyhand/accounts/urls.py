from django.urls import path

from steadyhand.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/two-factor/", views.two_factor_view, name="two_factor"),
    path("admin/accounts/", views.user_list, name="user_list"),
    path("admin/accounts/new/", views.user_create, name="user_create"),
    path("admin/accounts/<int:user_id>/", views.user_detail, name="user_detail"),
    path("admin/accounts/<int:user_id>/roles/", views.role_grant, name="role_grant"),
    path(
        "admin/accounts/<int:user_id>/roles/<int:assignment_id>/revoke/",
        views.role_revoke,
        name="role_revoke",
    ),
    path("admin/accounts/<int:user_id>/active/", views.user_set_active, name="user_set_active"),
    path(
        "admin/accounts/<int:user_id>/password/", views.user_set_password, name="user_set_password"
    ),
]
