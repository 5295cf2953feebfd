from django.urls import path

from . import views

app_name = "verify"
urlpatterns = [
    # Where a licence's QR code leads: public, no login.
    path("<str:identifier>", views.verify_page, name="page"),
]
