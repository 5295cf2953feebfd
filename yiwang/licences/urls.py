from django.urls import path

from . import import_views, manage_views, use_views, views, wallet_views

app_name = "licences"
urlpatterns = [
    path("mine/", views.wallet, name="wallet"),
    # Use authorisation (C7): before mine/<identifier>/, which "grants" would match.
    path("mine/grants/", wallet_views.grants, name="grants"),
    path("mine/grants/<int:pk>/withdraw/", wallet_views.withdraw_grant, name="grant-withdraw"),
    path("mine/copies/<int:pk>/withdraw/", wallet_views.withdraw_copy, name="copy-withdraw"),
    path("mine/<str:identifier>/", wallet_views.licence_detail, name="mine-detail"),
    path("mine/<str:identifier>/share/", wallet_views.share, name="share"),
    path("use/", use_views.use_page, name="use"),
    path("mine/<str:identifier>/licence.json", views.licence_file_download, name="file"),
    path("mine/<str:identifier>/licence.pdf", views.licence_pdf_download, name="pdf"),
    # The issuing department's pages; the fixed paths before manage/<identifier>/.
    path("manage/", manage_views.index, name="manage"),
    path("manage/issue/", manage_views.issue, name="manage_issue"),
    path("manage/import/", import_views.upload, name="manage_import"),
    path("manage/import/template.xlsx", import_views.template, name="manage_import_template"),
    path("manage/<str:identifier>/", manage_views.detail, name="manage_detail"),
    path("manage/<str:identifier>/renew/", manage_views.renew, name="manage_renew"),
    path(
        "manage/<str:identifier>/<str:operation>/",
        manage_views.change_status,
        name="manage_status",
    ),
]
