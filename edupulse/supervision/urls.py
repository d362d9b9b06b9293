from django.urls import path

from edupulse.supervision import views

app_name = "supervision"
urlpatterns = [
    path("supervision/", views.RoundListView.as_view(), name="round-list"),
    path("supervision/frameworks/", views.FrameworkListView.as_view(), name="framework-list"),
    path("supervision/new/", views.RoundCreateView.as_view(), name="round-create"),
    path("supervision/<int:pk>/", views.RoundDetailView.as_view(), name="round-detail"),
    path("supervision/<int:pk>/transition/", views.RoundTransitionView.as_view(), name="round-transition"),
    path("supervision/<int:pk>/export.<str:fmt>", views.RoundExportView.as_view(), name="round-export"),
    path("supervision/scorecards/<int:pk>/", views.ScorecardView.as_view(), name="scorecard"),
]
