from django.urls import path

from . import apply_views, views

app_name = "cases"
urlpatterns = [
    path("apply/<int:item_pk>/", apply_views.apply, name="apply"),
    path("mine/", views.mine, name="mine"),
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/bulk-accept/", views.bulk_accept, name="bulk_accept"),
    path("intake/", apply_views.intake, name="intake"),
    path("intake/<int:item_pk>/", apply_views.intake_form, name="intake_form"),
    path("track/<str:token>/", views.track, name="track"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/", views.act, name="act"),
    path("<int:pk>/resubmit/", views.resubmit, name="resubmit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
    path("<int:pk>/form/<str:key>/reveal/", views.reveal_form, name="reveal_form"),
    path("<int:pk>/files/<int:file_pk>/", views.download, name="download"),
    path("<int:pk>/receipt.pdf", views.receipt_pdf, name="receipt"),
    path("<int:pk>/decision.pdf", views.decision_pdf, name="decision"),
]
