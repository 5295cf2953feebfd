from django.urls import path

from . import views, wallet_views

app_name = "verify"
urlpatterns = [
    # A shared copy (加注件): public, no login; its token is the key.
    path("copy/<str:token>/", wallet_views.copy_page, name="copy"),
    # Where a licence's QR code leads: public, no login.
    path("<str:identifier>", views.verify_page, name="page"),
]
