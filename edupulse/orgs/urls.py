from django.urls import path

from edupulse.orgs import views

app_name = "orgs"
urlpatterns = [
    path("regions/", views.RegionTreeView.as_view(), name="region-tree"),
    path("regions/<str:code>/", views.RegionTreeView.as_view(), name="region-tree-node"),
    path("schools/", views.SchoolListView.as_view(), name="school-list"),
    path("schools/import/", views.SchoolImportView.as_view(), name="school-import"),
    path("schools/<str:code>/", views.SchoolDetailView.as_view(), name="school-detail"),
    path("schools/<str:code>/edit/", views.SchoolUpdateView.as_view(), name="school-edit"),
]
