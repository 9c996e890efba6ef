from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("settings/profile/", views.profile_edit, name="profile_edit"),
    path("settings/blocked/", views.blocked_list, name="blocked"),
    path("@<str:username>/block", views.relation_change, {"action": "block"}, name="block"),
    path("@<str:username>/unblock", views.relation_change, {"action": "unblock"}, name="unblock"),
    path("@<str:username>/mute", views.relation_change, {"action": "mute"}, name="mute"),
    path("@<str:username>/unmute", views.relation_change, {"action": "unmute"}, name="unmute"),
]
