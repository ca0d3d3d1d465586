from django.urls import URLPattern, path

from steadyhand.training.views import rollouts, surveys

urlpatterns: list[URLPattern] = [
    path("rollouts/", rollouts.rollout_list, name="rollout_list"),
    path("rollouts/new/", rollouts.rollout_create, name="rollout_create"),
    path("rollouts/<int:plan_id>/", rollouts.rollout_detail, name="rollout_detail"),
    path("rollouts/<int:plan_id>/edit/", rollouts.rollout_edit, name="rollout_edit"),
    path("rollouts/<int:plan_id>/randomize/", rollouts.rollout_randomize, name="rollout_randomize"),
    path("rollouts/<int:plan_id>/assign/", rollouts.rollout_assign, name="rollout_assign"),
    path("rollouts/<int:plan_id>/lock/", rollouts.rollout_lock, name="rollout_lock"),
    path("surveys/", surveys.survey_list, name="survey_list"),
    path("surveys/new/", surveys.survey_create, name="survey_create"),
    path("surveys/mine/", surveys.survey_mine, name="survey_mine"),
    path("surveys/<int:survey_id>/", surveys.survey_detail, name="survey_detail"),
    path("surveys/<int:survey_id>/invite/", surveys.survey_invite, name="survey_invite"),
    path("surveys/<int:survey_id>/close/", surveys.survey_close, name="survey_close"),
    path(
        "surveys/invitations/<int:invitation_id>/",
        surveys.survey_respond,
        name="survey_respond",
    ),
]
