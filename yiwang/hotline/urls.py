from django.urls import include, path

from . import citizen_views, views

app_name = "hotline"
urlpatterns = [
    path("new/", views.new, name="new"),
    path("suggest/", views.suggest, name="suggest"),
    path("caller/", views.caller, name="caller"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("dispatch/", views.dispatch_list, name="dispatch"),
    path("inbox/", views.inbox, name="inbox"),
    path("report/", citizen_views.report, name="report"),
    path("report/code/", citizen_views.report_code, name="report_code"),
    path("mine/", citizen_views.mine, name="mine"),
    path("mine/<int:pk>/", citizen_views.mine_detail, name="mine_detail"),
    path("stats/", include("yiwang.hotline.stats_urls")),
    path("config/", include("yiwang.hotline.config_urls")),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/caller-phone/", views.reveal_phone, name="reveal_phone"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
]
