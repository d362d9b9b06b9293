from django.urls import path

from edupulse.basedata import views

app_name = "basedata"
urlpatterns = [
    path("basedata/schools/<str:code>/students/", views.RosterView.as_view(kind="student"), name="student-list"),
    path("basedata/schools/<str:code>/teachers/", views.RosterView.as_view(kind="teacher"), name="teacher-list"),
    path("basedata/students/<str:pseudonym>/", views.RecordView.as_view(kind="student"), name="student-detail"),
    path("basedata/teachers/<str:pseudonym>/", views.RecordView.as_view(kind="teacher"), name="teacher-detail"),
]
