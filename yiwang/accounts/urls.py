from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/sms/send/", views.sms_send, name="sms-send"),
    path("login/sms/", views.sms_login, name="sms-login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register, name="register"),
    path("me/", views.profile, name="profile"),
    path("me/password/", views.change_password, name="password"),
    path("me/elder-mode/", views.elder_mode, name="elder-mode"),
    path("act-as/", views.act_as, name="act-as"),
    path("reveal/<int:user_id>/<str:field>/", views.reveal, name="reveal"),
]
