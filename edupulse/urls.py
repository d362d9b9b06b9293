from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from edupulse.accounts.api.token import ObtainTokenView
from edupulse.accounts.urls import signin_urlpatterns
from edupulse.core.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("", include(signin_urlpatterns)),
    path("", include("edupulse.accounts.urls")),
    path("", include("edupulse.orgs.urls")),
    path("", include("edupulse.monitoring.urls")),
    path("", include("edupulse.collection.urls")),
    path("", include("edupulse.supervision.urls")),
    path("", include("edupulse.reports.urls")),
    path("", include("edupulse.plans.urls")),
    path("", include("edupulse.basedata.urls")),
    path("", include("edupulse.core.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("api/", include("edupulse.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
