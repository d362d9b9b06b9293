from django.urls import path

from edupulse.basedata import views

app_name = "basedata"
urlpatterns = [
    path("basedata/schools/<str:code>/students/", views.RosterView.as_view(kind="student"), name="student-list"),
    path("basedata/schools/<str:code>/teachers/", views.RosterView.as_view(kind="teacher"), name="teacher-list"),
    path("basedata/students/<str:pseudonym>/", views.RecordView.as_view(kind="student"), name="student-detail"),
    path("basedata/teachers/<str:pseudonym>/", views.RecordView.as_view(kind="teacher"), name="teacher-detail"),
    path("basedata/reviews/", views.ReviewListView.as_view(), name="review-list"),
    path("basedata/reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review-detail"),
    path("basedata/reviews/<int:pk>/confirm/", views.ReviewDecisionView.as_view(verb="confirm"), name="review-confirm"),
    path("basedata/reviews/<int:pk>/reject/", views.ReviewDecisionView.as_view(verb="reject"), name="review-reject"),
    path("basedata/catalogue/", views.CatalogueView.as_view(), name="catalogue"),
    path("basedata/catalogue/<str:code>/", views.DatasetView.as_view(), name="dataset"),
    path("basedata/shares/", views.ShareListView.as_view(), name="share-list"),
    path("basedata/shares/new/", views.ShareCreateView.as_view(), name="share-new"),
    path("basedata/shares/<int:pk>/", views.ShareDetailView.as_view(), name="share-detail"),
    path("basedata/shares/<int:pk>/move/", views.ShareTransitionView.as_view(), name="share-move"),
    path("basedata/shares/<int:pk>/download/", views.ShareDownloadView.as_view(), name="share-download"),
    path("basedata/quality/", views.QualityTrendView.as_view(), name="quality"),
    path("basedata/quality/regions/<str:code>/", views.QualityTrendView.as_view(group_by="region"),
         name="quality-region"),
    path("basedata/quality/schools/<str:code>/", views.QualityTrendView.as_view(group_by="school"),
         name="quality-school"),
]
