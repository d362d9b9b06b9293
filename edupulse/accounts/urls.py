from django.contrib.auth import views as auth_views
from django.urls import path

from edupulse.accounts import views

app_name = "accounts"
urlpatterns = [
    path("users/", views.UserListView.as_view(), name="user-list"),
    path("users/new/", views.UserCreateView.as_view(), name="user-create"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user-detail"),
    path("users/<int:pk>/edit/", views.UserUpdateView.as_view(), name="user-edit"),
    path("users/<int:pk>/active/", views.UserActiveView.as_view(), name="user-active"),
    path("users/<int:pk>/reset-password/", views.UserResetPasswordView.as_view(), name="user-reset-password"),
]

# Sign-in pages keep their global names (Django's LOGIN_URL, LOGOUT_REDIRECT_URL and templates use them).
signin_urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
]
