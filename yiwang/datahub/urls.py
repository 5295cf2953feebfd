from django.urls import path

from . import editor_views, ingestion_views, sharing_views, views

app_name = "datahub"
urlpatterns = [
    path("", views.index, name="index"),
    path("r/<str:code>/", views.resource, name="resource"),
    path("r/<str:code>/edit/", editor_views.edit, name="edit"),
    path("r/<str:code>/submit/", views.submit, name="submit"),
    path("r/<str:code>/publish/", views.publish, name="publish"),
    path("r/<str:code>/return/", views.return_resource, name="return"),
    path("r/<str:code>/withdraw/", views.withdraw, name="withdraw"),
    path("r/<str:code>/revise/", views.revise, name="revise"),
    path("manage/", editor_views.manage, name="manage"),
    path("manage/new/", editor_views.edit, name="create"),
    path("suggest/", editor_views.suggest, name="suggest"),
    path("review/", views.review, name="review"),
    path("grades/", views.grades, name="grades"),
    # Data sharing (C15)
    path("r/<str:code>/request/", sharing_views.new_request, name="request_new"),
    path("requests/", sharing_views.requests_index, name="requests"),
    path("requests/<int:pk>/", sharing_views.request_detail, name="request"),
    path("requests/<int:pk>/review/", sharing_views.review, name="request_review"),
    path("requests/<int:pk>/decide/", sharing_views.decide, name="request_decide"),
    path("requests/<int:pk>/dispute/", sharing_views.dispute, name="request_dispute"),
    path("requests/<int:pk>/coordinate/", sharing_views.coordinate, name="request_coordinate"),
    path("requests/<int:pk>/withdraw/", sharing_views.withdraw, name="request_withdraw"),
    path("sharing/review/", sharing_views.review_queue, name="sharing_review"),
    path("sharing/decide/", sharing_views.decision_queue, name="sharing_decide"),
    path("grants/", sharing_views.grants, name="grants"),
    path("grants/<int:pk>/revoke/", sharing_views.revoke, name="grant_revoke"),
    # Ingestion into hub tables
    path("r/<str:code>/data/upload/", ingestion_views.upload, name="ingestion_upload"),
    path("r/<str:code>/data/pulls/new/", ingestion_views.pull_new, name="pull_new"),
    path("pulls/<int:pk>/", ingestion_views.pull_edit, name="pull_edit"),
    path("pulls/<int:pk>/disable/", ingestion_views.pull_disable, name="pull_disable"),
    path("pulls/<int:pk>/run/", ingestion_views.pull_run, name="pull_run"),
    path("ingestions/<int:pk>/", ingestion_views.job, name="ingestion"),
    path(
        "ingestions/<int:pk>/failed.<str:fmt>",
        ingestion_views.failed_download,
        name="ingestion_failed",
    ),
]
